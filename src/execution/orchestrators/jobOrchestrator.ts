/**
 * A job execution: expand the target into children (activity), fan them out over batch
 * orchestrations (see ./fanOutPlan), wait for them while racing the job's deadline and a
 * `cancel` event, then end the parent (activity). A JS orchestrator cannot send events to its
 * children: the API raises `cancel` to the parent and to every child itself. A cancel or the
 * deadline stops the starting of batches; those already running are waited for (their targets
 * end on their own event or deadline, once their attempts have stopped their statements), so
 * the parent stays in its running lifecycle, with cancelRequested, until nothing runs any more.
 * completeJobExecution then ends the children never started and the parent.
 */
import type * as df from 'durable-functions';
import { isTerminal } from '../../domain/lifecycle';
import type { JobExecutionLifecycle } from '../../domain/schemas/execution';
import {
  ACTIVITIES,
  CANCEL_EVENT,
  ORCHESTRATORS,
  type BatchInput,
  type CompleteInput,
  type CompleteOutput,
  type ExpandInput,
  type ExpandOutput,
  type JobOrchestratorInput,
} from '../contracts';
import { planFanOut } from './fanOutPlan';
import { runWindow } from './window';

export interface JobOutcome {
  executionId: string;
  /** The parent's final lifecycle; null when it was already terminal and nothing ran. */
  lifecycle: JobExecutionLifecycle | null;
}

/** Tries of the parent's own activities, 5 s apart and doubling, before the orchestration gives up. */
export const PARENT_ACTIVITY_TRIES = 5;
const PARENT_RETRY_FIRST_MS = 5_000;

export function* jobOrchestrator(context: df.OrchestrationContext): Generator<df.Task, JobOutcome, unknown> {
  const ctx = context.df;
  const { executionId } = ctx.getInput() as JobOrchestratorInput;

  /**
   * The parent's activities are retried here: if they fail for good, nothing else would ever end
   * the parent (in Azure no one resumes it). The stores already retry transient faults; this
   * covers a control database away for longer.
   */
  function* callParentActivity<T>(name: string, input: unknown): Generator<df.Task, T, unknown> {
    for (let attempt = 1; ; attempt++) {
      try {
        return (yield ctx.callActivity(name, input)) as T;
      } catch (e) {
        if (attempt >= PARENT_ACTIVITY_TRIES) throw e;
        yield ctx.createTimer(new Date(ctx.currentUtcDateTime.getTime() + PARENT_RETRY_FIRST_MS * 2 ** (attempt - 1)));
      }
    }
  }

  function* complete(reason?: CompleteInput['reason']): Generator<df.Task, JobOutcome, unknown> {
    const input: CompleteInput = reason ? { executionId, reason } : { executionId };
    const out = yield* callParentActivity<CompleteOutput>(ACTIVITIES.completeJobExecution, input);
    return { executionId, lifecycle: out.lifecycle };
  }

  const expansion = yield* callParentActivity<ExpandOutput>(ACTIVITIES.expandJobExecution, { executionId } satisfies ExpandInput);
  if (expansion.alreadyTerminal) return { executionId, lifecycle: null };
  if (expansion.cancelRequested) return yield* complete('Canceled');

  // A cancel raised while the expansion ran is buffered, and a Task.any that also held the
  // batches would start them before seeing it: look at the event first, with a timer due now.
  const earlyCancel = ctx.waitForExternalEvent(CANCEL_EVENT);
  const gate = ctx.createTimer(ctx.currentUtcDateTime);
  if ((yield ctx.Task.any([earlyCancel, gate])) === earlyCancel) {
    gate.cancel();
    return yield* complete('Canceled');
  }
  const deadline = new Date(expansion.deadline);
  if (ctx.currentUtcDateTime.getTime() >= deadline.getTime()) return yield* complete('TimedOut');

  // Children already ended (a resumed execution) need no orchestration.
  const open = expansion.children.filter((c) => !isTerminal(c.lifecycle));
  const plan = planFanOut(open, expansion.maxParallelism);
  const base = { parentId: executionId, policy: expansion.policy, deadline: expansion.deadline, windowPollMs: expansion.windowPollMs };
  const units = plan.units.map((unit, n) => ({
    weight: unit.parallelism,
    start: () => {
      const input: BatchInput =
        unit.batches.length === 1
          ? { ...base, children: unit.batches[0].children, parallelism: unit.parallelism }
          : { ...base, children: [], parallelism: unit.parallelism, batches: unit.batches };
      return ctx.callSubOrchestrator(ORCHESTRATORS.batch, input, `${executionId}:batch:${n}`);
    },
  }));
  const run = yield* runWindow(
    ctx,
    units,
    plan.parallelism,
    () => ({
      Canceled: ctx.waitForExternalEvent(CANCEL_EVENT),
      TimedOut: ctx.createTimer(deadline),
    }),
    expansion.windowPollMs,
  );
  return yield* complete(run.stoppedBy);
}
