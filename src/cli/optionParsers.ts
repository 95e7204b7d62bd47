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

/** Short duration units and their place in an ISO 8601 duration. */
const DURATION_UNITS: Record<string, { iso: 'S' | 'M' | 'H' | 'D' | 'W'; time: boolean }> = {
  s: { iso: 'S', time: true },
  sec: { iso: 'S', time: true },
  second: { iso: 'S', time: true },
  seconds: { iso: 'S', time: true },
  m: { iso: 'M', time: true },
  min: { iso: 'M', time: true },
  minute: { iso: 'M', time: true },
  minutes: { iso: 'M', time: true },
  h: { iso: 'H', time: true },
  hour: { iso: 'H', time: true },
  hours: { iso: 'H', time: true },
  d: { iso: 'D', time: false },
  day: { iso: 'D', time: false },
  days: { iso: 'D', time: false },
  w: { iso: 'W', time: false },
  week: { iso: 'W', time: false },
  weeks: { iso: 'W', time: false },
};

const DURATION_HELP = 'must be a duration: 30s, 15m, 2h, 1d, 1w, or ISO 8601 (PT30S, PT15M, P1D); months and years have no fixed length.';

/**
 * The one duration rule of every CLI option: `3s`, `15m`, `2h`, `1d`, `1w` (and `1.5h`,
 * `15 minutes`) or ISO 8601 (`PT3S`). Returns the ISO 8601 form the API takes.
 * Throws InvalidArgumentError (commander's usage error) for anything else.
 */
export function isoDuration(text: string): string {
  const trimmed = text.trim();
  if (/^P/i.test(trimmed)) {
    const iso = trimmed.toUpperCase();
    if (parseDuration(iso) === undefined) throw new InvalidArgumentError(DURATION_HELP);
    return iso;
  }
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/i.exec(trimmed);
  const unit = m ? DURATION_UNITS[m[2].toLowerCase()] : undefined;
  if (!m || !unit) throw new InvalidArgumentError(DURATION_HELP);
  return `P${unit.time ? 'T' : ''}${m[1]}${unit.iso}`;
}

/** Milliseconds of a duration option, by the rule of isoDuration. */
export function durationMs(text: string): number {
  return parseDuration(isoDuration(text))!;
}

/**
 * The one timestamp rule of every CLI option: ISO 8601 with a zone, `2026-12-01T02:00:00Z` or
 * `2026-12-01T02:00:00+01:00`. A time without a zone is refused rather than guessed (the
 * machine's zone and the server's may differ). Returns the text as given.
 */
export function timestamp(text: string): string {
  const trimmed = text.trim();
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?$/i.exec(trimmed);
  if (!m) throw new InvalidArgumentError('must be an ISO 8601 time with a zone, such as 2026-12-01T02:00:00Z.');
  if (!m[3]) throw new InvalidArgumentError(`has no zone: add a zone offset or Z, e.g. ${m[1]}T${m[2]}Z (UTC) or ${m[1]}T${m[2]}+01:00.`);
  const iso = `${m[1]}T${m[2]}${m[3].toUpperCase()}`;
  if (Number.isNaN(Date.parse(iso))) throw new InvalidArgumentError('is not a real time (check the month, day and hour).');
  return iso;
}

/**
 * A time for a window over the past (`execution list --since`): a timestamp by the rule above,
 * or a duration by the rule of isoDuration meaning that long before now (`1h`, `P1D`).
 */
export function timeOrAgo(text: string): string {
  let ms: number | undefined;
  try {
    ms = durationMs(text);
  } catch {
    return timestamp(text);
  }
  return new Date(Date.now() - ms).toISOString();
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
