/**
 * Source column -> destination column type, one table per pair of engines. Between two
 * different engines the type goes through its canonical form (canonicalTypes.ts); within one
 * engine the native type is kept as it was declared (sizes, precision, arrays), except what
 * cannot be created or inserted into (rowversion, user-defined types), which takes the
 * canonical road.
 */
import type { Engine } from '../domain/schemas/common';
import type { ColumnInfo } from '../targets/driver';
import { POSTGRES_TYPE_NAMES } from '../targets/postgresTypes';
import { fromPostgres, fromSqlite, fromSqlServer, type CanonicalType } from './canonicalTypes';
import { toPostgresType, toSqliteType, toSqlServerType } from './destinationTypes';

export interface MappedType {
  /** The column type in the destination's DDL. */
  ddl: string;
  /** The source could not tell the type: any existing column type is accepted. */
  unknown: boolean;
}

const READERS: Record<Engine, (c: ColumnInfo) => CanonicalType> = { sqlserver: fromSqlServer, postgres: fromPostgres, sqlite: fromSqlite };
const WRITERS: Record<Engine, (t: CanonicalType) => string> = { sqlserver: toSqlServerType, postgres: toPostgresType, sqlite: toSqliteType };

const POSTGRES_KEPT = new Set(Object.values(POSTGRES_TYPE_NAMES).filter((n) => n !== 'char'));
const POSTGRES_SIZED = new Set(['varchar', 'bpchar', 'bit', 'varbit']);
const POSTGRES_PRECISION = new Set(['time', 'timetz', 'timestamp', 'timestamptz']);

function nativePostgres(c: ColumnInfo): string | undefined {
  if (!POSTGRES_KEPT.has(c.type)) return undefined;
  if (c.type.startsWith('_')) return `${c.type.slice(1)}[]`;
  if (POSTGRES_SIZED.has(c.type) && c.length !== undefined && c.length > 0) return `${c.type}(${c.length})`;
  if (c.type === 'numeric' && c.precision) return `numeric(${c.precision},${c.scale ?? 0})`;
  if (POSTGRES_PRECISION.has(c.type) && c.precision !== undefined) return `${c.type}(${c.precision})`;
  return c.type;
}

const SQLSERVER_PLAIN = new Set(['bit', 'tinyint', 'smallint', 'int', 'bigint', 'money', 'smallmoney', 'real', 'float', 'date', 'datetime', 'smalldatetime', 'uniqueidentifier', 'xml', 'sql_variant']);
const SQLSERVER_SIZED = new Set(['nvarchar', 'varchar', 'nchar', 'char', 'varbinary', 'binary']);
const SQLSERVER_SCALED = new Set(['datetime2', 'time', 'datetimeoffset']);
const SQLSERVER_LEGACY: Record<string, string> = { text: 'varchar(max)', ntext: 'nvarchar(max)', image: 'varbinary(max)' };

function nativeSqlServer(c: ColumnInfo): string | undefined {
  if (SQLSERVER_PLAIN.has(c.type)) return c.type;
  if (SQLSERVER_LEGACY[c.type]) return SQLSERVER_LEGACY[c.type];
  if (SQLSERVER_SIZED.has(c.type) && c.length !== undefined) return `${c.type}(${c.length < 0 ? 'max' : Math.max(1, c.length)})`;
  if ((c.type === 'decimal' || c.type === 'numeric') && c.precision) return `${c.type}(${c.precision},${c.scale ?? 0})`;
  if (SQLSERVER_SCALED.has(c.type)) return `${c.type}(${c.scale ?? 7})`;
  return undefined;
}

/** A declared SQLite type is free text; only a plain one is copied into DDL. */
function nativeSqlite(c: ColumnInfo): string | undefined {
  return /^[a-z][a-z0-9 _]*(\(\s*\d+\s*(,\s*\d+\s*)?\))?$/i.test(c.type) ? c.type : undefined;
}

/** What a source column holds, in canonical words. */
export function canonicalOf(source: Engine, column: ColumnInfo): CanonicalType {
  return READERS[source](column);
}

const NATIVE: Record<Engine, (c: ColumnInfo) => string | undefined> = { sqlserver: nativeSqlServer, postgres: nativePostgres, sqlite: nativeSqlite };

export type EnginePair = `${Engine}->${Engine}`;

function mapping(source: Engine, destination: Engine): (c: ColumnInfo) => MappedType {
  return (column) => {
    const canonical = READERS[source](column);
    const native = source === destination ? NATIVE[source](column) : undefined;
    return { ddl: native ?? WRITERS[destination](canonical), unknown: canonical.kind === 'unknown' };
  };
}

const ENGINES: Engine[] = ['sqlserver', 'postgres', 'sqlite'];

/** Every pair: postgres->postgres, postgres->sqlite, sqlite->postgres, sqlserver->postgres, postgres->sqlserver... */
export const TYPE_MAPPINGS: Readonly<Record<EnginePair, (column: ColumnInfo) => MappedType>> = Object.fromEntries(
  ENGINES.flatMap((s) => ENGINES.map((d) => [`${s}->${d}`, mapping(s, d)])),
) as Record<EnginePair, (column: ColumnInfo) => MappedType>;

export function mapColumnType(source: Engine, destination: Engine, column: ColumnInfo): MappedType {
  return TYPE_MAPPINGS[`${source}->${destination}`](column);
}
