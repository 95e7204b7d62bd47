/**
 * Whether an existing destination column can take a result column: both type names (the
 * catalog's and the one the writer would declare) are reduced to a broad family per engine.
 * Same family, or a text column (any value has a text form), is compatible.
 */
import type { Engine } from '../domain/schemas/common';

export type TypeFamily = 'number' | 'boolean' | 'text' | 'binary' | 'temporal' | 'uuid' | 'json' | 'array' | `other:${string}`;

const POSTGRES: Record<string, TypeFamily> = {
  smallint: 'number', integer: 'number', bigint: 'number', int: 'number', int2: 'number', int4: 'number', int8: 'number', oid: 'number',
  numeric: 'number', decimal: 'number', real: 'number', 'double precision': 'number', float4: 'number', float8: 'number',
  boolean: 'boolean', bool: 'boolean',
  text: 'text', varchar: 'text', 'character varying': 'text', char: 'text', character: 'text', bpchar: 'text', name: 'text', citext: 'text',
  bytea: 'binary',
  date: 'temporal', time: 'temporal', timetz: 'temporal', timestamp: 'temporal', timestamptz: 'temporal', interval: 'temporal',
  'time without time zone': 'temporal', 'time with time zone': 'temporal', 'timestamp without time zone': 'temporal', 'timestamp with time zone': 'temporal',
  uuid: 'uuid',
  json: 'json', jsonb: 'json',
};

const SQLSERVER: Record<string, TypeFamily> = {
  tinyint: 'number', smallint: 'number', int: 'number', bigint: 'number', decimal: 'number', numeric: 'number', money: 'number', smallmoney: 'number', real: 'number', float: 'number',
  bit: 'boolean',
  char: 'text', varchar: 'text', nchar: 'text', nvarchar: 'text', text: 'text', ntext: 'text', xml: 'text', sysname: 'text',
  binary: 'binary', varbinary: 'binary', image: 'binary',
  date: 'temporal', time: 'temporal', datetime: 'temporal', datetime2: 'temporal', smalldatetime: 'temporal', datetimeoffset: 'temporal',
  uniqueidentifier: 'uuid',
};

function bare(type: string): string {
  return type.toLowerCase().replace(/\(.*\)/, '').trim();
}

export function typeFamily(engine: Exclude<Engine, 'sqlite'>, type: string): TypeFamily {
  const t = bare(type);
  if (engine === 'postgres' && (t.startsWith('_') || t.endsWith('[]'))) return 'array';
  return (engine === 'postgres' ? POSTGRES : SQLSERVER)[t] ?? `other:${t}`;
}

export function compatible(existing: TypeFamily, wanted: TypeFamily): boolean {
  return existing === wanted || existing === 'text';
}
