/**
 * What one attempt (a task execution) ended with: recorded on its row by the control database
 * and returned to the orchestrator that asked for it (src/execution/contracts.ts names it
 * RunTaskOutput).
 */

/** The outcome of one attempt. */
export interface TaskOutcome {
  lifecycle: 'Succeeded' | 'Failed' | 'TimedOut' | 'Canceled' | 'Skipped';
  /** False when no retry can help (refused server, cancel, missing database). */
  retryable: boolean;
  message: string | null;
}
