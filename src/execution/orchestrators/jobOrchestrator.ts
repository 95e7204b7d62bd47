/**
 * A job execution (docs/engine.md): expand the target into queued children (activity), run the
 * lanes the expansion planned as sub-orchestrations and wait for every one of them, then end the
 * parent (activity). The lanes do the fan-out: each claims the next ready child the moment one
 * of its slots is free, from the control database (the work queue), so this orchestration sees
 * one event per lane, not one per child.
 *
 * A cancel reaches the lanes from the client (the API raises it to this instance and to each
 * lane); a running attempt sees the flag itself and cancels its statement, and queued children
 * are ended Canceled by the cancel request. A lane returns only once its attempts are recorded,
 * so the parent stays in its running lifecycle, with cancelRequested, until nothing runs any
 * more (terminal means stopped). completeJobExecution then ends what is left and the parent.
 *
 * With a canary (src/domain/safetyRails.ts) the canary's databases run first, in lanes of their
 * own; closeCanaryWave then queues the others (every canary Succeeded) or ends them Skipped.
 *
 * A job of several steps runs them in order, each expanded once the one before has ended:
 * closeStep says whether the next runs (a failed step whose onFailure is stopJob ends the run;
 * the parent then rolls up Failed). A restarted orchestration goes through the steps again;
 * a step already expanded is not again, and one already ended runs nothing.
 */
import type * as df from 'durable-functions';
import type { JobExecutionLifecycle } from '../../domain/schemas/execution';
import { laneInstanceId } from '../../domain/lanePlan';
import {
  ACTIVITIES,
  ORCHESTRATORS,
  type CloseCanaryInput,
  type CloseCanaryOutput,
  type CloseStepInput,
  type CloseStepOutput,
  type CompleteInput,
  type CompleteOutput,
  type ExpandInput,
  type ExpandOutput,
  type JobOrchestratorInput,
  type LaneInput,
  type LaneShare,
  type LaneOutcome,
  type LaneStop,
} from '../contracts';
import { callWithRetries } from './retriedActivity';

export interface JobOutcome {
  executionId: string;
  /** The parent's final lifecycle; null when it was already terminal and nothing ran. */
  lifecycle: JobExecutionLifecycle | null;
}

export function* jobOrchestrator(context: df.OrchestrationContext): Generator<df.Task, JobOutcome, unknown> {
  const ctx = context.df;
  const { executionId } = ctx.getInput() as JobOrchestratorInput;

  function* complete(reason?: LaneStop): Generator<df.Task, JobOutcome, unknown> {
    const input: CompleteInput = reason ? { executionId, reason } : { executionId };
    const out = yield* callWithRetries<CompleteOutput>(ctx, ACTIVITIES.completeJobExecution, input);
    return { executionId, lifecycle: out.lifecycle };
  }

  let expansion = yield* callWithRetries<ExpandOutput>(ctx, ACTIVITIES.expandJobExecution, { executionId } satisfies ExpandInput);
  if (expansion.alreadyTerminal) return { executionId, lifecycle: null };
  const steps = expansion.steps ?? 1;

  /** Runs these lanes of `step` and waits for every one of them; returns why one stopped early, if one did. */
  function* runLanes(shares: LaneShare[], canary: boolean, step: number): Generator<df.Task, LaneStop | undefined, unknown> {
    if (shares.length === 0) return undefined;
    const lanes = shares.map((share) =>
      ctx.callSubOrchestrator(
        ORCHESTRATORS.lane,
        {
          parentId: executionId,
          lane: share.lane,
          slots: share.slots,
          policy: expansion.policy,
          deadline: expansion.deadline,
          step,
          ...(expansion.rails ? { rails: expansion.rails } : {}),
        } satisfies LaneInput,
        laneInstanceId(executionId, share.lane, canary, step),
      ),
    );
    let outcomes: (LaneOutcome | undefined)[] = [];
    try {
      outcomes = (yield ctx.Task.all(lanes)) as LaneOutcome[];
    } catch {
      // A lane never throws; should one fail anyway, wait for the others (each yielded alone: a
      // task already yielded is not scheduled again) before ending anything.
      for (const lane of lanes) {
        if (!lane.isCompleted && !lane.isFaulted) {
          try {
            yield lane;
          } catch {
            // counted below as a lane with no outcome
          }
        }
      }
      outcomes = lanes.map((lane) => (lane.isCompleted ? (lane.result as LaneOutcome) : undefined));
    }
    const stops = outcomes.map((o) => o?.stoppedBy);
    return stops.includes('Canceled') ? 'Canceled' : stops.includes('TimedOut') ? 'TimedOut' : undefined;
  }

  // Steps in order: a step expands (its target resolved then) once the one before has ended.
  for (let step = 1; step <= steps; step++) {
    if (step > 1) {
      expansion = yield* callWithRetries<ExpandOutput>(ctx, ACTIVITIES.expandJobExecution, { executionId, stepIndex: step } satisfies ExpandInput);
      if (expansion.alreadyTerminal) return { executionId, lifecycle: null };
    }
    if (expansion.cancelRequested) return yield* complete('Canceled');
    if (ctx.currentUtcDateTime.getTime() >= Date.parse(expansion.deadline)) return yield* complete('TimedOut');

    // A canary wave runs first, alone; closeCanaryWave then releases the others or skips them.
    let stop = yield* runLanes(expansion.lanes, expansion.canary === true, step);
    if (!stop && expansion.canary) {
      const judged = yield* callWithRetries<CloseCanaryOutput>(ctx, ACTIVITIES.closeCanaryWave, { executionId, stepIndex: step } satisfies CloseCanaryInput);
      if (judged.lanes.length > 0) stop = yield* runLanes(judged.lanes, false, step);
    }
    if (stop) return yield* complete(stop);
    if (step < steps) {
      const closed = yield* callWithRetries<CloseStepOutput>(ctx, ACTIVITIES.closeStep, { executionId, stepIndex: step } satisfies CloseStepInput);
      if (!closed.next) break;
    }
  }
  return yield* complete();
}
