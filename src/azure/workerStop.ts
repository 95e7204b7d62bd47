/**
 * Graceful stop of a Functions worker, as far as the worker allows. When the Functions host
 * shuts a worker down (scale-in, a deployment, a restart, platform maintenance) it sends it
 * WorkerTerminate; the Node.js worker runs the app's appTerminate hooks (v4 programming model,
 * @azure/functions 4.1 and later: `app.hook.appTerminate`, registered in functions/lifecycle.ts)
 * and exits once they resolve. The host gives the worker only a short grace period for that (a
 * few seconds) and kills it after, and a forced end (a crash, out of memory, the VM gone) runs
 * no hook at all. Within that time this worker:
 * - starts no attempt: runTaskAttempt asked for after the stop is left unanswered, so no task
 *   row opens; Durable delivers an activity at least once, so it runs again on another worker
 *   under the same attempt number, as if it had never reached this one;
 * - cancels each running attempt's statement on its server and records the attempt Failed and
 *   retryable (HOST_STOPPED_ATTEMPT_MESSAGE), waiting for that up to WORKER_STOP_WAIT_MS.
 * An attempt interrupted anyway (the grace period ran out, or no hook ran) stays open in the
 * control database. When Durable runs that activity again, runTaskAttempt finds the row open and
 * closes it Failed and retryable ("the host stopped during this attempt"), without running the
 * script; the retry is a new attempt number, which first ends that attempt's session on the
 * server by its tag (TargetDriver.stopEarlierSessions).
 */
import { createActivities, type Activities } from '../execution/activities';
import type { RunTaskOutput } from '../execution/contracts';
import { createHostStop, type HostStop } from '../execution/hostStop';
import type { Services } from '../services';

/** This worker process's stop (one per process: every registration in functions/ shares it). */
export const workerStop: HostStop = createHostStop();

/** How long the hook waits for running attempts to record themselves: inside the host's grace period for WorkerTerminate. */
export const WORKER_STOP_WAIT_MS = 4_000;

// Never settles: the worker exits and Durable hands the activity to another worker.
const leftUnanswered = <T>() => new Promise<T>(() => undefined);

/** The activities of a worker: attempts see `stop` as their `hostStopping` and are tracked by it; none starts after it. */
export function workerActivities(services: Services, stop: HostStop = workerStop): Activities {
  const activities = createActivities(services, { hostStopping: stop.signal });
  return { ...activities, runTaskAttempt: (input) => stop.track(() => activities.runTaskAttempt(input), leftUnanswered<RunTaskOutput>) };
}

/**
 * The appTerminate hook's work: stops `stop` and waits up to `waitMs` for the running attempts.
 * Resolves true when they all recorded themselves in time, false otherwise; never throws.
 */
export async function stopWorker(stop: HostStop = workerStop, waitMs = WORKER_STOP_WAIT_MS, logger?: Services['logger']): Promise<boolean> {
  stop.stop();
  const settled = await stop.settled(waitMs);
  if (settled) logger?.info('Worker terminating: running attempts canceled and recorded');
  else logger?.warn('Worker terminating before every running attempt recorded itself; the next run of those attempts closes them as interrupted', { waitMs });
  return settled;
}
