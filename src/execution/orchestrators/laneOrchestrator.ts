/**
 * A lane of a job execution (docs/engine.md): calls runLane, which claims, runs and records the
 * parent's children with the lane's slots for up to its time budget, until nothing is queued.
 * With only retries queued, not yet due, it sleeps on a durable timer until the earliest (or the
 * job's deadline), woken early by a cancel. It never throws (the job orchestration waits for
 * every lane: a Task.all that failed fast would leave others running unseen); a lane whose
 * activity failed for good returns, and its claims are settled when the parent ends.
 *
 * History stays short: after CALLS_PER_GENERATION calls it continues as new (Durable replays an
 * orchestration's whole history at every event: about 1.5 k^2 events for k calls). A cancel
 * event lost across continue-as-new costs nothing: each call reads the cancel from the control
 * database, and the sleep is always in the generation of the call before it.
 */
import type * as df from 'durable-functions';
import { ACTIVITIES, CANCEL_EVENT, type LaneInput, type LaneOutcome, type RunLaneInput, type RunLaneOutput } from '../contracts';
import { callWithRetries } from './retriedActivity';

/** runLane calls per generation of a lane's history, at most. */
export const CALLS_PER_GENERATION = 5;
const BLOCKED_FIRST_MS = 250;
const BLOCKED_MAX_MS = 10_000;

export function* laneOrchestrator(context: df.OrchestrationContext): Generator<df.Task, LaneOutcome | undefined, unknown> {
  const ctx = context.df;
  const input = ctx.getInput() as LaneInput & { attempts?: number };
  const deadline = new Date(input.deadline);
  let attempts = input.attempts ?? 0;
  const call: RunLaneInput = { parentId: input.parentId, lane: input.lane, slots: input.slots, policy: input.policy, deadline: input.deadline, ...(input.rails ? { rails: input.rails } : {}), ...(input.step !== undefined ? { step: input.step } : {}) };
  // Nothing claimable although children are ready (another lane holds their server's cap): look again after a wait that grows.
  let blockedWaitMs = BLOCKED_FIRST_MS;

  for (let calls = 0; ; calls++) {
    if (ctx.currentUtcDateTime.getTime() >= deadline.getTime()) return { lane: input.lane, attempts, stoppedBy: 'TimedOut' };
    if (calls >= CALLS_PER_GENERATION) {
      ctx.continueAsNew({ ...input, generation: (input.generation ?? 0) + 1, attempts });
      return undefined;
    }
    let out: RunLaneOutput;
    try {
      out = yield* callWithRetries<RunLaneOutput>(ctx, ACTIVITIES.runLane, call);
    } catch {
      return { lane: input.lane, attempts };
    }
    attempts += out.attempts;
    if (out.stoppedBy) return { lane: input.lane, attempts, stoppedBy: out.stoppedBy };
    if (out.more) continue;
    if (out.nextNotBefore === null) return { lane: input.lane, attempts };

    const now = ctx.currentUtcDateTime.getTime();
    const blocked = out.attempts === 0 && Date.parse(out.nextNotBefore) <= now;
    const waitMs = blocked ? blockedWaitMs : 0;
    blockedWaitMs = blocked ? Math.min(blockedWaitMs * 2, BLOCKED_MAX_MS) : BLOCKED_FIRST_MS;
    const wakeAt = Math.min(blocked ? now + waitMs : Date.parse(out.nextNotBefore), deadline.getTime());
    const timer = ctx.createTimer(new Date(Math.max(wakeAt, ctx.currentUtcDateTime.getTime())));
    const cancel = ctx.waitForExternalEvent(CANCEL_EVENT);
    if ((yield ctx.Task.any([timer, cancel])) === cancel) {
      timer.cancel();
      return { lane: input.lane, attempts, stoppedBy: 'Canceled' };
    }
  }
}
