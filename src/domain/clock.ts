/** Time is an input: everything that reads the time takes a Clock, so tests control it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** ISO 8601 UTC with milliseconds, the only timestamp format of the API and the control DB. */
export function isoTimestamp(date: Date): string {
  return date.toISOString();
}
