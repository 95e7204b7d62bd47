/**
 * The timing a schedule request asks for, checked beyond what its zod shape can say: a timing is
 * one-time, interval or cron (never a mix), endTime is after startTime, a cron expression and
 * its time zone are usable, and a new schedule can still fire (not one-time in the past, not
 * ended already). Timestamps are normalised to ISO UTC with milliseconds, the stored
 * form. Pure: `now` is given.
 */
import { cronProblem } from './cronSchedule';
import { ValidationError, type FieldError } from './errors';
import type { ScheduleTiming } from './scheduleMath';
import type { CreateSchedule, UpdateSchedule } from './schemas/schedule';

type Kind = 'oneTime' | 'interval' | 'cron';

const utc = (iso: string) => new Date(iso).toISOString();

function kindOf(t: ScheduleTiming): Kind {
  return t.oneTime ? 'oneTime' : t.cron !== null ? 'cron' : 'interval';
}

function fail(errors: FieldError[]): never {
  throw new ValidationError(`The schedule is not valid: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, errors);
}

/** Rules every stored timing keeps; `changed` says which request field to blame. */
function check(t: ScheduleTiming, changed: (field: 'startTime' | 'endTime' | 'cron' | 'timeZone') => boolean): ScheduleTiming {
  if (t.endTime !== null && Date.parse(t.endTime) <= Date.parse(t.startTime)) {
    fail([{ path: changed('endTime') || !changed('startTime') ? 'body.endTime' : 'body.startTime', message: 'endTime must be after startTime' }]);
  }
  if (t.cron !== null) {
    const problem = cronProblem(t.cron, t.timeZone ?? 'UTC');
    if (problem) fail([{ path: `body.${problem.field}`, message: problem.message }]);
  }
  return t;
}

/** The timing of a new schedule; an interval or cron schedule without startTime starts now. */
export function timingOfNewSchedule(body: CreateSchedule, now: Date): ScheduleTiming {
  const sent = new Set(Object.keys(body));
  const changed = (field: string) => sent.has(field);
  // A schedule that can never fire would sit silent while looking armed: refuse it with the reason.
  if ('oneTime' in body) {
    if (Date.parse(body.startTime) <= now.getTime()) fail([{ path: 'body.startTime', message: `is in the past (now is ${now.toISOString()}): a one-time schedule would never fire` }]);
    return { oneTime: true, interval: null, cron: null, timeZone: null, startTime: utc(body.startTime), endTime: null };
  }
  const startTime = body.startTime === undefined ? now.toISOString() : utc(body.startTime);
  const endTime = body.endTime === undefined ? null : utc(body.endTime);
  if (endTime !== null && Date.parse(endTime) <= now.getTime()) fail([{ path: 'body.endTime', message: `is in the past (now is ${now.toISOString()}): the schedule would never fire` }]);
  if ('interval' in body) return check({ oneTime: false, interval: body.interval, cron: null, timeZone: null, startTime, endTime }, changed);
  return check({ oneTime: false, interval: null, cron: body.cron.trim(), timeZone: body.timeZone, startTime, endTime }, changed);
}

/**
 * The timing after a PUT: the fields sent replace the current ones; naming oneTime, interval or
 * cron switches the schedule to that kind (and naming two of them is refused). The result must
 * be a valid schedule on its own: a one-time schedule has no endTime and no time zone.
 */
export function timingAfterUpdate(current: ScheduleTiming, body: UpdateSchedule, now: Date): ScheduleTiming {
  const named: Kind[] = [];
  if (body.oneTime === true) named.push('oneTime');
  if (body.interval !== undefined) named.push('interval');
  if (body.cron !== undefined) named.push('cron');
  if (named.length > 1) {
    fail(named.map((k) => ({ path: `body.${k}`, message: `cannot be combined with ${named.filter((o) => o !== k).join(' and ')}: a schedule is one-time, interval or cron` })));
  }
  const kind = named[0] ?? kindOf(current);
  const startTime = body.startTime === undefined ? current.startTime : utc(body.startTime);
  const endTime = body.endTime === undefined ? current.endTime : body.endTime === null ? null : utc(body.endTime);
  const changed = (field: string) => (body as Record<string, unknown>)[field] !== undefined;

  if (kind !== 'cron' && body.timeZone !== undefined) fail([{ path: 'body.timeZone', message: 'applies to cron schedules only' }]);
  // As at creation, a change that leaves the schedule unable to fire is refused with the reason
  // (only what this request changes is judged, so a schedule that already fired can still be edited otherwise).
  if (changed('endTime') && endTime !== null && Date.parse(endTime) <= now.getTime()) {
    fail([{ path: 'body.endTime', message: `is in the past (now is ${now.toISOString()}): the schedule would never fire` }]);
  }
  if (kind === 'oneTime' && (changed('startTime') || changed('oneTime')) && Date.parse(startTime) <= now.getTime()) {
    fail([{ path: 'body.startTime', message: `is in the past (now is ${now.toISOString()}): a one-time schedule would never fire` }]);
  }
  if (kind === 'oneTime') {
    if (endTime !== null) fail([{ path: 'body.endTime', message: body.endTime === undefined ? 'a one-time schedule has no endTime: send endTime: null' : 'a one-time schedule has no endTime' }]);
    return { oneTime: true, interval: null, cron: null, timeZone: null, startTime, endTime: null };
  }
  if (kind === 'interval') {
    return check({ oneTime: false, interval: body.interval ?? current.interval!, cron: null, timeZone: null, startTime, endTime }, changed);
  }
  const cron = body.cron === undefined ? current.cron! : body.cron.trim();
  return check({ oneTime: false, interval: null, cron, timeZone: body.timeZone ?? current.timeZone ?? 'UTC', startTime, endTime }, changed);
}
