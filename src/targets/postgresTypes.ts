/**
 * Column metadata of a pg result: the type OID to its name (common built-in types; anything
 * else is looked up in pg_type on the same connection), the type modifier to length, precision
 * and scale. pg does not say whether a result column is nullable, so every column is.
 */
import type { FieldDef } from 'pg';
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
  1184: 'timestamptz',
  1186: 'interval',
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
