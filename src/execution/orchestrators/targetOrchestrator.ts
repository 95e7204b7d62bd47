/**
 * One child execution (one database): attempts with backoff until one succeeds, the policy's
 * attempts run out, the job's deadline passes or a cancel arrives. Retry is by hand (activity,
 * then a timer) because every attempt is its own task execution row and some errors must not be
 * retried. It never throws: it returns its outcome, because its batch must not lose the others.
 *
 * Terminal means stopped: a cancel or the deadline that arrives while an attempt runs ends the
 * child only once that attempt has returned. The attempt sees the cancel flag (or its own
 * timeout, bounded by the deadline) and cancels its statement on the server before it returns;
 * until then the child keeps its running lifecycle, with cancelRequested set by the cancel.
 */
import type * as df from 'durable-functions';
import { isTerminal } from '../../domain/lifecycle';
import { retryDelayMs } from '../../domain/retrySchedule';
import type { JobExecutionLifecycle } from '../../domain/schemas/execution';
import { ACTIVITIES, CANCEL_EVENT, type MarkInput, type MarkOutput, type RunTaskInput, type RunTaskOutput, type TargetInput, type TargetOutcome } from '../contracts';

const TIMED_OUT = 'The job timed out before this database finished.';
const CANCELED = 'The execution was canceled.';

type Called<T> = { ok: true; value: T } | { ok: false; message: string };

/** The first line of an activity's failure (the extension appends details after it). */
export function failureMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0].trim() || 'The activity failed without a message.';
}

function outcomeLifecycle(lifecycle: JobExecutionLifecycle): TargetOutcome['lifecycle'] {
  switch (lifecycle) {
    case 'Succeeded':
    case 'SucceededWithSkipped':
      return 'Succeeded';
    case 'TimedOut':
    case 'Canceled':
    case 'Skipped':
      return lifecycle;
    default:
      return 'Failed';
  }
}

export function* targetOrchestrator(context: df.OrchestrationContext): Generator<df.Task, TargetOutcome, unknown> {
  const ctx = context.df;
  const { child, policy, deadline } = ctx.getInput() as TargetInput;
  const deadlineAt = new Date(deadline);
  const executionId = child.executionId;

  function* call<T>(task: df.Task): Generator<df.Task, Called<T>, unknown> {
    try {
      return { ok: true, value: (yield task) as T };
    } catch (e) {
      return { ok: false, message: failureMessage(e) };
    }
  }
  const mark = (lifecycle: JobExecutionLifecycle, message?: string | null) =>
    ctx.callActivity(ACTIVITIES.markJobExecution, { executionId, lifecycle, ...(message !== undefined ? { message } : {}) } satisfies MarkInput);

  function* end(lifecycle: TargetOutcome['lifecycle'], attempts: number, message: string | null): Generator<df.Task, TargetOutcome, unknown> {
    // A failed mark leaves the row to completeJobExecution, which ends every child still open.
    yield* call(mark(lifecycle, lifecycle === 'Succeeded' ? undefined : message));
    return { executionId, lifecycle, attempts, message };
  }

  /** Fresh racers for one wait: a task already yielded must never go into another Task.any. */
  function racers() {
    return { cancel: ctx.waitForExternalEvent(CANCEL_EVENT), deadline: ctx.createTimer(deadlineAt) };
  }

  if (isTerminal(child.lifecycle)) return { executionId, lifecycle: outcomeLifecycle(child.lifecycle), attempts: child.attemptsMade, message: null };

  let lastMessage: string | null = null;
  let made = child.attemptsMade;
  for (let attempt = made + 1; attempt <= policy.maximumAttempts; attempt++) {
    const startedAt = ctx.currentUtcDateTime.getTime();
    if (startedAt >= deadlineAt.getTime()) return yield* end('TimedOut', made, TIMED_OUT);

    // Shows the child running, and tells us when it ended while it waited its turn (cancel, job
    // timeout). Raced against the cancel event: one that arrives meanwhile is seen before an
    // attempt is launched (a Task.any holding the attempt would schedule it before seeing the event).
    const marking = mark('InProgress');
    const early = ctx.waitForExternalEvent(CANCEL_EVENT);
    if ((yield ctx.Task.any([marking, early])) === early) return yield* end('Canceled', made, CANCELED);
    const marked = marking.isFaulted ? undefined : (marking.result as MarkOutput | null | undefined);
    if (marked && isTerminal(marked.lifecycle)) {
      return { executionId, lifecycle: outcomeLifecycle(marked.lifecycle), attempts: made, message: null };
    }

    const left = deadlineAt.getTime() - startedAt;
    const timeoutMs = policy.taskTimeoutMs === null ? left : Math.min(policy.taskTimeoutMs, left);
    const run = ctx.callActivity(ACTIVITIES.runTaskAttempt, { executionId, attempt, timeoutMs } satisfies RunTaskInput);
    const stop = racers();
    const winner = yield ctx.Task.any([run, stop.cancel, stop.deadline]);
    if (winner !== stop.deadline) stop.deadline.cancel();
    if (winner !== run) {
      // The attempt stops by itself (it watches the control database; its timeout ends at the
      // deadline), and only its return says the statement is gone. Yielded alone, an activity
      // already scheduled is not scheduled again.
      const reason = winner === stop.cancel ? 'Canceled' : 'TimedOut';
      yield run;
      const stopped = run.isFaulted ? undefined : (run.result as RunTaskOutput);
      // Finished before the stop reached it: the record says what happened on the database.
      if (stopped?.lifecycle === 'Succeeded') return yield* end('Succeeded', attempt, stopped.message);
      return yield* end(reason, attempt, reason === 'Canceled' ? CANCELED : TIMED_OUT);
    }

    made = attempt;
    const result: RunTaskOutput = run.isFaulted
      ? { lifecycle: 'Failed', retryable: true, message: failureMessage(run.result) }
      : (run.result as RunTaskOutput);
    lastMessage = result.message;
    if (result.lifecycle === 'Succeeded') return yield* end('Succeeded', attempt, result.message);
    if (!result.retryable) return yield* end(result.lifecycle, attempt, result.message);
    if (attempt >= policy.maximumAttempts) break;

    const retryAt = new Date(ctx.currentUtcDateTime.getTime() + retryDelayMs(policy, attempt + 1));
    yield* call(mark('WaitingForRetry'));
    const retry = ctx.createTimer(retryAt);
    const wait = racers();
    const woke = yield ctx.Task.any([retry, wait.cancel, wait.deadline]);
    if (woke !== retry) retry.cancel();
    if (woke !== wait.deadline) wait.deadline.cancel();
    if (woke === wait.cancel) return yield* end('Canceled', attempt, CANCELED);
    if (woke === wait.deadline) return yield* end('TimedOut', attempt, TIMED_OUT);
  }
  return yield* end('Failed', made, lastMessage ?? `No attempts left (maximumAttempts ${policy.maximumAttempts}).`);
}
