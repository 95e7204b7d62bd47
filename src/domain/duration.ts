/**
 * ISO 8601 durations as the API speaks them (`PT10S`, `PT0.1S`, `PT30M`, `P7D`). Stored and
 * echoed as written; converted to milliseconds only where time is computed. Years and months
 * have no fixed length, so they are refused: a job timeout of "one month" is ambiguous.
 */
const DURATION = /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

const MS = { week: 604_800_000, day: 86_400_000, hour: 3_600_000, minute: 60_000, second: 1_000 };

/** Milliseconds of an ISO 8601 duration, or undefined when the text is not one we accept. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) return undefined;
  const [, w, d, h, min, s] = m;
  const n = (v: string | undefined) => (v === undefined ? 0 : Number(v));
  const ms = n(w) * MS.week + n(d) * MS.day + n(h) * MS.hour + n(min) * MS.minute + n(s) * MS.second;
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}

export function durationMs(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new Error(`'${text}' is not an ISO 8601 duration`);
  return ms;
}

/** Shortest ISO 8601 form of a number of milliseconds, e.g. 1500 -> PT1.5S, 86400000 -> P1D. */
export function formatDuration(ms: number): string {
  if (ms <= 0) return 'PT0S';
  const days = Math.floor(ms / MS.day);
  let rest = ms - days * MS.day;
  const hours = Math.floor(rest / MS.hour);
  rest -= hours * MS.hour;
  const minutes = Math.floor(rest / MS.minute);
  rest -= minutes * MS.minute;
  const seconds = rest / 1000;
  let time = '';
  if (hours) time += `${hours}H`;
  if (minutes) time += `${minutes}M`;
  if (seconds) time += `${Number(seconds.toFixed(3))}S`;
  return `P${days ? `${days}D` : ''}${time ? `T${time}` : ''}`;
}
