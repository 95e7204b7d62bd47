/**
 * A host process's "stopping" state, one per process, shared by the local host (SIGTERM/SIGINT,
 * src/local/runtime.ts) and a Functions worker (the appTerminate hook, src/azure/workerStop.ts).
 * Its signal is the attempt activity's `hostStopping` (the lane activity, runLane.ts): once it is aborted no
 * attempt opens, and each running attempt cancels its statement on the server and records
 * itself Failed and retryable (HOST_STOPPED_ATTEMPT_MESSAGE). The stop then waits, within a
 * bound, for the attempts it tracks to have recorded themselves.
 */

import { setMaxListeners } from 'node:events';

export interface HostStop {
  /** Aborted by `stop()`: hand it to createActivities as `hostStopping`. */
  readonly signal: AbortSignal;
  readonly stopping: boolean;
  /**
   * Runs `work` as one piece of in-flight work that `settled` waits for. Work asked for after
   * the stop is not started: `refused` answers it instead (by default a rejection).
   */
  track<T>(work: () => Promise<T>, refused?: () => Promise<T>): Promise<T>;
  /** Marks the process stopping and aborts `signal`; idempotent. */
  stop(): void;
  /**
   * Resolves true once every tracked piece has settled, or false when `waitMs` passed first
   * (what is still running then is left to the next start: it closes open attempts as
   * interrupted).
   */
  settled(waitMs: number): Promise<boolean>;
}

export function createHostStop(): HostStop {
  const controller = new AbortController();
  // Every running attempt listens to it: a host runs hundreds at once, more than Node's default warning threshold.
  setMaxListeners(0, controller.signal);
  const inFlight = new Set<Promise<unknown>>();

  return {
    signal: controller.signal,
    get stopping() {
      return controller.signal.aborted;
    },

    track(work, refused = () => Promise.reject(new Error('The host is stopping; this work was not started.'))) {
      if (controller.signal.aborted) return refused();
      const running = work();
      const entry = running.then(
        () => undefined,
        () => undefined,
      );
      inFlight.add(entry);
      void entry.then(() => inFlight.delete(entry));
      return running;
    },

    stop() {
      if (!controller.signal.aborted) controller.abort();
    },

    async settled(waitMs) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), waitMs)));
      try {
        // Work tracked meanwhile (a race with stop) is waited for too.
        const all = async (): Promise<true> => {
          while (inFlight.size > 0) await Promise.all(inFlight);
          return true;
        };
        return await Promise.race([all(), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
