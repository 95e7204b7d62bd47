import { describeMismatch } from '../../../src/results/resultTable';
import { destinationColumns } from '../../../src/results/destinationColumns';
import { postgresResultWriter } from '../../../src/results/postgresResultWriter';
import { sqliteResultWriter } from '../../../src/results/sqliteResultWriter';
import { sqlServerResultWriter } from '../../../src/results/sqlServerResultWriter';
import type { ResultSet } from '../../../src/targets/driver';

const internal = [
  { name: 'internal_execution_id', type: 'uuid' },
  { name: 'source_server', type: 'varchar' },
  { name: 'source_database', type: 'varchar' },
];
const pgResult: ResultSet = {
  engine: 'postgres',
  columns: [
    { name: 'id', type: 'int4', nullable: true },
    { name: 'price', type: 'numeric', precision: 10, scale: 2, nullable: true },
  ],
  rows: [],
};

describe('describeMismatch', () => {
  const wanted = destinationColumns(pgResult, 'postgres');

  it('accepts a table with the same columns and type families', () => {
    expect(describeMismatch(postgresResultWriter, [{ name: 'id', type: 'int8' }, { name: 'price', type: 'numeric' }, ...internal], wanted)).toBeUndefined();
  });

  it('accepts a text column for any result type', () => {
    expect(describeMismatch(postgresResultWriter, [{ name: 'id', type: 'text' }, { name: 'price', type: 'varchar' }, ...internal], wanted)).toBeUndefined();
  });

  it('names missing, extra and differently typed columns', () => {
    expect(describeMismatch(postgresResultWriter, [{ name: 'id', type: 'bool' }, { name: 'other', type: 'int4' }, ...internal.slice(0, 2)], wanted)).toBe(
      'missing columns: price, source_database; extra columns: other; different types: id (table: bool, result: int4)',
    );
  });

  it('compares names without case on SQL Server, with case on PostgreSQL', () => {
    const sqlServerWanted = destinationColumns({ ...pgResult, engine: 'sqlserver', columns: [{ name: 'Id', type: 'int', nullable: true }] }, 'sqlserver');
    const sqlServerInternal = [{ name: 'INTERNAL_EXECUTION_ID', type: 'uniqueidentifier' }, { name: 'source_server', type: 'nvarchar' }, { name: 'source_database', type: 'nvarchar' }];
    expect(describeMismatch(sqlServerResultWriter, [{ name: 'ID', type: 'bigint' }, ...sqlServerInternal], sqlServerWanted)).toBeUndefined();
    expect(describeMismatch(postgresResultWriter, [{ name: 'ID', type: 'int4' }, { name: 'price', type: 'numeric' }, ...internal], wanted)).toContain('missing columns: id');
  });

  it('checks only names on SQLite, which keeps any value in any column', () => {
    const sqliteWanted = destinationColumns(pgResult, 'sqlite');
    expect(describeMismatch(sqliteResultWriter, [{ name: 'id', type: 'text' }, { name: 'price', type: 'blob' }, ...internal], sqliteWanted)).toBeUndefined();
  });

  it('never refuses a table for a column whose type the source could not tell', () => {
    const unknown = destinationColumns({ engine: 'sqlite', columns: [{ name: 'x', type: '', nullable: true }], rows: [] }, 'postgres');
    expect(describeMismatch(postgresResultWriter, [{ name: 'x', type: 'int8' }, ...internal], unknown)).toBeUndefined();
  });
});

describe('a PostgreSQL result table created by many targets at once', () => {
  it('takes every error of a lost creation race as "already exists", and nothing else', () => {
    // 42710 is what CREATE TABLE IF NOT EXISTS raises for the table's row type when two sessions race.
    for (const code of ['42P06', '42P07', '42710', '23505']) expect(postgresResultWriter.isAlreadyExists({ code })).toBe(true);
    for (const code of ['42501', '42601', undefined]) expect(postgresResultWriter.isAlreadyExists({ code })).toBe(false);
  });
});
