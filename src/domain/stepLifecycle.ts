/**
 * The lifecycle of one step of a job execution, for the API's `steps` (GET /executions/{id}):
 * none of its children yet means it has not started (Created) or, the execution having ended,
 * never will (Skipped: an earlier step stopped the job); a child still running means InProgress;
 * otherwise the roll-up of its children, as a parent's.
 */
import { ACTIVE_JOB_LIFECYCLES, isTerminal, rollUp, type LifecycleCounts } from './lifecycle';
import type { JobExecutionLifecycle } from './schemas/execution';

export function stepLifecycle(counts: LifecycleCounts, parentLifecycle: JobExecutionLifecycle): JobExecutionLifecycle {
  const total = Object.values(counts).reduce((sum, n) => sum + (n ?? 0), 0);
  if (total === 0) return isTerminal(parentLifecycle) ? 'Skipped' : 'Created';
  if (ACTIVE_JOB_LIFECYCLES.some((l) => (counts[l] ?? 0) > 0)) return 'InProgress';
  return rollUp(counts);
}
