/**
 * Cron expressions of schedules, evaluated in a time zone by cron-parser 5 (5 fields; a new
 * schedule with a seconds field is refused, see cronProblem). What daylight-saving changes do, as cron-parser computes it and our tests pin:
 * a wall-clock time that does not exist (the spring gap, e.g. 02:30 in Europe/Berlin on the last
 * Sunday of March) fires an hour later, at 03:30 local; a wall-clock time that happens twice (the
 * autumn overlap) fires once, at its first occurrence; "every hour" style expressions fire at
 * every real hour, both 02:00s of an autumn night included. Pure: no clock, no I/O.
 */
import { CronExpressionParser, type CronExpression } from 'cron-parser';

/** Why the expression or time zone cannot be used, or undefined when both are fine. */
export function cronProblem(expression: string, timeZone: string): { field: 'cron' | 'timeZone'; message: string } | undefined {
  if (!isTimeZone(timeZone)) return { field: 'timeZone', message: `'${timeZone}' is not an IANA time zone such as UTC or Europe/Berlin` };
  const fields = expression.trim().split(/\s+/).filter(Boolean).length;
  // Azure's timer (and the local scheduler) look once a minute: a seconds field would promise
  // fires that never happen at the second it names.
  if (fields === 6) return { field: 'cron', message: 'has a seconds field: schedules fire at most once a minute, so give 5 fields (minute hour day-of-month month day-of-week), e.g. "0 2 * * *"' };
  if (fields !== 5) return { field: 'cron', message: `must have 5 fields (minute hour day-of-month month day-of-week), e.g. "0 2 * * *" for 02:00 every day; it has ${fields}` };
  try {
    const it = parse(expression, timeZone, new Date(0));
    // Some expressions parse but never match (Feb 30): they would leave a trigger silent forever.
    it.next();
  } catch (e) {
    return { field: 'cron', message: `is not a valid cron expression (${(e as Error).message})` };
  }
  return undefined;
}

export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

function parse(expression: string, timeZone: string, currentDate: Date): CronExpression {
  return CronExpressionParser.parse(expression, { currentDate, tz: timeZone });
}

/** The first time the expression matches strictly after `after`. */
export function cronNextAfter(expression: string, timeZone: string, after: Date): Date {
  return parse(expression, timeZone, after).next().toDate();
}

/** The last time the expression matches strictly before `before`. */
export function cronPrevBefore(expression: string, timeZone: string, before: Date): Date {
  return parse(expression, timeZone, before).prev().toDate();
}

/**
 * Matches strictly after `after` and at or before `until`, in order, at most `limit` of them;
 * `more` says whether the walk stopped at the limit.
 */
export function cronMatchesBetween(expression: string, timeZone: string, after: Date, until: Date, limit: number): { times: Date[]; more: boolean } {
  const it = parse(expression, timeZone, after);
  const times: Date[] = [];
  for (;;) {
    const next = it.next().toDate();
    if (next.getTime() > until.getTime()) return { times, more: false };
    if (times.length === limit) return { times, more: true };
    times.push(next);
  }
}
