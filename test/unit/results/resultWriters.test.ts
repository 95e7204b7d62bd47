import { postgresResultWriter } from '../../../src/results/postgresResultWriter';
import { sqliteResultWriter } from '../../../src/results/sqliteResultWriter';
import { sqlServerResultWriter } from '../../../src/results/sqlServerResultWriter';
import { rowsPerInsert } from '../../../src/results/writeResultSet';
import { indexName } from '../../../src/results/indexName';
import type { DestinationColumn } from '../../../src/results/destinationColumns';

const plain: DestinationColumn = { name: 'c', ddl: 'text', unknownType: false, jsonValues: false, source: { name: 'c', type: 'text', nullable: true }, sourceEngine: 'postgres' };

describe('rows per INSERT', () => {
  it.each([
    ['postgres', postgresResultWriter, 23, 1000],
    ['postgres, very wide', postgresResultWriter, 1000, 65],
    ['sqlite', sqliteResultWriter, 23, 43],
    ['sqlserver', sqlServerResultWriter, 23, 86],
    ['sqlserver, narrow: the 1000-row constructor limit', sqlServerResultWriter, 1, 1000],
    ['sqlserver, wider than the limit allows: one row', sqlServerResultWriter, 2500, 1],
  ] as const)('%s, %d parameters a row -> %d rows', (_name, writer, width, expected) => {
    expect(rowsPerInsert(writer, width)).toBe(expected);
    if (width <= writer.maxParameters) expect(rowsPerInsert(writer, width) * width).toBeLessThanOrEqual(writer.maxParameters);
  });
});

describe('PostgreSQL result writer', () => {
  const table = postgresResultWriter.table('reports', 'my"table');

  it('quotes identifiers and numbers parameters across rows', () => {
    expect(table.sql).toBe('"reports"."my""table"');
    expect(postgresResultWriter.insertRows(table, ['a', 'b'], 2)).toBe('INSERT INTO "reports"."my""table" ("a", "b") VALUES ($1, $2), ($3, $4)');
    expect(postgresResultWriter.deleteRows(table)).toBe('DELETE FROM "reports"."my""table" WHERE "internal_execution_id" = $1');
  });

  it('creates the schema only when it is missing (CREATE SCHEMA IF NOT EXISTS needs a privilege even then)', () => {
    expect(postgresResultWriter.createStatements(table, [plain])[0]).toBe(
      `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'reports') THEN CREATE SCHEMA "reports"; END IF; END $$`,
    );
  });

  it('writes parsed JSON back as JSON text, and leaves other values to pg', () => {
    expect(postgresResultWriter.toParam('plain string', { ...plain, jsonValues: true })).toBe('"plain string"');
    expect(postgresResultWriter.toParam([1, 2], { ...plain, jsonValues: true })).toBe('[1,2]');
    expect(postgresResultWriter.toParam([1, 2], plain)).toEqual([1, 2]);
    expect(postgresResultWriter.toParam(5n, plain)).toBe('5');
  });
});

describe('SQLite result writer', () => {
  it('flattens the schema into the table name, except main', () => {
    expect(sqliteResultWriter.table('reports', 'results').name).toBe('reports_results');
    expect(sqliteResultWriter.table('main', 'results').name).toBe('results');
  });

  it('stores text as it comes, booleans as 0/1 and documents as JSON', () => {
    expect(sqliteResultWriter.toParam('2027-03-27 21:00:00.123456+00', plain)).toBe('2027-03-27 21:00:00.123456+00');
    expect(sqliteResultWriter.toParam(true, plain)).toBe(1);
    expect(sqliteResultWriter.toParam({ a: [1] }, plain)).toBe('{"a":[1]}');
    expect(sqliteResultWriter.toParam(new Uint8Array([1]), plain)).toEqual(Buffer.from([1]));
  });

  it('declares a column of unknown type without a type, so SQLite keeps values as they come', () => {
    const [create] = sqliteResultWriter.createStatements(sqliteResultWriter.table('main', 't'), [{ ...plain, name: 'x', ddl: '' }]);
    expect(create).toContain('\n  "x",\n');
  });
});

describe('indexName', () => {
  it('keeps a short name readable and a long one unique within the limit', () => {
    expect(indexName('results', 63)).toBe('ix_results_internal_execution_id');
    const a = indexName('a'.repeat(60), 63);
    const b = indexName('b'.repeat(60), 63);
    expect(a).not.toBe(b);
    expect(Buffer.byteLength(a)).toBeLessThanOrEqual(63);
  });
});
