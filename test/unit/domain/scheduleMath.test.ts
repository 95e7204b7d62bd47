import { cronProblem } from '../../../src/domain/cronSchedule';
import { addMonthsClamped, dueFireTime, fireTimesBetween, MISSED_COUNT_LIMIT, nextFireTime, type ScheduleTiming } from '../../../src/domain/scheduleMath';
import type { IntervalUnit } from '../../../src/domain/schemas/schedule';

const every = (unit: IntervalUnit, count: number, startTime: string, endTime: string | null = null): ScheduleTiming => ({
  oneTime: false,
  interval: { unit, count },
  cron: null,
  timeZone: null,
  startTime,
  endTime,
});
const once = (startTime: string): ScheduleTiming => ({ oneTime: true, interval: null, cron: null, timeZone: null, startTime, endTime: null });
const cron = (expression: string, timeZone: string, startTime = '2026-01-01T00:00:00.000Z', endTime: string | null = null): ScheduleTiming => ({
  oneTime: false,
  interval: null,
  cron: expression,
  timeZone,
  startTime,
  endTime,
});

const iso = (d: Date | null) => (d === null ? null : d.toISOString());
const at = (s: string) => new Date(s);

describe('interval fire times', () => {
  it.each<[string, ScheduleTiming, string, string, string[]]>([
    ['every minute', every('minute', 1, '2026-05-01T10:00:00.000Z'), '2026-05-01T10:00:00.000Z', '2026-05-01T10:03:00.000Z', ['2026-05-01T10:00:00.000Z', '2026-05-01T10:01:00.000Z', '2026-05-01T10:02:00.000Z', '2026-05-01T10:03:00.000Z']],
    ['every 15 minutes', every('minute', 15, '2026-05-01T10:07:00.000Z'), '2026-05-01T10:08:00.000Z', '2026-05-01T10:40:00.000Z', ['2026-05-01T10:22:00.000Z', '2026-05-01T10:37:00.000Z']],
    ['every 2 hours', every('hour', 2, '2026-05-01T23:30:00.000Z'), '2026-05-01T00:00:00.000Z', '2026-05-02T04:00:00.000Z', ['2026-05-01T23:30:00.000Z', '2026-05-02T01:30:00.000Z', '2026-05-02T03:30:00.000Z']],
    ['every 3 days', every('day', 3, '2026-02-26T06:00:00.000Z'), '2026-02-26T00:00:00.000Z', '2026-03-06T00:00:00.000Z', ['2026-02-26T06:00:00.000Z', '2026-03-01T06:00:00.000Z', '2026-03-04T06:00:00.000Z']],
    ['every week', every('week', 1, '2026-12-24T18:00:00.000Z'), '2026-12-25T00:00:00.000Z', '2027-01-15T00:00:00.000Z', ['2026-12-31T18:00:00.000Z', '2027-01-07T18:00:00.000Z', '2027-01-14T18:00:00.000Z']],
    ['every 2 weeks', every('week', 2, '2026-01-05T08:00:00.000Z'), '2026-01-05T08:00:00.001Z', '2026-02-28T00:00:00.000Z', ['2026-01-19T08:00:00.000Z', '2026-02-02T08:00:00.000Z', '2026-02-16T08:00:00.000Z']],
    [
      'every month from Jan 31 clamps to Feb 28 and comes back to Mar 31',
      every('month', 1, '2026-01-31T09:00:00.000Z'),
      '2026-01-01T00:00:00.000Z',
      '2026-07-01T00:00:00.000Z',
      ['2026-01-31T09:00:00.000Z', '2026-02-28T09:00:00.000Z', '2026-03-31T09:00:00.000Z', '2026-04-30T09:00:00.000Z', '2026-05-31T09:00:00.000Z', '2026-06-30T09:00:00.000Z'],
    ],
    ['every month in a leap year clamps to Feb 29', every('month', 1, '2028-01-31T00:00:00.000Z'), '2028-02-01T00:00:00.000Z', '2028-03-31T00:00:00.000Z', ['2028-02-29T00:00:00.000Z', '2028-03-31T00:00:00.000Z']],
    ['every 12 months from Feb 29 lands on Feb 28, then Feb 29 again', every('month', 12, '2028-02-29T12:00:00.000Z'), '2028-01-01T00:00:00.000Z', '2032-12-31T00:00:00.000Z', ['2028-02-29T12:00:00.000Z', '2029-02-28T12:00:00.000Z', '2030-02-28T12:00:00.000Z', '2031-02-28T12:00:00.000Z', '2032-02-29T12:00:00.000Z']],
    ['every 3 months across a year end', every('month', 3, '2026-11-30T00:00:00.000Z'), '2026-12-01T00:00:00.000Z', '2027-09-01T00:00:00.000Z', ['2027-02-28T00:00:00.000Z', '2027-05-30T00:00:00.000Z', '2027-08-30T00:00:00.000Z']],
    ['a start in the future: nothing before it', every('hour', 1, '2027-01-01T00:00:00.000Z'), '2026-12-31T21:00:00.000Z', '2027-01-01T01:00:00.000Z', ['2027-01-01T00:00:00.000Z', '2027-01-01T01:00:00.000Z']],
    ['nothing after endTime', every('day', 1, '2026-03-01T00:00:00.000Z', '2026-03-03T00:00:00.000Z'), '2026-03-01T00:00:00.000Z', '2026-03-10T00:00:00.000Z', ['2026-03-01T00:00:00.000Z', '2026-03-02T00:00:00.000Z', '2026-03-03T00:00:00.000Z']],
  ])('%s', (_label, schedule, from, to, expected) => {
    expect(fireTimesBetween(schedule, at(from), at(to)).map(iso)).toEqual(expected);
  });

  it('adds months to the start, never to the clamped date', () => {
    const start = at('2026-01-31T23:59:59.999Z');
    expect(iso(addMonthsClamped(start, 1))).toBe('2026-02-28T23:59:59.999Z');
    expect(iso(addMonthsClamped(start, 2))).toBe('2026-03-31T23:59:59.999Z');
    expect(iso(addMonthsClamped(start, 13))).toBe('2027-02-28T23:59:59.999Z');
    expect(iso(addMonthsClamped(at('2027-08-31T00:00:00.000Z'), 6))).toBe('2028-02-29T00:00:00.000Z');
  });
});

