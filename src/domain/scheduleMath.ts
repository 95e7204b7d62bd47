/**
 * When a schedule fires, as pure functions of the schedule and a time given by the caller.
 *
 * Fire times of a schedule:
 * - one-time: startTime, once;
 * - interval: startTime + k * count units (k = 0, 1, 2...), in UTC. Months are added to
 *   startTime, never to the previous fire time, and clamp to the last day of a shorter month:
 *   from Jan 31 every month is Feb 28 (29 in a leap year), Mar 31, Apr 30, May 31...;
 * - cron: every match of the expression in its time zone (see cronSchedule.ts for DST);
 * never before startTime, never after endTime (both inclusive).
 */
import { cronMatchesBetween, cronNextAfter, cronPrevBefore } from './cronSchedule';
import type { IntervalUnit } from './schemas/schedule';

export interface ScheduleTiming {
  oneTime: boolean;
  interval: { unit: IntervalUnit; count: number } | null;
  cron: string | null;
  timeZone: string | null;
  startTime: string;
  endTime: string | null;
}

export interface DueFire {
  /** The latest fire time in the window: the one to run. */
  fireTime: Date;
  /** Fire times in the window before it, not run (the scheduler was not running). */
  missed: number;
  /** True when `missed` is a lower bound: counting stopped at MISSED_COUNT_LIMIT. */
  missedAtLeast: boolean;
}

/** Counting missed cron matches walks them one by one: stop somewhere sensible. */
export const MISSED_COUNT_LIMIT = 10_000;

const FIXED_UNIT_MS: Record<Exclude<IntervalUnit, 'month'>, number> = {
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 604_800_000,
};

const ms = (iso: string) => Date.parse(iso);

/** `start` plus `months` calendar months (UTC), the day clamped to the target month's length. */
export function addMonthsClamped(start: Date, months: number): Date {
  const monthIndex = start.getUTCMonth() + months;
  const year = start.getUTCFullYear() + Math.floor(monthIndex / 12);
  const month = ((monthIndex % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(start.getUTCDate(), lastDay);
  return new Date(Date.UTC(year, month, day, start.getUTCHours(), start.getUTCMinutes(), start.getUTCSeconds(), start.getUTCMilliseconds()));
}

/** The k-th fire time (k = 0 is startTime) of an interval schedule, ignoring endTime. */
function intervalFire(s: ScheduleTiming, k: number): number {
  const { unit, count } = s.interval!;
  if (unit === 'month') return addMonthsClamped(new Date(s.startTime), k * count).getTime();
  return ms(s.startTime) + k * count * FIXED_UNIT_MS[unit];
}

/** The largest k whose fire time is at or before `t` (-1 when startTime is after t). */
function intervalIndexAtOrBefore(s: ScheduleTiming, t: number): number {
  const start = ms(s.startTime);
  if (t < start) return -1;
  const { unit, count } = s.interval!;
  if (unit !== 'month') return Math.floor((t - start) / (count * FIXED_UNIT_MS[unit]));
  const a = new Date(start);
  const b = new Date(t);
  const months = (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + (b.getUTCMonth() - a.getUTCMonth());
  // A first guess from whole months, then corrected: clamping moves a fire at most a few days.
  let k = Math.max(0, Math.floor(months / count));
  while (k > 0 && intervalFire(s, k) > t) k--;
  while (intervalFire(s, k + 1) <= t) k++;
  return k;
}

function lastAllowed(s: ScheduleTiming, t: number): number {
  return s.endTime === null ? t : Math.min(t, ms(s.endTime));
}

function isCron(s: ScheduleTiming): s is ScheduleTiming & { cron: string } {
  return s.cron !== null;
}

/** The first fire time at or after `from`, or null when the schedule will not fire again. */
export function nextFireTime(s: ScheduleTiming, from: Date): Date | null {
  const start = ms(s.startTime);
  const end = s.endTime === null ? Infinity : ms(s.endTime);
  const t = Math.max(from.getTime(), start);
  let next: number;
  if (s.oneTime) {
    if (from.getTime() > start) return null;
    next = start;
  } else if (isCron(s)) {
    next = cronNextAfter(s.cron, s.timeZone ?? 'UTC', new Date(t - 1)).getTime();
  } else {
    const k = intervalIndexAtOrBefore(s, t);
    next = k >= 0 && intervalFire(s, k) === t ? t : intervalFire(s, k + 1);
  }
  return next <= end ? new Date(next) : null;
}

/**
 * The latest fire time in [notBefore, now] and how many fire times of that window came before
 * it; null when none falls in it. The scheduler runs only the latest: a job that could not run
 * for three intervals runs once, not three times in a row.
 */
export function dueFireTime(s: ScheduleTiming, window: { notBefore: Date; now: Date }): DueFire | null {
  const from = Math.max(window.notBefore.getTime(), ms(s.startTime));
  const until = lastAllowed(s, window.now.getTime());
  if (until < from) return null;
  if (s.oneTime) {
    const start = ms(s.startTime);
    return start >= from && start <= until ? { fireTime: new Date(start), missed: 0, missedAtLeast: false } : null;
  }
  if (isCron(s)) {
    const zone = s.timeZone ?? 'UTC';
    const { times, more } = cronMatchesBetween(s.cron, zone, new Date(from - 1), new Date(until), MISSED_COUNT_LIMIT);
    if (!more) return times.length ? { fireTime: times[times.length - 1], missed: times.length - 1, missedAtLeast: false } : null;
    return { fireTime: cronPrevBefore(s.cron, zone, new Date(until + 1)), missed: MISSED_COUNT_LIMIT, missedAtLeast: true };
  }
  const latest = intervalIndexAtOrBefore(s, until);
  // The fire after the last one before `from` is the first one in the window.
  const first = intervalIndexAtOrBefore(s, from - 1) + 1;
  if (latest < first) return null;
  return { fireTime: new Date(intervalFire(s, latest)), missed: latest - first, missedAtLeast: false };
}

/** Fire times in [from, to], in order, at most `limit` (for listings and tests). */
export function fireTimesBetween(s: ScheduleTiming, from: Date, to: Date, limit = 1000): Date[] {
  const out: Date[] = [];
  let next = nextFireTime(s, from);
  while (next && next.getTime() <= to.getTime() && out.length < limit) {
    out.push(next);
    next = nextFireTime(s, new Date(next.getTime() + 1));
  }
  return out;
}
