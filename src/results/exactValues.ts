/**
 * Result values on their way from a source engine to a destination engine, exactly: no value
 * passes through a lossy JavaScript type, and the destination parses each value from text in its
 * own column type. One rule per engine pair, composed of what the source driver hands over and
 * what the destination needs, all here:
 *
 * - PostgreSQL sources hand over date, time, timestamp, timestamptz, interval, numeric, money and
 *   int8 (and their arrays) as the server's own text (postgresTypes.ts EXACT_TEXT_OIDS); nothing
 *   more to do here. Its text is read with the source's DateStyle (ISO on every default install).
 * - SQL Server sources: tedious hands temporal values over as a Date (read as UTC, mssql's
 *   default `useUTC`) plus `nanosecondsDelta` for the digits past the millisecond (tedious
 *   lib/value-parser.js); they are written back as SQL Server prints them (`2027-03-27
 *   21:00:00.1234567`, `+00:00` for datetimeoffset, whose offset tedious does not keep).
 *   decimal and money arrive as JavaScript numbers: tedious has no text form for them, so past 15
 *   significant digits a SQL Server source is not exact (a known limit, README).
 * - SQLite sources hand over integers past 2^53 as bigint (sqliteAttemptProcess.ts).
 * - PostgreSQL destinations take text as untyped parameters, parsed by the column's own input
 *   function (a `timestamp` column reads `2027-03-28 02:30:00` as it is, in any host time zone).
 * - SQL Server destinations take text as nvarchar, converted to the column's type; dates and
 *   timestamps are written in the ISO 8601 form SQL Server reads the same under every
 *   SET LANGUAGE / DATEFORMAT (`2027-03-27T21:00:00.123456+00:00`: a `T`, offsets as ±hh:mm).
 * - SQLite destinations keep the text as it came (columns of these types are TEXT there).
 */
import type { Engine } from '../domain/schemas/common';
import type { DestinationColumn } from './destinationColumns';
import { canonicalOf, type EnginePair } from './typeMappings';

type Rule = (value: unknown, column: DestinationColumn) => unknown;

const asIs: Rule = (value) => value;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** tedious' Date of a SQL Server temporal value, as SQL Server prints it (CONVERT style 121 / datetimeoffset's own form). */
export function sqlServerTemporalText(value: Date & { nanosecondsDelta?: number }, type: string, scale?: number): string {
  const date = `${pad(value.getUTCFullYear(), 4)}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())}`;
  if (type === 'date') return date;
  const hundredNanoseconds = value.getUTCMilliseconds() * 10_000 + Math.round((value.nanosecondsDelta ?? 0) * 1e7);
  const digits = type === 'datetime' ? 3 : type === 'smalldatetime' ? 0 : (scale ?? 7);
  const fraction = digits > 0 ? `.${pad(hundredNanoseconds, 7).slice(0, digits)}` : '';
  const time = `${pad(value.getUTCHours())}:${pad(value.getUTCMinutes())}:${pad(value.getUTCSeconds())}${fraction}`;
  if (type === 'time') return time;
  return type === 'datetimeoffset' ? `${date} ${time} +00:00` : `${date} ${time}`;
}

const fromSqlServer: Rule = (value, column) => (value instanceof Date ? sqlServerTemporalText(value, column.source.type, column.source.scale) : value);

// `2027-03-27 21:00:00.123456+00`, `2027-03-27 21:00:00.1234567 +00:00`, `2027-03-27 10:00:00`.
const TIMESTAMP_TEXT = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)(?: ?([+-]\d{2})(?::?(\d{2}))?)?$/;

/** A date or timestamp in the ISO 8601 form SQL Server converts the same under every language; anything else as it is. */
export function sqlServerTemporalInput(text: string): string {
  const m = TIMESTAMP_TEXT.exec(text);
  if (!m) return text;
  const [, date, time, offsetHours, offsetMinutes] = m;
  return `${date}T${time}${offsetHours ? `${offsetHours}:${offsetMinutes ?? '00'}` : ''}`;
}

const toSqlServer: Rule = (value, column) => {
  if (typeof value !== 'string') return value;
  const kind = canonicalOf(column.sourceEngine, column.source).kind;
  return kind === 'timestamp' ? sqlServerTemporalInput(value) : value;
};

const SOURCE: Record<Engine, Rule> = { postgres: asIs, sqlserver: fromSqlServer, sqlite: asIs };
const DESTINATION: Record<Engine, Rule> = { postgres: asIs, sqlserver: toSqlServer, sqlite: asIs };

const ENGINES: Engine[] = ['sqlserver', 'postgres', 'sqlite'];

/** Every pair's rule: the source's hand-over, then the destination's input form. */
export const EXACT_VALUE_RULES: Readonly<Record<EnginePair, Rule>> = Object.fromEntries(
  ENGINES.flatMap((s) => ENGINES.map((d) => [`${s}->${d}`, (value: unknown, column: DestinationColumn) => DESTINATION[d](SOURCE[s](value, column), column)])),
) as Record<EnginePair, Rule>;

/** A result value as the destination's writer takes it (null stays null). */
export function exactValue(source: Engine, destination: Engine, value: unknown, column: DestinationColumn): unknown {
  if (value === null || value === undefined) return value;
  return EXACT_VALUE_RULES[`${source}->${destination}`](value, column);
}
