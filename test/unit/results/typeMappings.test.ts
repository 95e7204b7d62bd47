import { mapColumnType, TYPE_MAPPINGS } from '../../../src/results/typeMappings';
import type { Engine } from '../../../src/domain/schemas/common';
import type { ColumnInfo } from '../../../src/targets/driver';

const col = (type: string, extra: Partial<ColumnInfo> = {}): ColumnInfo => ({ name: 'c', type, nullable: true, ...extra });
const ddl = (source: Engine, destination: Engine, column: ColumnInfo) => mapColumnType(source, destination, column).ddl;

describe('type mappings', () => {
  it('has a table for every pair of engines', () => {
    expect(Object.keys(TYPE_MAPPINGS).sort()).toEqual(
      ['postgres->postgres', 'postgres->sqlite', 'postgres->sqlserver', 'sqlite->postgres', 'sqlite->sqlite', 'sqlite->sqlserver', 'sqlserver->postgres', 'sqlserver->sqlite', 'sqlserver->sqlserver'].sort(),
    );
  });

  describe('sqlserver -> sqlserver keeps the declared type', () => {
    it.each([
      [col('nvarchar', { length: -1 }), 'nvarchar(max)'],
      [col('nvarchar', { length: 50 }), 'nvarchar(50)'],
      [col('varchar', { length: 20 }), 'varchar(20)'],
      [col('decimal', { precision: 18, scale: 4 }), 'decimal(18,4)'],
      [col('datetime2', { scale: 3 }), 'datetime2(3)'],
      [col('uniqueidentifier'), 'uniqueidentifier'],
      [col('varbinary', { length: -1 }), 'varbinary(max)'],
      [col('varbinary', { length: 16 }), 'varbinary(16)'],
      [col('bit'), 'bit'],
      [col('money'), 'money'],
      [col('ntext'), 'nvarchar(max)'],
      [col('timestamp'), 'varbinary(max)'],
      [col('geography'), 'nvarchar(max)'],
    ])('%j -> %s', (column, expected) => expect(ddl('sqlserver', 'sqlserver', column)).toBe(expected));
  });

  describe('sqlserver -> postgres', () => {
    it.each([
      [col('nvarchar', { length: -1 }), 'text'],
      [col('nvarchar', { length: 50 }), 'varchar(50)'],
      [col('nchar', { length: 10 }), 'char(10)'],
      [col('decimal', { precision: 18, scale: 4 }), 'numeric(18,4)'],
      [col('money'), 'numeric(19,4)'],
      [col('datetime2', { scale: 7 }), 'timestamp(6)'],
      [col('datetime2', { scale: 3 }), 'timestamp(3)'],
      [col('datetime'), 'timestamp(3)'],
      [col('datetimeoffset', { scale: 7 }), 'timestamptz(6)'],
      [col('uniqueidentifier'), 'uuid'],
      [col('varbinary', { length: -1 }), 'bytea'],
      [col('bit'), 'boolean'],
      [col('tinyint'), 'smallint'],
      [col('int'), 'integer'],
      [col('bigint'), 'bigint'],
      [col('float'), 'double precision'],
      [col('real'), 'real'],
      [col('date'), 'date'],
      [col('time', { scale: 7 }), 'time(6)'],
      [col('xml'), 'text'],
    ])('%j -> %s', (column, expected) => expect(ddl('sqlserver', 'postgres', column)).toBe(expected));
  });

  describe('postgres -> sqlserver', () => {
    it.each([
      [col('text'), 'nvarchar(max)'],
      [col('varchar', { length: 50 }), 'nvarchar(50)'],
      [col('varchar', { length: 9000 }), 'nvarchar(max)'],
      [col('numeric', { precision: 10, scale: 2 }), 'decimal(10,2)'],
      [col('numeric'), 'decimal(38,10)'],
      [col('numeric', { precision: 60, scale: 20 }), 'decimal(38,10)'],
      [col('timestamp', { precision: 3 }), 'datetime2(3)'],
      [col('timestamp'), 'datetime2(7)'],
      [col('timestamptz'), 'datetimeoffset(7)'],
      [col('uuid'), 'uniqueidentifier'],
      [col('bytea'), 'varbinary(max)'],
      [col('bool'), 'bit'],
      [col('int8'), 'bigint'],
      [col('jsonb'), 'nvarchar(max)'],
      [col('_int4'), 'nvarchar(max)'],
      [col('interval'), 'nvarchar(max)'],
      [col('unknown'), 'nvarchar(max)'],
    ])('%j -> %s', (column, expected) => expect(ddl('postgres', 'sqlserver', column)).toBe(expected));
  });

  describe('postgres -> postgres keeps the declared type', () => {
    it.each([
      [col('varchar', { length: 10 }), 'varchar(10)'],
      [col('numeric', { precision: 10, scale: 2 }), 'numeric(10,2)'],
      [col('numeric'), 'numeric'],
      [col('timestamp', { precision: 3 }), 'timestamp(3)'],
      [col('int4'), 'int4'],
      [col('jsonb'), 'jsonb'],
      [col('_int4'), 'int4[]'],
      [col('inet'), 'inet'],
      [col('mood'), 'text'],
      [col('char'), 'text'],
    ])('%j -> %s', (column, expected) => expect(ddl('postgres', 'postgres', column)).toBe(expected));
  });

  describe('postgres -> sqlite', () => {
    it.each([
      [col('int4'), 'integer'],
      [col('bool'), 'integer'],
      [col('numeric', { precision: 10, scale: 2 }), 'text'],
      [col('float8'), 'real'],
      [col('varchar', { length: 10 }), 'text'],
      [col('timestamptz'), 'text'],
      [col('uuid'), 'text'],
      [col('bytea'), 'blob'],
      [col('jsonb'), 'text'],
    ])('%j -> %s', (column, expected) => expect(ddl('postgres', 'sqlite', column)).toBe(expected));
  });

  describe('sqlite -> postgres (by affinity)', () => {
    it.each([
      [col('integer'), 'bigint'],
      [col('bigint'), 'bigint'],
      [col('varchar(10)'), 'text'],
      [col('text'), 'text'],
      [col('blob'), 'bytea'],
      [col('real'), 'double precision'],
      [col('double'), 'double precision'],
      [col('numeric(10,2)'), 'numeric(10,2)'],
      [col('decimal'), 'numeric'],
      [col('boolean'), 'boolean'],
      [col('datetime'), 'text'],
      [col(''), 'text'],
    ])('%j -> %s', (column, expected) => expect(ddl('sqlite', 'postgres', column)).toBe(expected));

    it('marks a column of unknown type, so no existing table is refused for it', () => {
      expect(mapColumnType('sqlite', 'postgres', col('')).unknown).toBe(true);
      expect(mapColumnType('sqlite', 'postgres', col('integer')).unknown).toBe(false);
    });
  });

  describe('sqlite -> sqlite keeps a plain declared type', () => {
    it.each([
      [col('integer'), 'integer'],
      [col('varchar(10)'), 'varchar(10)'],
      [col('numeric(10, 2)'), 'numeric(10, 2)'],
      [col(''), ''],
      [col('weird"); DROP TABLE x; --'), 'text'],
    ])('%j -> %j', (column, expected) => expect(ddl('sqlite', 'sqlite', column)).toBe(expected));
  });

  describe('sqlite -> sqlserver and sqlserver -> sqlite', () => {
    it.each([
      ['sqlite', 'sqlserver', col('integer'), 'bigint'],
      ['sqlite', 'sqlserver', col('text'), 'nvarchar(max)'],
      ['sqlite', 'sqlserver', col('blob'), 'varbinary(max)'],
      ['sqlserver', 'sqlite', col('nvarchar', { length: 5 }), 'text'],
      ['sqlserver', 'sqlite', col('decimal', { precision: 5, scale: 2 }), 'text'],
      ['sqlserver', 'sqlite', col('datetime2', { scale: 7 }), 'text'],
      ['sqlserver', 'sqlite', col('bit'), 'integer'],
    ] as const)('%s -> %s %j -> %s', (source, destination, column, expected) => expect(ddl(source, destination, column)).toBe(expected));
  });
});