describe('nextFireTime', () => {
  it.each<[string, ScheduleTiming, string, string | null]>([
    ['one-time in the future', once('2026-06-01T12:00:00.000Z'), '2026-05-01T00:00:00.000Z', '2026-06-01T12:00:00.000Z'],
    ['one-time exactly now', once('2026-06-01T12:00:00.000Z'), '2026-06-01T12:00:00.000Z', '2026-06-01T12:00:00.000Z'],
    ['one-time in the past', once('2026-06-01T12:00:00.000Z'), '2026-06-01T12:00:00.001Z', null],
    ['interval exactly on a fire time', every('minute', 5, '2026-06-01T12:00:00.000Z'), '2026-06-01T12:10:00.000Z', '2026-06-01T12:10:00.000Z'],
    ['interval between fire times', every('minute', 5, '2026-06-01T12:00:00.000Z'), '2026-06-01T12:10:00.001Z', '2026-06-01T12:15:00.000Z'],
    ['interval before its start', every('day', 1, '2026-06-10T00:00:00.000Z'), '2026-01-01T00:00:00.000Z', '2026-06-10T00:00:00.000Z'],
    ['interval whose endTime has passed', every('hour', 1, '2026-06-01T00:00:00.000Z', '2026-06-02T00:00:00.000Z'), '2026-06-02T00:00:00.001Z', null],
    ['interval whose next fire is after endTime', every('hour', 1, '2026-06-01T00:00:00.000Z', '2026-06-01T05:30:00.000Z'), '2026-06-01T05:00:00.001Z', null],
    ['monthly from Jan 31 after the Feb fire', every('month', 1, '2026-01-31T09:00:00.000Z'), '2026-02-28T09:00:00.001Z', '2026-03-31T09:00:00.000Z'],
    ['cron in UTC', cron('0 6 * * 1', 'UTC'), '2026-06-02T00:00:00.000Z', '2026-06-08T06:00:00.000Z'],
    ['cron with a time zone', cron('0 6 * * *', 'Europe/Berlin'), '2026-06-02T00:00:00.000Z', '2026-06-02T04:00:00.000Z'],
    ['cron before its startTime', cron('0 * * * *', 'UTC', '2026-06-02T10:30:00.000Z'), '2026-06-01T00:00:00.000Z', '2026-06-02T11:00:00.000Z'],
    ['cron past its endTime', cron('0 * * * *', 'UTC', '2026-06-01T00:00:00.000Z', '2026-06-02T10:30:00.000Z'), '2026-06-02T10:30:00.001Z', null],
  ])('%s', (_label, schedule, from, expected) => {
    expect(iso(nextFireTime(schedule, at(from)))).toBe(expected);
  });
});

