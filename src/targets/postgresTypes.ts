/**
 * Column metadata of a pg result: the type OID to its name (common built-in types; anything
 * else is looked up in pg_type on the same connection), the type modifier to length, precision
 * and scale. pg does not say whether a result column is nullable, so every column is.
 */
import { types as pgTypes, type FieldDef } from 'pg';
import type { ColumnInfo } from './driver';

export const POSTGRES_TYPE_NAMES: Readonly<Record<number, string>> = {
  16: 'bool',
  17: 'bytea',
  18: 'char',
  19: 'name',
  20: 'int8',
  21: 'int2',
  23: 'int4',
  25: 'text',
  26: 'oid',
  114: 'json',
  142: 'xml',
  650: 'cidr',
  700: 'float4',
  701: 'float8',
  790: 'money',
  829: 'macaddr',
  869: 'inet',
  1000: '_bool',
  1005: '_int2',
  1007: '_int4',
  1009: '_text',
  1015: '_varchar',
  1016: '_int8',
  1021: '_float4',
  1022: '_float8',
  1042: 'bpchar',
  1043: 'varchar',
  1082: 'date',
  1083: 'time',
  1114: 'timestamp',
  1115: '_timestamp',
  1182: '_date',
  1183: '_time',
  1184: 'timestamptz',
  1185: '_timestamptz',
  1186: 'interval',
  1187: '_interval',
  1231: '_numeric',
  1266: 'timetz',
  1560: 'bit',
  1562: 'varbit',
  1700: 'numeric',
  2950: 'uuid',
  2951: '_uuid',
  3802: 'jsonb',
};

const VARHDRSZ = 4;

/** Length, precision and scale encoded in a type modifier (-1: none). */
export function decodeTypeModifier(type: string, typmod: number): Pick<ColumnInfo, 'length' | 'precision' | 'scale'> {
  if (typmod < 0) return {};
  switch (type) {
    case 'varchar':
    case 'bpchar':
      return typmod >= VARHDRSZ ? { length: typmod - VARHDRSZ } : {};
    case 'bit':
    case 'varbit':
      return { length: typmod };
    case 'numeric': {
      if (typmod < VARHDRSZ) return {};
      const t = typmod - VARHDRSZ;
      // Since PostgreSQL 15 the scale is an 11-bit signed number (negative scales round left of the point).
      const rawScale = t & 0x7ff;
      return { precision: (t >> 16) & 0xffff, scale: rawScale > 0x3ff ? rawScale - 0x800 : rawScale };
    }
    case 'time':
    case 'timetz':
    case 'timestamp':
    case 'timestamptz':
      return { precision: typmod };
    case 'interval':
      return (typmod & 0xffff) !== 0xffff ? { precision: typmod & 0xffff } : {};
    default:
      return {};
  }
}

export function postgresColumnInfo(field: Pick<FieldDef, 'name' | 'dataTypeID' | 'dataTypeModifier'>, typeName?: string): ColumnInfo {
  const type = typeName ?? POSTGRES_TYPE_NAMES[field.dataTypeID] ?? 'unknown';
  return { name: field.name, type, ...decodeTypeModifier(type, field.dataTypeModifier), nullable: true };
}

/**
 * Types whose values pg would hand over in a lossy JavaScript form, by OID: `Date` for date,
 * timestamp and timestamptz (milliseconds only, and date and timestamp read in the host's time
 * zone, where a spring-forward 02:30 does not exist), a PostgresInterval object for interval,
 * numbers for numeric arrays. Their values are kept as the server's own text instead, and the
 * destination parses that text (src/results/exactValues.ts). numeric, int8, time and timetz
 * are text in pg already; they are listed so the rule does not hang on pg's defaults.
 */
export const EXACT_TEXT_OIDS: ReadonlySet<number> = new Set([
  20, // int8
  790, // money
  1082, // date
  1083, // time
  1114, // timestamp
  1184, // timestamptz
  1186, // interval
  1266, // timetz
  1700, // numeric
]);

/** Arrays of the types above: parsed into arrays of the elements' text. */
export const EXACT_TEXT_ARRAY_OIDS: ReadonlySet<number> = new Set([
  1016, // _int8
  791, // _money
  1182, // _date
  1183, // _time
  1115, // _timestamp
  1185, // _timestamptz
  1187, // _interval
  1270, // _timetz
  1231, // _numeric
]);

type TypeParser = (value: string) => unknown;

/**
 * pg's per-query `types` for result sets of users' scripts: the parsers pg would use, except for
 * the types above. Per query, never pg's global parsers: the control database may use pg too.
 */
export function exactResultTypes(types: typeof import('pg').types): { getTypeParser: (oid: number, format?: 'text' | 'binary') => TypeParser } {
  const text: TypeParser = (value) => value;
  // pg-types 2 exports `arrayParser.create(...).parse()`, its typings (and pg-types 4) a plain function.
  const arrays = types.arrayParser as unknown as ((source: string, transform: TypeParser) => unknown[]) | { create(source: string, transform: TypeParser): { parse(): unknown[] } };
  const textArray: TypeParser = (value) => (typeof arrays === 'function' ? arrays(value, text) : arrays.create(value, text).parse());
  return {
    getTypeParser(oid, format) {
      if (format !== 'binary' && EXACT_TEXT_OIDS.has(oid)) return text;
      if (format !== 'binary' && EXACT_TEXT_ARRAY_OIDS.has(oid)) return textArray;
      return types.getTypeParser(oid, format ?? 'text') as TypeParser;
    },
  };
}

/** exactResultTypes over pg's own parsers: what the PostgreSQL driver passes with each script batch. */
export const EXACT_RESULT_TYPES = exactResultTypes(pgTypes);
