/**
 * The wait before a retry, the seed's formula (Durable's own retry follows the same curve):
 * before attempt k (k >= 2) wait min(initialRetryInterval * coefficient^(k-2), maximumRetryInterval).
 * Pure, so the target orchestrator can call it under replay.
 */
import type { RetryPolicy } from './retryPolicy';

export type RetryCurve = Pick<RetryPolicy, 'initialRetryIntervalMs' | 'maximumRetryIntervalMs' | 'retryIntervalBackoffCoefficient'>;

/** Milliseconds to wait before `attempt` (the first attempt never waits). */
export function retryDelayMs(curve: RetryCurve, attempt: number): number {
  if (attempt < 2) return 0;
  const max = Math.max(0, curve.maximumRetryIntervalMs);
  // coefficient^(k-2) overflows to Infinity long before k reaches maximumAttempts (2^31-1 by default): the cap still holds.
  const raw = curve.initialRetryIntervalMs * Math.pow(curve.retryIntervalBackoffCoefficient, attempt - 2);
  if (!Number.isFinite(raw)) return max;
  return Math.round(Math.min(Math.max(0, raw), max));
}