describe('dueFireTime (the latest fire in [notBefore, now])', () => {
  it('finds nothing before the first fire time', () => {
    expect(dueFireTime(every('minute', 1, '2026-06-01T12:00:00.000Z'), { notBefore: at('2026-06-01T11:00:00.000Z'), now: at('2026-06-01T11:59:59.999Z') })).toBeNull();
  });

  it('finds a fire exactly at now and exactly at notBefore', () => {
    const s = every('minute', 1, '2026-06-01T12:00:00.000Z');
    expect(dueFireTime(s, { notBefore: at('2026-06-01T12:00:00.000Z'), now: at('2026-06-01T12:00:00.000Z') })).toEqual({ fireTime: at('2026-06-01T12:00:00.000Z'), missed: 0, missedAtLeast: false });
  });

  it('runs only the latest of several missed fire times and counts the others', () => {
    const s = every('minute', 5, '2026-06-01T12:00:00.000Z');
    expect(dueFireTime(s, { notBefore: at('2026-06-01T12:00:00.001Z'), now: at('2026-06-01T12:21:00.000Z') })).toEqual({ fireTime: at('2026-06-01T12:20:00.000Z'), missed: 3, missedAtLeast: false });
  });

  it('counts missed monthly fires across clamped months', () => {
    const s = every('month', 1, '2026-01-31T09:00:00.000Z');
    expect(dueFireTime(s, { notBefore: at('2026-01-31T09:00:00.001Z'), now: at('2026-05-01T00:00:00.000Z') })).toEqual({ fireTime: at('2026-04-30T09:00:00.000Z'), missed: 2, missedAtLeast: false });
  });

  it('fires a one-time schedule once, and never when it was before the window', () => {
    const s = once('2026-06-01T12:00:00.000Z');
    expect(dueFireTime(s, { notBefore: at('2026-06-01T11:00:00.000Z'), now: at('2026-06-01T13:00:00.000Z') })?.fireTime).toEqual(at('2026-06-01T12:00:00.000Z'));
    expect(dueFireTime(s, { notBefore: at('2026-06-01T12:00:00.001Z'), now: at('2026-06-01T13:00:00.000Z') })).toBeNull();
    expect(dueFireTime(s, { notBefore: at('2026-06-01T11:00:00.000Z'), now: at('2026-06-01T11:59:59.999Z') })).toBeNull();
  });

  it('never fires after endTime, even when asked long after', () => {
    const s = every('hour', 1, '2026-06-01T00:00:00.000Z', '2026-06-01T03:30:00.000Z');
    expect(dueFireTime(s, { notBefore: at('2026-06-01T00:00:00.000Z'), now: at('2026-07-01T00:00:00.000Z') })).toEqual({ fireTime: at('2026-06-01T03:00:00.000Z'), missed: 3, missedAtLeast: false });
    expect(dueFireTime(s, { notBefore: at('2026-06-01T03:00:00.001Z'), now: at('2026-07-01T00:00:00.000Z') })).toBeNull();
  });

  it('counts missed cron matches, and stops counting at the limit', () => {
    const s = cron('*/10 * * * *', 'UTC');
    expect(dueFireTime(s, { notBefore: at('2026-06-01T00:00:00.001Z'), now: at('2026-06-01T00:35:00.000Z') })).toEqual({ fireTime: at('2026-06-01T00:30:00.000Z'), missed: 2, missedAtLeast: false });
    const everySecond = cron('* * * * * *', 'UTC');
    expect(dueFireTime(everySecond, { notBefore: at('2026-06-01T00:00:00.000Z'), now: at('2026-06-02T00:00:00.000Z') })).toEqual({ fireTime: at('2026-06-02T00:00:00.000Z'), missed: MISSED_COUNT_LIMIT, missedAtLeast: true });
  });
});

