/**
 * When a notification that could not be delivered is tried again: 10 s after the first attempt,
 * then doubling (20 s, 40 s...) up to 10 minutes apart, until an hour after the execution ended.
 * The last attempt is made at the deadline itself, so the hour is used whole. Pure: the sender
 * (src/notifications) hands in the times.
 */

/** How long a notification is retried, counted from when its execution ended. */
export const NOTIFICATION_RETRY_WINDOW_MS = 60 * 60_000;

const FIRST_DELAY_MS = 10_000;
const MAX_DELAY_MS = 10 * 60_000;

/** The wait after the n-th failed attempt (n >= 1). */
export function retryDelayMs(failedAttempts: number): number {
  return Math.min(FIRST_DELAY_MS * 2 ** Math.max(0, failedAttempts - 1), MAX_DELAY_MS);
}

/**
 * When to try again after `failedAttempts` failed attempts, the latest at `now`; null when the
 * window is over (`now` at or past `giveUpAt`): the notification is then given up.
 */
export function nextAttemptAt(failedAttempts: number, now: Date, giveUpAt: Date): Date | null {
  if (now.getTime() >= giveUpAt.getTime()) return null;
  return new Date(Math.min(now.getTime() + retryDelayMs(failedAttempts), giveUpAt.getTime()));
}
