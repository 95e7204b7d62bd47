/**
 * An activity called with retries from an orchestrator: 5 tries, 5 s apart and doubling. The
 * stores already retry transient faults; this covers a control database away for longer, for
 * the activities whose failure nothing else would repair (expanding, ending the parent, a lane).
 * Deterministic: the waits are durable timers.
 */
import type * as df from 'durable-functions';

export const ACTIVITY_TRIES = 5;
const FIRST_WAIT_MS = 5_000;

export function* callWithRetries<T>(ctx: df.DurableOrchestrationContext, name: string, input: unknown): Generator<df.Task, T, unknown> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (yield ctx.callActivity(name, input)) as T;
    } catch (e) {
      if (attempt >= ACTIVITY_TRIES) throw e;
      yield ctx.createTimer(new Date(ctx.currentUtcDateTime.getTime() + FIRST_WAIT_MS * 2 ** (attempt - 1)));
    }
  }
}
