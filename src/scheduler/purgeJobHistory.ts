/**
 * `POST /jobs/{name}/purge-history`: the history of one job older than a time, now, instead of
 * waiting for the retention. Active executions are never purged.
 */
import { jobStore } from '../control/stores/jobStore';
import { isoTimestamp } from '../domain/clock';
import { parseDuration } from '../domain/duration';
import type { Services } from '../services';
import { purgeEndedExecutions } from './housekeeping';

/** `olderThan`: an ISO timestamp, or an ISO duration counted back from now. */
export function purgeCutoff(olderThan: string, now: Date): string {
  const ms = parseDuration(olderThan);
  return isoTimestamp(ms === undefined ? new Date(olderThan) : new Date(now.getTime() - ms));
}

/** Returns how many top-level job executions were deleted (each with its children and task executions). */
export async function purgeJobHistory(services: Services, jobName: string, olderThan: string): Promise<{ deleted: number }> {
  await jobStore(services.control).get(jobName);
  const deleted = await purgeEndedExecutions(services, purgeCutoff(olderThan, services.clock.now()), { jobName });
  services.logger.info('Job history purged', { jobName, olderThan, deleted });
  return { deleted };
}
