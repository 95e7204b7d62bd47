/** A canonical column type as each destination engine declares it. */
import type { CanonicalType } from './canonicalTypes';

const clamp = (value: number | undefined, max: number) => (value === undefined ? undefined : Math.min(value, max));

export function toPostgresType(t: CanonicalType): string {
  switch (t.kind) {
    case 'boolean':
      return 'boolean';
    case 'int':
      return t.bytes === 2 ? 'smallint' : t.bytes === 4 ? 'integer' : 'bigint';
    case 'decimal':
      return t.precision ? `numeric(${clamp(t.precision, 1000)},${Math.max(0, t.scale ?? 0)})` : 'numeric';
    case 'float':
      return t.bytes === 4 ? 'real' : 'double precision';
    case 'string':
      if (t.length === undefined || t.length > 10_485_760) return 'text';
      return t.fixed ? `char(${Math.max(1, t.length)})` : `varchar(${Math.max(1, t.length)})`;
    case 'binary':
      return 'bytea';
    case 'date':
      return 'date';
    case 'time':
      return t.precision === undefined ? 'time' : `time(${clamp(t.precision, 6)})`;
    case 'timestamp': {
      const base = t.withTimeZone ? 'timestamptz' : 'timestamp';
      return t.precision === undefined ? base : `${base}(${clamp(t.precision, 6)})`;
    }
    case 'uuid':
      return 'uuid';
    case 'json':
      return 'jsonb';
    case 'unknown':
      return 'text';
  }
}

/**
 * Type names with a clean affinity (INTEGER, REAL, TEXT, BLOB). An unknown type gets no type at
 * all, so SQLite keeps each value as it comes instead of turning numbers into text. A decimal is
 * TEXT: NUMERIC affinity would turn `9999999999999999999999999999.9999999999` into a REAL of 15
 * significant digits (https://sqlite.org/datatype3.html 3.0), so the digits are kept as text.
 */
export function toSqliteType(t: CanonicalType): string {
  switch (t.kind) {
    case 'unknown':
      return '';
    case 'boolean':
    case 'int':
      return 'integer';
    case 'float':
      return 'real';
    case 'binary':
      return 'blob';
    default:
      return 'text';
  }
}

const SQLSERVER_MAX_DECIMAL = 38;

function sqlServerDecimal(precision: number | undefined, scale: number | undefined): string {
  // An unconstrained PostgreSQL numeric (avg, sum of numerics) has no SQL Server equivalent: 38 digits, 10 after the point.
  if (!precision) return `decimal(${SQLSERVER_MAX_DECIMAL},10)`;
  const s = Math.max(0, scale ?? 0);
  if (precision > SQLSERVER_MAX_DECIMAL) return `decimal(${SQLSERVER_MAX_DECIMAL},${Math.min(s, 10)})`;
  return `decimal(${precision},${Math.min(s, precision)})`;
}

export function toSqlServerType(t: CanonicalType): string {
  switch (t.kind) {
    case 'boolean':
      return 'bit';
    case 'int':
      return t.bytes === 2 ? 'smallint' : t.bytes === 4 ? 'int' : 'bigint';
    case 'decimal':
      return sqlServerDecimal(t.precision, t.scale);
    case 'float':
      return t.bytes === 4 ? 'real' : 'float';
    case 'string':
      if (t.length === undefined || t.length > 4000) return 'nvarchar(max)';
      return `${t.fixed ? 'nchar' : 'nvarchar'}(${Math.max(1, t.length)})`;
    case 'binary':
      if (t.length === undefined || t.length > 8000) return 'varbinary(max)';
      return `${t.fixed ? 'binary' : 'varbinary'}(${Math.max(1, t.length)})`;
    case 'date':
      return 'date';
    case 'time':
      return `time(${clamp(t.precision, 7) ?? 7})`;
    case 'timestamp':
      return `${t.withTimeZone ? 'datetimeoffset' : 'datetime2'}(${clamp(t.precision, 7) ?? 7})`;
    case 'uuid':
      return 'uniqueidentifier';
    case 'json':
    case 'unknown':
      return 'nvarchar(max)';
  }
}
