/**
 * The databases a rerun runs (POST /executions/{id}/rerun): those of the execution it re-runs
 * whose child ended in one of the lifecycles asked for, in place of the job's target. A rerun
 * names its databases, so one gone since fails like any named database (it may be back) rather
 * than being skipped; each is checked against the step credential's servers as at any start.
 * For a job of several steps, every step of the rerun runs on those databases.
 */
import { executionStore } from '../control/stores/executionStore';
import type { JobExecutionRecord } from '../control/stores/executionStore';
import { serverAllowed } from '../domain/serverPatterns';
import { databaseKey } from '../domain/targetIdentity';
import type { Services } from '../services';
import { allowedServersOf } from './connectionCredential';
import type { ExpandedDatabase } from './expandTarget';

/**
 * The databases of the rerun, each once (a database in several steps of the earlier execution is
 * one database of every step of the rerun), checked against `credentialName`'s servers.
 */
export async function rerunDatabases(services: Services, parent: JobExecutionRecord, credentialName: string): Promise<ExpandedDatabase[]> {
  const wanted = new Set<string>(parent.rerunLifecycles ?? []);
  const earlier = await executionStore(services.control).children(parent.rerunOf!);
  const patterns = await allowedServersOf(services, credentialName);
  const databases = new Map<string, ExpandedDatabase>();
  for (const child of earlier) {
    if (child.target === null || !wanted.has(child.lifecycle)) continue;
    databases.set(databaseKey(child.target), { ...child.target, foundBy: 'named', allowed: serverAllowed(patterns, child.target.serverName, child.target.engine) });
  }
  return [...databases.values()];
}
