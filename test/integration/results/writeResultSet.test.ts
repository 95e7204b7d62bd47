import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { writeResultSet } from '../../../src/results/writeResultSet';
import { createTargetDrivers, type TargetDrivers } from '../../../src/targets/registry';
import type { ConnectionCredential, ResultSet } from '../../../src/targets/driver';
import { PermanentTargetError } from '../../../src/targets/errors';
import type { ResultSetDestination } from '../../../src/domain/schemas/job';
import { adminQuery, createTestDatabase, pgServerName } from '../../support/postgres';

const credential: ConnectionCredential = { authentication: 'sql', username: 'postgres', password: 'unused-by-trust' };
let source: Awaited<ReturnType<typeof createTestDatabase>>;
let destination: Awaited<ReturnType<typeof createTestDatabase>>;
let sqliteRoot: string;
let drivers: TargetDrivers;

const pgDestination = (tableName: string, schemaName = 'reports'): ResultSetDestination => ({
  engine: 'postgres',
  serverName: pgServerName(),
  databaseName: destination.name,
  schemaName,
  tableName,
  credentialName: 'dest',
});
const sqliteDestination = (tableName: string): ResultSetDestination => ({
  engine: 'sqlite',
  serverName: 'results',
  databaseName: 'results.db',
  schemaName: 'main',
  tableName,
  credentialName: 'dest',
});

