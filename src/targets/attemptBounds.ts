/**
 * One attempt is bounded twice: by the execution's cancel (an AbortSignal) and by the policy's
 * taskTimeout. Whichever comes first asks the driver to cancel the statement on the server; the
 * driver then throws the error this reports, so that a cancel is never recorded as a SQL failure.
 */
import type { RunOptions } from './driver';
import { TaskCanceledError, TaskTimeoutError, type TargetError } from './errors';

export type StopReason = 'canceled' | 'timeout';

export interface AttemptBounds {
  /** Set once the attempt was asked to stop. */
  readonly reason: StopReason | undefined;
  /** The error to throw for the reason (call only when `reason` is set). */
  error(): TargetError;
  dispose(): void;
}

export function stopError(reason: StopReason, timeoutMs?: number): TargetError {
  return reason === 'canceled'
    ? new TaskCanceledError('The execution was canceled; the statement was canceled on the server.')
    : new TaskTimeoutError(`The attempt ran past its task timeout (${timeoutMs} ms); the statement was canceled on the server.`);
}

/** Throws TaskCanceledError when the attempt was cancelled before it connected. */
export function throwIfCanceled(signal: AbortSignal): void {
  if (signal.aborted) throw stopError('canceled');
}

/** Calls `onStop` once, at the first of cancel or timeout. */
export function boundAttempt(options: Pick<RunOptions, 'signal' | 'timeoutMs'>, onStop: (reason: StopReason) => void): AttemptBounds {
  let reason: StopReason | undefined;
  const stop = (why: StopReason) => {
    if (reason) return;
    reason = why;
    dispose();
    onStop(why);
  };
  const onAbort = () => stop('canceled');
  const timer = options.timeoutMs !== undefined ? setTimeout(() => stop('timeout'), Math.max(0, options.timeoutMs)) : undefined;
  const dispose = () => {
    if (timer) clearTimeout(timer);
    options.signal.removeEventListener('abort', onAbort);
  };
  options.signal.addEventListener('abort', onAbort, { once: true });
  if (options.signal.aborted) stop('canceled');
  return {
    get reason() {
      return reason;
    },
    error: () => stopError(reason ?? 'canceled', options.timeoutMs),
    dispose,
  };
}
