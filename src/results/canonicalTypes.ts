/**
 * What a result column holds, in words every engine can render: the bridge between one
 * engine's column metadata and another engine's column types. Read from each source engine's
 * type names here; written as each destination's DDL in destinationTypes.ts.
 */
import type { ColumnInfo } from '../targets/driver';

export type CanonicalType =
  | { kind: 'boolean' }
  | { kind: 'int'; bytes: 2 | 4 | 8 }
  | { kind: 'decimal'; precision?: number; scale?: number }
  | { kind: 'float'; bytes: 4 | 8 }
  /** `length` undefined: unbounded (max). */
  | { kind: 'string'; length?: number; fixed?: boolean }
  | { kind: 'binary'; length?: number; fixed?: boolean }
  | { kind: 'date' }
  | { kind: 'time'; precision?: number }
  | { kind: 'timestamp'; precision?: number; withTimeZone: boolean }
  | { kind: 'uuid' }
  /** Arrays and documents, written as JSON text where the destination has no such type. */
  | { kind: 'json' }
  /** The source could not tell (a SQLite expression with no value): written as text, and never a reason to refuse a table. */
  | { kind: 'unknown' };

const bounded = (length: number | undefined) => (length === undefined || length < 0 ? undefined : length);

export function fromSqlServer(column: ColumnInfo): CanonicalType {
  switch (column.type) {
    case 'bit':
      return { kind: 'boolean' };
    case 'tinyint':
    case 'smallint':
      return { kind: 'int', bytes: 2 };
    case 'int':
      return { kind: 'int', bytes: 4 };
    case 'bigint':
      return { kind: 'int', bytes: 8 };
    case 'decimal':
    case 'numeric':
      return { kind: 'decimal', precision: column.precision, scale: column.scale };
    case 'money':
      return { kind: 'decimal', precision: 19, scale: 4 };
    case 'smallmoney':
      return { kind: 'decimal', precision: 10, scale: 4 };
    case 'real':
      return { kind: 'float', bytes: 4 };
    case 'float':
      return { kind: 'float', bytes: 8 };
    case 'char':
    case 'nchar':
      return { kind: 'string', length: bounded(column.length), fixed: true };
    case 'varchar':
    case 'nvarchar':
      return { kind: 'string', length: bounded(column.length) };
    case 'binary':
      return { kind: 'binary', length: bounded(column.length), fixed: true };
    case 'varbinary':
      return { kind: 'binary', length: bounded(column.length) };
    case 'image':
    case 'timestamp': // rowversion
      return { kind: 'binary' };
    case 'date':
      return { kind: 'date' };
    case 'time':
      return { kind: 'time', precision: column.scale };
    case 'datetime':
      return { kind: 'timestamp', precision: 3, withTimeZone: false };
    case 'smalldatetime':
      return { kind: 'timestamp', precision: 0, withTimeZone: false };
    case 'datetime2':
      return { kind: 'timestamp', precision: column.scale, withTimeZone: false };
    case 'datetimeoffset':
      return { kind: 'timestamp', precision: column.scale, withTimeZone: true };
    case 'uniqueidentifier':
      return { kind: 'uuid' };
    case 'json':
      return { kind: 'json' };
    default:
      // text, ntext, xml, sql_variant, geography, geometry, hierarchyid...: their text form.
      return { kind: 'string' };
  }
}

export function fromPostgres(column: ColumnInfo): CanonicalType {
  if (column.type.startsWith('_')) return { kind: 'json' }; // arrays
  switch (column.type) {
    case 'bool':
      return { kind: 'boolean' };
    case 'int2':
      return { kind: 'int', bytes: 2 };
    case 'int4':
      return { kind: 'int', bytes: 4 };
    case 'int8':
    case 'oid':
      return { kind: 'int', bytes: 8 };
    case 'numeric':
      return { kind: 'decimal', precision: column.precision, scale: column.scale };
    case 'float4':
      return { kind: 'float', bytes: 4 };
    case 'float8':
      return { kind: 'float', bytes: 8 };
    case 'bpchar':
      return { kind: 'string', length: bounded(column.length), fixed: true };
    case 'varchar':
      return { kind: 'string', length: bounded(column.length) };
    case 'bytea':
      return { kind: 'binary' };
    case 'date':
      return { kind: 'date' };
    case 'time':
      return { kind: 'time', precision: column.precision };
    case 'timestamp':
      return { kind: 'timestamp', precision: column.precision, withTimeZone: false };
    case 'timestamptz':
      return { kind: 'timestamp', precision: column.precision, withTimeZone: true };
    case 'uuid':
      return { kind: 'uuid' };
    case 'json':
    case 'jsonb':
      return { kind: 'json' };
    case 'unknown':
      return { kind: 'unknown' };
    default:
      // text, name, money (formatted by locale), interval, timetz, inet, enums...: their text form.
      return { kind: 'string' };
  }
}

/** SQLite's own affinity rules (https://sqlite.org/datatype3.html 3.1), with booleans and sized decimals kept. */
export function fromSqlite(column: ColumnInfo): CanonicalType {
  const type = column.type.toLowerCase().trim();
  if (type === '') return { kind: 'unknown' };
  if (type === 'bool' || type === 'boolean') return { kind: 'boolean' };
  if (type.includes('int')) return { kind: 'int', bytes: 8 };
  if (/char|clob|text/.test(type)) return { kind: 'string' };
  if (type.includes('blob')) return { kind: 'binary' };
  if (/real|floa|doub/.test(type)) return { kind: 'float', bytes: 8 };
  const decimal = /^(?:numeric|decimal)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?$/.exec(type);
  if (decimal) return { kind: 'decimal', precision: decimal[1] ? Number(decimal[1]) : undefined, scale: decimal[1] ? Number(decimal[2] ?? 0) : undefined };
  // NUMERIC affinity holds anything in practice (dates as text, numbers as numbers): text is the safe sink.
  return { kind: 'string' };
}
