/**
 * The replay host's clock: what time it is (the timestamp of each episode) and when a durable
 * timer fires. The local host uses the real clock; tests use the manual one, which moves only
 * when told to and runs everything that falls due on the way.
 */
export interface HostClock {
  now(): Date;
  /** Calls `fire` once the clock has reached `at`; the function returned cancels it. */
  setTimer(at: Date, fire: () => void): () => void;
}

/** setTimeout takes at most 2^31-1 ms (24.8 days); longer waits are re-armed. */
const LONGEST_TIMEOUT_MS = 2_147_483_647;

export const realHostClock: HostClock = {
  now: () => new Date(),
  setTimer(at, fire) {
    let handle: NodeJS.Timeout | undefined;
    const arm = () => {
      // Timers may wake a little early against Date.now(): a durable timer must not fire before its time.
      const left = at.getTime() - Date.now();
      handle = left <= 0 ? setTimeout(fire, 0) : setTimeout(arm, Math.min(left, LONGEST_TIMEOUT_MS));
    };
    arm();
    return () => clearTimeout(handle);
  },
};

/** Something the manual clock waits for before it moves on: a replay host that settles. */
export type Settler = (parked: () => number) => Promise<void>;

interface ManualTimer {
  at: number;
  order: number;
  fire: () => void;
  cancelled: boolean;
}

export class ManualHostClock implements HostClock {
  private current: number;
  private timers: ManualTimer[] = [];
  private order = 0;
  private parked = 0;
  private settlers = new Set<Settler>();

  constructor(start: Date | string = '2026-01-05T09:00:00.000Z') {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  setTimer(at: Date, fire: () => void): () => void {
    const timer: ManualTimer = { at: at.getTime(), order: this.order++, fire, cancelled: false };
    this.timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }

  /** Timers set and neither fired nor cancelled. */
  pendingTimers(): Date[] {
    return this.timers.filter((t) => !t.cancelled).map((t) => new Date(t.at));
  }

  /**
   * For fake activities that take time: resolves when the clock reaches now + ms. While it waits
   * the activity is parked, so settling does not wait for it.
   */
  sleep(ms: number): Promise<void> {
    this.parked++;
    return new Promise((resolve) =>
      this.setTimer(new Date(this.current + ms), () => {
        this.parked--;
        resolve();
      }),
    );
  }

  /** Registers a host to settle before and after every move; returns the way to unregister. */
  attach(settler: Settler): () => void {
    this.settlers.add(settler);
    return () => this.settlers.delete(settler);
  }

  /** Waits until every attached host has nothing left to do at the current time. */
  async settle(): Promise<void> {
    for (const settle of this.settlers) await settle(() => this.parked);
  }

  /** Moves to `to`, firing on the way every timer that falls due, in time order, settling after each. */
  async advanceTo(to: Date | string): Promise<void> {
    const target = new Date(to).getTime();
    await this.settle();
    for (;;) {
      this.timers = this.timers.filter((t) => !t.cancelled);
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.order - b.order);
      if (due.length === 0) break;
      const at = due[0].at;
      this.current = Math.max(this.current, at);
      for (const t of due) {
        if (t.at !== at || t.cancelled) continue;
        t.cancelled = true;
        t.fire();
      }
      await this.settle();
    }
    this.current = Math.max(this.current, target);
    await this.settle();
  }

  advanceBy(ms: number): Promise<void> {
    return this.advanceTo(new Date(this.current + ms));
  }
}
