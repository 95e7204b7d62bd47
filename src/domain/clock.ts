/** Time is an input: everything that reads the time takes a Clock, so tests control it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** ISO 8601 UTC with milliseconds, the only timestamp format of the API and the control DB. */
export function isoTimestamp(date: Date): string {
  return date.toISOString();
}

/** `now` (ISO 8601 UTC) when it is later than `previous`, else `previous` plus one millisecond: a version stamp that never repeats. */
export function strictlyAfter(now: string, previous: string): string {
  return now > previous ? now : new Date(Date.parse(previous) + 1).toISOString();
}
