/**
 * What a child execution becomes once one of its attempts has ended: the rule the lanes apply
 * in the same statement that claims their next child (src/control/stores/executions/workQueue.ts).
 * Pure, so it is tested alone and reads the same wherever an outcome is applied (a lane, or
 * the recovery of an attempt a stopped process left behind).
 *
 * - Succeeded, or an outcome no retry can help (a refused server, a cancel, a missing database
 *   that was enumerated): the child ends with that outcome.
 * - A retryable failure with attempts left: WaitingForRetry, queued again after the seed's
 *   backoff (src/domain/retrySchedule.ts); `retryNow` queues it at once (the host stopped the
 *   attempt itself, nothing is wrong with the database).
 * - A retryable failure on the last attempt the policy allows: Failed.
 */
import { isoTimestamp } from './clock';
import type { RetryPolicy } from './retryPolicy';
import { retryDelayMs } from './retrySchedule';
import type { JobExecutionLifecycle } from './schemas/execution';
import type { TaskOutcome } from './taskOutcome';

export interface ChildAfterAttempt {
  lifecycle: JobExecutionLifecycle;
  /** When the child is ready for its next attempt (ISO 8601 UTC); null once it ended. */
  notBefore: string | null;
  /**
   * The child's last message: undefined keeps the one it has (a success after failed attempts
   * still says why the earlier ones failed); a retry says which attempt failed and why.
   */
  message: string | null | undefined;
}

/** The child after attempt number `attempt` ended with `outcome` at `now`. */
export function childAfterAttempt(outcome: TaskOutcome, attempt: number, policy: RetryPolicy, now: Date, options: { retryNow?: boolean } = {}): ChildAfterAttempt {
  if (outcome.lifecycle === 'Succeeded') return { lifecycle: 'Succeeded', notBefore: null, message: undefined };
  if (!outcome.retryable) return { lifecycle: outcome.lifecycle, notBefore: null, message: outcome.message };
  if (attempt >= policy.maximumAttempts) {
    return { lifecycle: 'Failed', notBefore: null, message: outcome.message ?? `No attempts left (maximumAttempts ${policy.maximumAttempts}).` };
  }
  const wait = options.retryNow ? 0 : retryDelayMs(policy, attempt + 1);
  return {
    lifecycle: 'WaitingForRetry',
    notBefore: isoTimestamp(new Date(now.getTime() + wait)),
    message: `Attempt ${attempt}: ${outcome.message ?? outcome.lifecycle}`,
  };
}
