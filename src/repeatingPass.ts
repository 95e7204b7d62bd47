/**
 * A pass repeated on the local host (the scheduler's tick, the notification sender): the next
 * pass is set up only when one ends, so passes never overlap; `stop` aborts the signal handed to
 * the pass (work under way that must not hold up a bounded stop) and waits for it to return, so
 * the host can close the control database right after. The timer does not keep the process up.
 */
export interface RepeatingPass {
  stop(): Promise<void>;
}

/** Runs `pass` now and then `intervalMs` (milliseconds) after each one ends, until stopped; a pass's rejection is the caller's to catch. */
export function startRepeatingPass(pass: (signal: AbortSignal) => Promise<unknown>, intervalMs: number): RepeatingPass {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  const stopping = new AbortController();

  function next(): void {
    if (stopped) return;
    running = pass(stopping.signal).finally(() => {
      running = undefined;
      if (stopped) return;
      timer = setTimeout(next, intervalMs);
      timer.unref();
    });
  }
  next();

  return {
    async stop() {
      stopped = true;
      stopping.abort();
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
