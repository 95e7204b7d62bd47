/**
 * Graceful stop of a Functions worker, as far as the worker allows. When the Functions host
 * shuts a worker down (scale-in, a deployment, a restart, platform maintenance) it sends it
 * WorkerTerminate; the Node.js worker runs the app's appTerminate hooks (v4 programming model,
 * @azure/functions 4.1 and later: `app.hook.appTerminate`, registered in functions/lifecycle.ts)
 * and exits once they resolve. The host gives the worker only a short grace period for that (a
 * few seconds) and kills it after, and a forced end (a crash, out of memory, the VM gone) runs
 * no hook at all. Within that time this worker:
 * - claims nothing more: a runLane call asked for after the stop is left unanswered; Durable
 *   delivers an activity at least once, so it runs again on another worker;
 * - cancels each running attempt's statement on its server and records the attempt Failed and
 *   retryable (HOST_STOPPED_ATTEMPT_MESSAGE), its child queued again at once, waiting for that
 *   up to WORKER_STOP_WAIT_MS.
 * An attempt interrupted anyway (the grace period ran out, or no hook ran) stays claimed in the
 * control database. When Durable runs that lane's call again, it settles the claim first: the
 * attempt is written Failed and retryable ("the host stopped during this attempt"), never run
 * again under its number; the retry is a new attempt number, which first ends that attempt's
 * session on the server by its tag (TargetDriver.stopEarlierSessions).
 */
import { createActivities, type Activities } from '../execution/activities';
import type { RunLaneOutput } from '../execution/contracts';
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
  return { ...activities, runLane: (input) => stop.track(() => activities.runLane(input), leftUnanswered<RunLaneOutput>) };
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