describe('cron across daylight-saving changes', () => {
  const between = (s: ScheduleTiming, from: string, to: string) => fireTimesBetween(s, at(from), at(to)).map(iso);

  it('Europe/Berlin spring gap: 02:30 does not exist on 29 March 2026 and runs at 03:30 CEST', () => {
    expect(between(cron('30 2 * * *', 'Europe/Berlin'), '2026-03-28T00:00:00.000Z', '2026-03-31T00:00:00.000Z')).toEqual([
      '2026-03-28T01:30:00.000Z', // 02:30 CET
      '2026-03-29T01:30:00.000Z', // 03:30 CEST: the gap moves it one hour on
      '2026-03-30T00:30:00.000Z', // 02:30 CEST
    ]);
  });

  it('Europe/Berlin autumn overlap: 02:30 happens twice on 25 October 2026 and runs once', () => {
    expect(between(cron('30 2 * * *', 'Europe/Berlin'), '2026-10-24T00:00:00.000Z', '2026-10-27T00:00:00.000Z')).toEqual([
      '2026-10-24T00:30:00.000Z', // 02:30 CEST
      '2026-10-25T00:30:00.000Z', // first 02:30 (CEST) only
      '2026-10-26T01:30:00.000Z', // 02:30 CET
    ]);
  });

  it('Europe/Berlin hourly across the overlap fires at every real hour, both 02:00s included', () => {
    expect(between(cron('0 * * * *', 'Europe/Berlin'), '2026-10-24T23:00:00.000Z', '2026-10-25T02:00:00.000Z')).toEqual([
      '2026-10-24T23:00:00.000Z',
      '2026-10-25T00:00:00.000Z', // 02:00 CEST
      '2026-10-25T01:00:00.000Z', // 02:00 CET
      '2026-10-25T02:00:00.000Z',
    ]);
  });

  it('America/New_York spring gap (8 March 2026) and autumn overlap (1 November 2026)', () => {
    expect(between(cron('30 2 * * *', 'America/New_York'), '2026-03-07T00:00:00.000Z', '2026-03-10T00:00:00.000Z')).toEqual([
      '2026-03-07T07:30:00.000Z', // 02:30 EST
      '2026-03-08T07:30:00.000Z', // 03:30 EDT
      '2026-03-09T06:30:00.000Z', // 02:30 EDT
    ]);
    expect(between(cron('30 1 * * *', 'America/New_York'), '2026-10-31T00:00:00.000Z', '2026-11-03T00:00:00.000Z')).toEqual([
      '2026-10-31T05:30:00.000Z', // 01:30 EDT
      '2026-11-01T05:30:00.000Z', // first 01:30 (EDT) only
      '2026-11-02T06:30:00.000Z', // 01:30 EST
    ]);
  });

  it('a cron schedule due on the gap day is found by dueFireTime at the shifted time', () => {
    const s = cron('30 2 * * *', 'Europe/Berlin');
    expect(dueFireTime(s, { notBefore: at('2026-03-28T12:00:00.000Z'), now: at('2026-03-29T01:45:00.000Z') })?.fireTime).toEqual(at('2026-03-29T01:30:00.000Z'));
  });
});

describe('cronProblem', () => {
  it.each([
    ['0 6 * * 1-5', 'Europe/Berlin', undefined],
    // A seconds field: schedules fire at most once a minute.
    ['0 */5 * * * *', 'UTC', 'cron'],
    ['61 * * *', 'UTC', 'cron'],
    ['not a cron', 'UTC', 'cron'],
    ['61 * * * *', 'UTC', 'cron'],
    ['0 0 30 2 *', 'UTC', 'cron'],
    ['0 6 * * *', 'Mars/Olympus', 'timeZone'],
  ])('%s in %s', (expression, zone, field) => {
    expect(cronProblem(expression, zone)?.field).toBe(field);
  });

  it('says what is wrong in a DBA\'s words: the field count, a seconds field, a value out of range', () => {
    expect(cronProblem('61 * * *', 'UTC')?.message).toBe('must have 5 fields (minute hour day-of-month month day-of-week), e.g. "0 2 * * *" for 02:00 every day; it has 4');
    expect(cronProblem('*/5 * * * * *', 'UTC')?.message).toContain('has a seconds field: schedules fire at most once a minute');
    expect(cronProblem('61 * * * *', 'UTC')?.message).toMatch(/^is not a valid cron expression \(.*61.*\)$/);
  });
});
