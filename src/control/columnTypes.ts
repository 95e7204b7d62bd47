/**
 * The column types migrations use, per dialect: the only place that knows SQL Server wants
 * nvarchar for Unicode names and nvarchar(max) for long text (Kysely takes those only as raw
 * fragments), while PostgreSQL and SQLite take varchar/text.
 */
import { sql, type Expression } from 'kysely';
import type { ControlDialect } from './connection';

type DataType = Parameters<import('kysely').CreateTableBuilder<string, never>['addColumn']>[1];

export interface ColumnTypes {
  /** Unicode string up to n characters (names, server names). */
  string(n: number): DataType;
  /** Unbounded text (scripts, messages, JSON). */
  text: DataType;
  /** ISO 8601 UTC timestamp stored as fixed-width text. */
  timestamp: DataType;
  /** UUID as lower-case text. */
  id: DataType;
  integer: DataType;
  double: DataType;
}

export function columnTypes(dialect: ControlDialect): ColumnTypes {
  const raw = (s: string) => sql.raw(s) as unknown as Expression<unknown>;
  if (dialect === 'mssql') {
    return {
      string: (n) => raw(`nvarchar(${n})`),
      text: raw('nvarchar(max)'),
      timestamp: raw('varchar(30)'),
      id: raw('varchar(36)'),
      integer: 'integer',
      double: raw('float'),
    };
  }
  return {
    string: (n) => raw(`varchar(${n})`),
    text: 'text',
    timestamp: raw('varchar(30)'),
    id: raw('varchar(36)'),
    integer: 'integer',
    double: dialect === 'sqlite' ? 'real' : 'double precision',
  };
}
