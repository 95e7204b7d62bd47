/**
 * Column metadata of an mssql recordset to ColumnInfo. tedious reports the TDS length of
 * character columns in bytes (two per nvarchar character) and 0xFFFF for `max`.
 */
import type { ColumnInfo } from './driver';

/** What mssql puts in `recordset.columns` (arrayRowMode): `type` is one of its data type functions, `declaration` its T-SQL name. */
export interface MssqlColumn {
  name: string;
  type?: { declaration?: string } | null;
  length?: number;
  precision?: number;
  scale?: number;
  nullable?: boolean;
  udt?: { name?: string };
}

const TDS_MAX_LENGTH = 0xffff;
const TWO_BYTE_CHARS = new Set(['nvarchar', 'nchar']);
const SIZED = new Set(['nvarchar', 'nchar', 'varchar', 'char', 'varbinary', 'binary']);
const MAX_LENGTH_ALWAYS = new Set(['text', 'ntext', 'image', 'xml', 'json']);
const DECIMALS = new Set(['decimal', 'numeric']);
const FRACTIONAL_SECONDS = new Set(['datetime2', 'time', 'datetimeoffset']);

export function sqlServerColumnInfo(column: MssqlColumn): ColumnInfo {
  const type = (column.type?.declaration ?? column.udt?.name ?? 'sql_variant').toLowerCase();
  const info: ColumnInfo = { name: column.name ?? '', type, nullable: column.nullable ?? true };
  if (SIZED.has(type) && column.length !== undefined) {
    info.length = column.length >= TDS_MAX_LENGTH ? -1 : TWO_BYTE_CHARS.has(type) ? column.length / 2 : column.length;
  }
  if (MAX_LENGTH_ALWAYS.has(type)) info.length = -1;
  if (DECIMALS.has(type)) {
    info.precision = column.precision;
    info.scale = column.scale;
  }
  if (FRACTIONAL_SECONDS.has(type)) info.scale = column.scale;
  return info;
}
