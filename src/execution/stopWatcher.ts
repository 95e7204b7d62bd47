/**
 * Running attempts watch the control database for the reason to stop: a cancel flag (the
 * child's or its parent's) or the child ended under them (the job timed out). One watcher per
 * process polls for every running attempt at once, so a thousand concurrent attempts cost one
 * query per tick, not a thousand. A poll judges only the children it asked about, and a child
 * missing from the answer is read again before its absence stops anything.
 */
import type { ExecutionStore, StopSignal } from '../control/stores/executionStore';
import { isTerminal } from '../domain/lifecycle';
import type { Logger } from '../logging';

export type StopReason = 'Canceled' | 'TimedOut';

/** Why an attempt on a child must stop now, if it must. A child that vanished (no row, read twice) counts as cancelled. */
export function stopReasonOf(signal: StopSignal | undefined): StopReason | undefined {
  if (!signal || signal.cancelRequested) return 'Canceled';
  if (isTerminal(signal.lifecycle)) return signal.lifecycle === 'TimedOut' ? 'TimedOut' : 'Canceled';
  return undefined;
}

export interface StopWatcher {
  /** Calls `onStop` once when the child must stop; returns the function that stops watching. */
  watch(childId: string, onStop: (reason: StopReason) => void): () => void;
}

export function createStopWatcher(executions: ExecutionStore, pollMs: number, logger: Logger): StopWatcher {
  const watchers = new Map<string, Set<(reason: StopReason) => void>>();
  let timer: NodeJS.Timeout | undefined;
  let polling = false;

  async function poll(): Promise<void> {
    if (polling || watchers.size === 0) return;
    polling = true;
    try {
      // Judge only what was asked: an attempt that starts while the query is out is not in its answer.
      const asked = [...watchers.keys()];
      const signals = await executions.stopSignals(asked);
      // No row is not a signal by itself (a lagging replica, a row not yet visible): read it again.
      const missing = asked.filter((id) => !signals.has(id) && watchers.has(id));
      if (missing.length > 0) for (const [id, signal] of await executions.stopSignals(missing)) signals.set(id, signal);
      for (const id of asked) {
        const callbacks = watchers.get(id);
        if (!callbacks) continue;
        const reason = stopReasonOf(signals.get(id));
        if (!reason) continue;
        watchers.delete(id);
        for (const callback of callbacks) callback(reason);
      }
    } catch (error) {
      // A missed tick only delays a cancel; the next one tries again.
      logger.warn('Could not read the cancel flags of running attempts', { error: error instanceof Error ? error.message : String(error) });
    } finally {
      polling = false;
      if (watchers.size === 0 && timer) {
        clearInterval(timer);
        timer = undefined;
      }
    }
  }

  return {
    watch(childId, onStop) {
      const id = childId.toLowerCase();
      let callbacks = watchers.get(id);
      if (!callbacks) watchers.set(id, (callbacks = new Set()));
      let fired = false;
      const once = (reason: StopReason) => {
        if (fired) return;
        fired = true;
        onStop(reason);
      };
      callbacks.add(once);
      timer ??= setInterval(() => void poll(), pollMs);
      return () => {
        const set = watchers.get(id);
        set?.delete(once);
        if (set && set.size === 0) watchers.delete(id);
        if (watchers.size === 0 && timer && !polling) {
          clearInterval(timer);
          timer = undefined;
        }
      };
    },
  };
}
