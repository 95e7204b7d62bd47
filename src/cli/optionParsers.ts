/**
 * Turning option text into the values the API takes. Only what must be a number or a list is
 * converted here; everything else goes to the API as typed, so its validation (and its error
 * paths) stay the one source of truth.
 */
import { InvalidArgumentError } from 'commander';
import { parseDuration } from '../domain/duration';

export function integer(text: string): number {
  if (!/^-?\d+$/.test(text.trim())) throw new InvalidArgumentError('must be a whole number.');
  return Number(text);
}

export function decimal(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('must be a number.');
  return n;
}

/** A repeatable option; commas also separate values (`--allowed-server 'a,b'`). */
export function collect(text: string, previous: string[] | undefined): string[] {
  const values = text
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  return [...(previous ?? []), ...values];
}

export function durationMs(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new InvalidArgumentError('must be an ISO 8601 duration such as PT30S, PT10M or P1D.');
  return ms;
}

const UNITS: Record<string, 'minute' | 'hour' | 'day' | 'week' | 'month'> = {
  m: 'minute',
  min: 'minute',
  minute: 'minute',
  minutes: 'minute',
  h: 'hour',
  hour: 'hour',
  hours: 'hour',
  d: 'day',
  day: 'day',
  days: 'day',
  w: 'week',
  week: 'week',
  weeks: 'week',
  mo: 'month',
  month: 'month',
  months: 'month',
};

/** `15m`, `15 minutes`, `1 hour`, `2d`, `1 month`: a schedule's interval. */
export function interval(text: string): { unit: 'minute' | 'hour' | 'day' | 'week' | 'month'; count: number } {
  const m = /^\s*(\d+)\s*([a-z]+)\s*$/i.exec(text);
  const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
  if (!m || !unit) throw new InvalidArgumentError('must be a count and a unit: 15m, 2h, 1d, 1w, 1mo (or 15 minutes, 1 month).');
  return { unit, count: Number(m[1]) };
}