async function destinationQuery(text: string, values?: unknown[]) {
  const { Client } = await import('pg');
  const client = new Client({ host: '127.0.0.1', port: Number(pgServerName().split(':')[1]), user: 'postgres', database: destination.name });
  await client.connect();
  try {
    return (await client.query(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** The first result set of a real script on the source database. */
async function pgResult(script: string): Promise<ResultSet> {
  const result = await drivers
    .driverFor('postgres')
    .run({ engine: 'postgres', serverName: pgServerName(), databaseName: source.name }, credential, { script, signal: new AbortController().signal, keepResultSets: 'first' });
  return result.resultSets[0];
}

const SOURCE_SCRIPT = `SELECT g AS id, 'item ' || g AS name, (g * 1.25)::numeric(10,2) AS price, timestamp '2026-01-01 00:00:00' + g * interval '1 hour' AS seen,
  g % 2 = 0 AS even, md5(g::text)::uuid AS code, ('{"n":' || g || '}')::jsonb AS doc, ARRAY[g, g + 1] AS pair, decode('0102', 'hex') AS raw
FROM generate_series(1, 3) AS g`;

beforeAll(async () => {
  source = await createTestDatabase('rsrc');
  destination = await createTestDatabase('rdst');
  sqliteRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'ej-results-'));
  fs.mkdirSync(path.join(sqliteRoot, 'results'));
  drivers = createTargetDrivers({ sqliteTargets: { enabled: true, root: sqliteRoot }, sqlServer: { encrypt: true, trustServerCertificate: false } });
});
afterAll(async () => {
  await drivers.close();
  await source.drop();
  await destination.drop();
  fs.rmSync(sqliteRoot, { recursive: true, force: true });
});

describe('writeResultSet into PostgreSQL', () => {
  it('creates the table from the first write and takes 10 concurrent writes from 10 sources', async () => {
    const resultSet = await pgResult(SOURCE_SCRIPT);
    const ids = Array.from({ length: 10 }, () => crypto.randomUUID());
    await Promise.all(
      ids.map((id, i) =>
        writeResultSet({ destination: pgDestination('items'), credential, resultSet, childExecutionId: id, sourceServer: pgServerName(), sourceDatabase: `tenant_${i}`, drivers }),
      ),
    );
    const columns = await destinationQuery("SELECT column_name, udt_name FROM information_schema.columns WHERE table_schema = 'reports' AND table_name = 'items' ORDER BY ordinal_position");
    expect(columns.map((c) => [c.column_name, c.udt_name])).toEqual([
      ['id', 'int4'],
      ['name', 'text'],
      ['price', 'numeric'],
      ['seen', 'timestamp'],
      ['even', 'bool'],
      ['code', 'uuid'],
      ['doc', 'jsonb'],
      ['pair', '_int4'],
      ['raw', 'bytea'],
      ['internal_execution_id', 'uuid'],
      ['source_server', 'varchar'],
      ['source_database', 'varchar'],
    ]);
    const perExecution = await destinationQuery('SELECT internal_execution_id::text AS id, count(*)::int AS n FROM reports.items GROUP BY 1');
    expect(perExecution).toHaveLength(10);
    expect(perExecution.every((r) => r.n === 3)).toBe(true);
    const [row] = await destinationQuery("SELECT * FROM reports.items WHERE source_database = 'tenant_0' AND id = 2");
    expect(row).toMatchObject({ id: 2, name: 'item 2', price: '2.50', even: true, doc: { n: 2 }, pair: [2, 3], raw: Buffer.from([1, 2]), source_server: pgServerName() });
    expect(row.seen).toEqual(new Date(2026, 0, 1, 2));
    const indexes = await destinationQuery("SELECT indexdef FROM pg_indexes WHERE schemaname = 'reports' AND tablename = 'items'");
    expect(indexes.map((i) => i.indexdef).join()).toContain('(internal_execution_id)');
  });

  it('re-writing the same internal_execution_id leaves exactly one set of rows', async () => {
    const id = crypto.randomUUID();
    const write = (script: string) =>
      pgResult(script).then((resultSet) =>
        writeResultSet({ destination: pgDestination('retries'), credential, resultSet, childExecutionId: id, sourceServer: 's', sourceDatabase: 'd', drivers }),
      );
    await write('SELECT g AS n FROM generate_series(1, 5) g');
    await write('SELECT g AS n FROM generate_series(1, 5) g');
    await write('SELECT g * 10 AS n FROM generate_series(1, 2) g');
    expect(await destinationQuery('SELECT n FROM reports.retries ORDER BY n')).toEqual([{ n: 10 }, { n: 20 }]);
  });

  it('writes more rows than one statement may carry parameters for', async () => {
    const resultSet = await pgResult(`SELECT g AS n, ${Array.from({ length: 20 }, (_, i) => `g + ${i} AS c${i}`).join(', ')} FROM generate_series(1, 7000) g`);
    const written = await writeResultSet({ destination: pgDestination('wide'), credential, resultSet, childExecutionId: crypto.randomUUID(), sourceServer: 's', sourceDatabase: 'd', drivers });
    expect(written.rowsWritten).toBe(7000);
    expect(await destinationQuery('SELECT count(*)::int AS n, sum(c19)::int AS s FROM reports.wide')).toEqual([{ n: 7000, s: (7000 * 7001) / 2 + 19 * 7000 }]);
  });

  it('refuses an existing table with other columns, naming them', async () => {
    await destinationQuery('CREATE TABLE reports.taken (id int, something_else text, internal_execution_id uuid, source_server text, source_database text)');
    const resultSet = await pgResult('SELECT 1 AS id, 2 AS price');
    const error = await writeResultSet({ destination: pgDestination('taken'), credential, resultSet, childExecutionId: crypto.randomUUID(), sourceServer: 's', sourceDatabase: 'd', drivers }).catch((e) => e);
    expect(error).toBeInstanceOf(PermanentTargetError);
    expect(error.retryable).toBe(false);
    expect(error.message).toBe(
      'The result table reports.taken exists with columns that do not match the result set (missing columns: price; extra columns: something_else). Drop or rename the table, or choose another destination table.',
    );
  });

  it('refuses an existing column of another type family', async () => {
    await destinationQuery('CREATE TABLE reports.typed (id bool, internal_execution_id uuid, source_server text, source_database text)');
    const resultSet = await pgResult('SELECT 1 AS id');
    await expect(
      writeResultSet({ destination: pgDestination('typed'), credential, resultSet, childExecutionId: crypto.randomUUID(), sourceServer: 's', sourceDatabase: 'd', drivers }),
    ).rejects.toThrow('different types: id (table: bool, result: int4)');
  });

  it('takes a SQL Server result set (types as mssql reports them) into PostgreSQL types', async () => {
    const resultSet: ResultSet = {
      engine: 'sqlserver',
      columns: [
        { name: 'Notes', type: 'nvarchar', length: -1, nullable: true },
        { name: 'Amount', type: 'decimal', precision: 18, scale: 4, nullable: true },
        { name: 'SeenAt', type: 'datetime2', scale: 7, nullable: true },
        { name: 'Id', type: 'uniqueidentifier', nullable: true },
        { name: 'Blob', type: 'varbinary', length: -1, nullable: true },
        { name: 'Flag', type: 'bit', nullable: true },
        { name: '', type: 'int', nullable: true },
      ],
      rows: [['hello', 12.5, new Date('2026-03-04T05:06:07.123Z'), '3F1A6B3E-0000-4000-8000-000000000001', Buffer.from([9]), true, 42]],
    };
    await writeResultSet({ destination: pgDestination('from_mssql'), credential, resultSet, childExecutionId: crypto.randomUUID(), sourceServer: 'sql1', sourceDatabase: 'db1', drivers });
    const [row] = await destinationQuery('SELECT "Notes", "Amount", "Id", "Blob", "Flag", column_7, pg_typeof("SeenAt")::text AS seen_type FROM reports.from_mssql');
    expect(row).toEqual({ Notes: 'hello', Amount: '12.5000', Id: '3f1a6b3e-0000-4000-8000-000000000001', Blob: Buffer.from([9]), Flag: true, column_7: 42, seen_type: 'timestamp without time zone' });
  });

  it('takes a SQLite result set into PostgreSQL', async () => {
    const file = path.join(sqliteRoot, 'results', 'src.db');
    const db = new Database(file);
    db.exec("CREATE TABLE s (n integer, label text, amount numeric(8,2), flag boolean); INSERT INTO s VALUES (1, 'a', 1.5, 1), (2, NULL, NULL, 0)");
    db.close();
    const run = await drivers
      .driverFor('sqlite')
      .run({ engine: 'sqlite', serverName: 'results', databaseName: 'src.db' }, credential, { script: 'SELECT n, label, amount, flag, n * 2 AS twice FROM s ORDER BY n', signal: new AbortController().signal, keepResultSets: 'first' });
    await writeResultSet({ destination: pgDestination('from_sqlite'), credential, resultSet: run.resultSets[0], childExecutionId: crypto.randomUUID(), sourceServer: 'results', sourceDatabase: 'src.db', drivers });
    expect(await destinationQuery('SELECT n, label, amount, flag, twice FROM reports.from_sqlite ORDER BY n')).toEqual([
      { n: '1', label: 'a', amount: '1.50', flag: true, twice: '2' },
      { n: '2', label: null, amount: null, flag: false, twice: '4' },
    ]);
  });

  it('works without the host drivers for a PostgreSQL destination', async () => {
    const resultSet = await pgResult('SELECT 1 AS one');
    const written = await writeResultSet({ destination: pgDestination('standalone', 'public'), credential, resultSet, childExecutionId: crypto.randomUUID(), sourceServer: 's', sourceDatabase: 'd' });
    expect(written).toEqual({ table: 'public.standalone', rowsWritten: 1 });
  });

  it('refuses identifiers that are not plain, before touching the database', async () => {
    const resultSet = await pgResult('SELECT 1 AS one');
    await expect(
      writeResultSet({ destination: { ...pgDestination('x'), tableName: 'x; DROP TABLE y' }, credential, resultSet, childExecutionId: crypto.randomUUID(), sourceServer: 's', sourceDatabase: 'd', drivers }),
    ).rejects.toBeInstanceOf(PermanentTargetError);
  });
});

describe('writeResultSet into SQLite', () => {
  const file = () => path.join(sqliteRoot, 'results', 'results.db');

  it('creates the file and table, and takes 10 concurrent writes from 10 sources', async () => {
    const resultSet = await pgResult(SOURCE_SCRIPT);
    const ids = Array.from({ length: 10 }, () => crypto.randomUUID());
    await Promise.all(
      ids.map((id, i) => writeResultSet({ destination: sqliteDestination('items'), credential, resultSet, childExecutionId: id, sourceServer: 'pg', sourceDatabase: `tenant_${i}`, drivers })),
    );
    const db = new Database(file(), { readonly: true });
    try {
      expect(db.prepare("SELECT name, lower(type) AS type FROM pragma_table_info('items')").all()).toEqual([
        { name: 'id', type: 'integer' },
        { name: 'name', type: 'text' },
        { name: 'price', type: 'text' }, // every digit kept: NUMERIC affinity would make it a REAL
        { name: 'seen', type: 'text' },
        { name: 'even', type: 'integer' },
        { name: 'code', type: 'text' },
        { name: 'doc', type: 'text' },
        { name: 'pair', type: 'text' },
        { name: 'raw', type: 'blob' },
        { name: 'internal_execution_id', type: 'text' },
        { name: 'source_server', type: 'text' },
        { name: 'source_database', type: 'text' },
      ]);
      expect(db.prepare('SELECT count(DISTINCT internal_execution_id) AS e, count(*) AS n FROM items').get()).toEqual({ e: 10, n: 30 });
      expect(db.prepare("SELECT id, price, even, doc, pair, raw FROM items WHERE source_database = 'tenant_3' AND id = 2").get()).toEqual({
        id: 2,
        price: '2.50',
        even: 1,
        doc: '{"n":2}',
        pair: '[2,3]',
        raw: Buffer.from([1, 2]),
      });
    } finally {
      db.close();
    }
  });

  it('re-writing the same internal_execution_id leaves exactly one set of rows', async () => {
    const id = crypto.randomUUID();
    for (const script of ['SELECT g AS n FROM generate_series(1, 4) g', 'SELECT g AS n FROM generate_series(1, 2000) g', 'SELECT 7 AS n']) {
      await writeResultSet({ destination: sqliteDestination('retries'), credential, resultSet: await pgResult(script), childExecutionId: id, sourceServer: 's', sourceDatabase: 'd', drivers });
    }
    const db = new Database(file(), { readonly: true });
    expect(db.prepare('SELECT n FROM retries').all()).toEqual([{ n: 7 }]);
    db.close();
  });

  it('writes more rows than one statement may carry parameters for', async () => {
    const resultSet = await pgResult('SELECT g AS n, g AS m FROM generate_series(1, 3000) g');
    await writeResultSet({ destination: sqliteDestination('many'), credential, resultSet, childExecutionId: crypto.randomUUID(), sourceServer: 's', sourceDatabase: 'd', drivers });
    const db = new Database(file(), { readonly: true });
    expect(db.prepare('SELECT count(*) AS c, sum(m) AS s FROM many').get()).toEqual({ c: 3000, s: (3000 * 3001) / 2 });
    db.close();
  });

  it('refuses an existing table with other columns, naming them', async () => {
    const db = new Database(file());
    db.exec('CREATE TABLE taken (a int, internal_execution_id text, source_server text, source_database text)');
    db.close();
    await expect(
      writeResultSet({ destination: sqliteDestination('taken'), credential, resultSet: await pgResult('SELECT 1 AS b'), childExecutionId: crypto.randomUUID(), sourceServer: 's', sourceDatabase: 'd', drivers }),
    ).rejects.toThrow('(missing columns: b; extra columns: a)');
  });

  it('needs the host drivers for a SQLite destination', async () => {
    await expect(
      writeResultSet({ destination: sqliteDestination('x'), credential, resultSet: await pgResult('SELECT 1 AS one'), childExecutionId: crypto.randomUUID(), sourceServer: 's', sourceDatabase: 'd' }),
    ).rejects.toBeInstanceOf(PermanentTargetError);
  });
});

describe('writeResultSet connections', () => {
  it('leaves no connection open on the destination after the writes', async () => {
    const { rows } = await adminQuery("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'elastic-jobs'", [destination.name]);
    expect(rows[0].n).toBe(0);
  });
});
