/**
 * A sliding window over sub-orchestrations, for the job and batch orchestrators: start units
 * while their weights fit the capacity, and start more as soon as running ones are seen to finish.
 *
 * Why it never waits on the running set with Task.any: a task already yielded, put into a new
 * Task.any or Task.all, is scheduled again by the Durable extension (its protocol has no task
 * ids, azure-functions-durable-js#574), and the replay host refuses it. So each pass waits on the
 * tasks it has just started (fresh) and, when older ones are still running, on a fresh poll
 * timer; on every wake-up all running tasks are looked at (their results arrive through replay
 * whether or not they are being waited on). An older unit that ends is therefore noticed at the
 * next poll or when a fresh one ends.
 *
 * The poll follows the units. It falls when the next older unit should have ended: its start
 * plus the median duration of recent units, plus an eighth of that (at least the host's poll
 * floor: 1 s in Azure, 25 ms on the local host, where a look is only a replay in memory) for
 * the completion to travel. When every older unit is overdue (a target retrying for hours), it backs
 * off from 1 s to 5 min while nothing moves, but never falls before the fresh units should end:
 * a poll that wins the race leaves those fresh units unwatched. A window of long-running units
 * thus costs a few episodes per unit, and one stuck for days costs almost nothing.
 *
 * Waiting for everything left, with nothing more to start, needs no poll: fresh tasks go into one
 * Task.all, and older ones are yielded one by one (an already scheduled task yielded alone is not
 * scheduled again).
 *
 * A racer that wins (a cancel, the job's deadline) stops the starting, not the running: the units
 * already started are waited for, each yielded alone, because only their ends say that their
 * work stopped (terminal means stopped). They stop by themselves: a target gets the cancel event
 * from the client, and has its own deadline.
 */
import type * as df from 'durable-functions';

/** The shortest poll when the host does not say: suits Azure, whose timers travel through storage queues. */
export const POLL_FIRST_MS = 1_000;
export const POLL_MAX_MS = 5 * 60_000;
/** The slack after a unit's expected end is this fraction of the typical duration. */
const SLACK_FRACTION = 8;
const DURATIONS_KEPT = 16;

export interface WindowUnit {
  /** What the unit takes of the capacity while it runs. */
  weight: number;
  /** Creates the unit's task (a sub-orchestration); called once, when the unit starts. */
  start(): df.Task;
}

export type UnitResult = { ok: true; value: unknown } | { ok: false; error: unknown };

export interface WindowResult<K extends string> {
  /** By unit index; undefined for a unit not finished (or not started) when a racer won. */
  results: (UnitResult | undefined)[];
  /** The racer that stopped the starting, if one did; the units already started had ended by the return. */
  stoppedBy?: K;
}

interface Running {
  index: number;
  task: df.Task;
  weight: number;
  startedAt: number;
}

const finished = (task: df.Task) => task.isCompleted || task.isFaulted;
const isTimer = (task: df.Task): task is df.TimerTask => typeof (task as Partial<df.TimerTask>).cancel === 'function';

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Runs `units` at most `capacity` weight at once. `race`, when given, is called on every pass for
 * fresh racers (a cancel event, a deadline timer): the first to complete stops the window.
 */
export function* runWindow<K extends string = never>(
  ctx: df.DurableOrchestrationContext,
  units: readonly WindowUnit[],
  capacity: number,
  race?: () => Record<K, df.Task>,
  pollFloorMs: number = POLL_FIRST_MS,
): Generator<df.Task, WindowResult<K>, unknown> {
  const results: (UnitResult | undefined)[] = new Array(units.length).fill(undefined);
  const now = () => ctx.currentUtcDateTime.getTime();
  let running: Running[] = [];
  let used = 0;
  let next = 0;
  let backoffMs = pollFloorMs;
  let lastLook = now();
  const durations: number[] = [];
  const slack = (typical: number) => Math.max(pollFloorMs, typical / SLACK_FRACTION);

  /**
   * Collects what ended. A unit whose completion woke this pass ended now; one found at a poll
   * ended somewhere since the last look, counted at the middle so durations do not creep up.
   */
  const harvest = (woke?: df.Task): number => {
    const t = now();
    const before = running.length;
    running = running.filter((r) => {
      if (!finished(r.task)) return true;
      results[r.index] = r.task.isFaulted ? { ok: false, error: r.task.result } : { ok: true, value: r.task.result };
      used -= r.weight;
      const since = Math.max(lastLook, r.startedAt);
      durations.push((r.task === woke ? t : (since + t) / 2) - r.startedAt);
      if (durations.length > DURATIONS_KEPT) durations.shift();
      return false;
    });
    lastLook = t;
    return before - running.length;
  };

  /** When to look again at units started in earlier passes (fresh ones wake the wait by themselves). */
  const nextPoll = (fresh: readonly df.Task[]): number => {
    const t = now();
    if (durations.length === 0) return t + backoffMs;
    const typical = median(durations);
    const expectedEnd = (r: Running) => r.startedAt + typical + slack(typical);
    const upcoming = running.filter((r) => !fresh.includes(r.task)).map(expectedEnd).filter((end) => end > t);
    if (upcoming.length > 0) return Math.max(Math.min(...upcoming), t + pollFloorMs);
    const freshEnd = fresh.length > 0 ? t + typical + slack(typical) : 0;
    return Math.max(t + backoffMs, freshEnd);
  };

  for (;;) {
    const fresh: df.Task[] = [];
    // A unit heavier than the whole capacity still runs, alone.
    while (next < units.length && (used + units[next].weight <= capacity || running.length === 0)) {
      const unit = units[next];
      const task = unit.start();
      running.push({ index: next, task, weight: unit.weight, startedAt: now() });
      used += unit.weight;
      fresh.push(task);
      next++;
    }
    if (running.length === 0) return { results };

    const waitingToStart = next < units.length;
    const older = running.length - fresh.length;

    if (!race && !waitingToStart && older > 0) {
      if (fresh.length > 0) yield ctx.Task.all(fresh);
      for (const r of running) if (!finished(r.task)) yield r.task;
      harvest();
      continue;
    }

    const racers = race ? race() : undefined;
    const racerTasks: df.Task[] = racers ? Object.values<df.Task>(racers) : [];
    const waitOn: df.Task[] = [];
    let poll: df.TimerTask | undefined;
    if (!waitingToStart && older === 0) {
      waitOn.push(ctx.Task.all(fresh));
    } else {
      waitOn.push(...fresh);
      if (older > 0) {
        poll = ctx.createTimer(new Date(nextPoll(fresh)));
        waitOn.push(poll);
      }
    }
    waitOn.push(...racerTasks);
    const winner = (yield ctx.Task.any(waitOn)) as df.Task;

    for (const t of [poll, ...racerTasks]) if (t && t !== winner && isTimer(t) && !finished(t)) t.cancel();
    if (racers) {
      for (const key of Object.keys(racers) as K[]) {
        if (racers[key] === winner) {
          for (const r of running) if (!finished(r.task)) yield r.task;
          harvest();
          return { results, stoppedBy: key };
        }
      }
    }
    if (harvest(winner) > 0) backoffMs = pollFloorMs;
    else if (winner === poll) backoffMs = Math.min(backoffMs * 2, POLL_MAX_MS);
  }
}
