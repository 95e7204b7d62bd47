/**
 * The retry policy of a job execution: its execution policy in milliseconds, snapshotted when
 * the execution started. Shared by the retry math here, the control database's records and the
 * orchestrators' payloads (src/execution/contracts.ts re-exports it).
 */

/** What the execution policy means in milliseconds, snapshotted at start. */
export interface RetryPolicy {
  maximumAttempts: number;
  initialRetryIntervalMs: number;
  maximumRetryIntervalMs: number;
  retryIntervalBackoffCoefficient: number;
  /** Per attempt, from that attempt's start. */
  taskTimeoutMs: number | null;
}
