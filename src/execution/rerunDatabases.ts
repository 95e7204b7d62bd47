/**
 * The databases a rerun runs (POST /executions/{id}/rerun): those of the execution it re-runs
 * whose child ended in one of the lifecycles asked for, in place of the job's target. A rerun
 * names its databases, so one gone since fails like any named database (it may be back) rather
 * than being skipped; each is checked against the job credential's servers as at any start.
 */
import { executionStore } from '../control/stores/executionStore';
import type { JobExecutionRecord } from '../control/stores/executionStore';
import { serverAllowed } from '../domain/serverPatterns';
import type { Services } from '../services';
import { allowedServersOf } from './connectionCredential';
import type { ExpandedDatabase } from './expandTarget';

export async function rerunDatabases(services: Services, parent: JobExecutionRecord): Promise<ExpandedDatabase[]> {
  const wanted = new Set<string>(parent.rerunLifecycles ?? []);
  const earlier = await executionStore(services.control).children(parent.rerunOf!);
  const patterns = await allowedServersOf(services, parent.credentialName);
  return earlier
    .filter((child) => child.target !== null && wanted.has(child.lifecycle))
    .map((child) => ({ ...child.target!, foundBy: 'named' as const, allowed: serverAllowed(patterns, child.target!.serverName, child.target!.engine) }));
}
