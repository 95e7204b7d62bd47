import { Client } from 'pg';
import { createPostgresDriver } from '../../../src/targets/postgresDriver';
import type { ConnectionCredential, DatabaseRef, RunOptions } from '../../../src/targets/driver';
import { DatabaseMissingError, partialOutputOf, PermanentTargetError, ScriptFailedError, TaskCanceledError, TaskTimeoutError, TransientTargetError } from '../../../src/targets/errors';
import { adminQuery, createTestDatabase, pgServerName, pgUrl } from '../../support/postgres';
import { freePort } from '../../support/ports';
import { createShardMapManager } from '../../support/shardMap';

const credential: ConnectionCredential = { authentication: 'sql', username: 'postgres', password: 'not-checked-by-trust-auth' };
const driver = createPostgresDriver({ cancelGraceMs: 3_000 });
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let target: DatabaseRef;

const run = (script: string, options: Partial<RunOptions> = {}, database = target) =>
  driver.run(database, credential, { script, signal: new AbortController().signal, keepResultSets: 'first', ...options });

async function activeSleeps(database: string): Promise<number> {
  const { rows } = await adminQuery(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND query ILIKE '%pg_sleep%' AND pid <> pg_backend_pid()",
    [database],
  );
  return rows[0].n as number;
}


beforeAll(async () => {
  db = await createTestDatabase('pgdrv');
  target = { engine: 'postgres', serverName: pgServerName(), databaseName: db.name };
});
afterAll(async () => {
  await driver.close();
  await db.drop();
});

describe('postgres driver: run', () => {
  it('runs a multi-statement script and keeps the first result set with its column metadata', async () => {
    const result = await run(`
      CREATE TABLE items (id int4 PRIMARY KEY, name varchar(10), price numeric(10,2), seen timestamp(3), flag bool, code uuid);
      INSERT INTO items VALUES (1, 'one', 1.50, '2026-01-02 03:04:05.678', true, '3f1a6b3e-0000-4000-8000-000000000001'), (2, NULL, NULL, NULL, NULL, NULL);
      SELECT id, name, price, seen, flag, code, 1::int8 AS big, 'x'::char(4) AS fixed, '{"a":1}'::jsonb AS doc FROM items ORDER BY id;
      SELECT 'second' AS other;`);
    expect(result.batches).toBe(1);
    expect(result.resultSets).toHaveLength(1);
    const [set] = result.resultSets;
    expect(set.engine).toBe('postgres');
    expect(set.columns).toEqual([
      { name: 'id', type: 'int4', nullable: true },
      { name: 'name', type: 'varchar', length: 10, nullable: true },
      { name: 'price', type: 'numeric', precision: 10, scale: 2, nullable: true },
      { name: 'seen', type: 'timestamp', precision: 3, nullable: true },
      { name: 'flag', type: 'bool', nullable: true },
      { name: 'code', type: 'uuid', nullable: true },
      { name: 'big', type: 'int8', nullable: true },
      { name: 'fixed', type: 'bpchar', length: 4, nullable: true },
      { name: 'doc', type: 'jsonb', nullable: true },
    ]);
    expect(set.rows).toHaveLength(2);
    expect(set.rows[0].slice(0, 3)).toEqual([1, 'one', '1.50']);
    expect(set.rows[1]).toEqual([2, null, null, null, null, null, '1', 'x   ', { a: 1 }]);
    expect(set.rowCount).toBe(2);
  });

  it('runs GO batches in order on one session, repeating GO n, so one script form serves every engine', async () => {
    const result = await run(
      ['CREATE TEMP TABLE counter (n int);', 'GO', 'INSERT INTO counter VALUES (1);', 'go 3', "SELECT count(*)::int AS n FROM counter; -- 'GO' in a comment", 'GO'].join('\n'),
      { keepResultSets: 'all' },
    );
    expect(result.batches).toBe(5);
    expect(result.resultSets.map((r) => r.rows)).toEqual([[[3]]]);
  });

  it('keeps every result set with keepResultSets all, none with none, and caps rows with maxRows', async () => {
    const all = await run('SELECT 1 AS a; SELECT generate_series(1, 5) AS b', { keepResultSets: 'all', maxRows: 3 });
    expect(all.resultSets.map((s) => s.columns[0].name)).toEqual(['a', 'b']);
    expect(all.resultSets[1].rows).toEqual([[1], [2], [3]]);
    expect(all.resultSets[1].rowCount).toBe(5);
    const none = await run('SELECT 1 AS a', { keepResultSets: 'none' });
    expect(none.resultSets).toEqual([]);
  });

  it('names types outside the common table by looking them up (arrays, enums)', async () => {
    const result = await run("CREATE TYPE mood AS ENUM ('ok'); SELECT 'ok'::mood AS m, ARRAY[1,2]::int4[] AS a, '1 day'::interval AS i");
    expect(result.resultSets[0].columns.map((c) => c.type)).toEqual(['mood', '_int4', 'interval']);
  });

  it('captures RAISE NOTICE messages in order', async () => {
    const result = await run("DO $$ BEGIN RAISE NOTICE 'first %', 1; RAISE NOTICE 'second'; END $$;", { keepResultSets: 'none' });
    expect(result.messages).toEqual(['first 1', 'second']);
  });

  it('a failing script keeps the notices and result sets it produced before the error', async () => {
    const error = await run(
      "DO $$ BEGIN RAISE NOTICE 'one'; RAISE NOTICE 'two'; RAISE NOTICE 'three'; END $$;\nSELECT 42 AS answer;\nSELECT * FROM no_such_table;",
      { keepResultSets: 'all', maxRows: 101 },
    ).catch((e) => e);
    expect(error).toBeInstanceOf(ScriptFailedError);
    const partial = partialOutputOf(error);
    expect(partial?.messages).toEqual(['one', 'two', 'three']);
    expect(partial?.resultSets.map((s) => [s.columns.map((c) => c.name), s.rows])).toEqual([[['answer'], [[42]]]]);
  });

  it('keeps the head and the tail of 5,001 notices, its last line included, with the count of those cut', async () => {
    const result = await run(
      "DO $$ BEGIN FOR i IN 1..5000 LOOP RAISE NOTICE 'progress line % of a long-running maintenance script, padded to be realistic', i; END LOOP; RAISE NOTICE 'summary: all done'; END $$;",
      { keepResultSets: 'all', maxRows: 101 },
    );
    expect(result.messages[0]).toMatch(/^progress line 1 of/);
    expect(result.messages.at(-1)).toBe('summary: all done');
    expect(result.omitted?.messages).toBeGreaterThan(0);
    expect(result.messages.length + result.omitted!.messages).toBe(5_001);
    expect(result.messages[result.omitted!.messagesAt - 1]).toMatch(new RegExp(`^progress line ${result.omitted!.messagesAt} of`));
  });

  it('streams 1,500,000 rows that nothing keeps without holding them: counted, not kept', async () => {
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 20);
    try {
      const result = await run('SELECT g, md5(g::text) AS h FROM generate_series(1, 1500000) AS g', { keepResultSets: 'none' });
      expect(result.resultSets).toEqual([]);
    } finally {
      clearInterval(sampler);
    }
    // Buffered, 1,500,000 rows of [int, 32-char text] take well over 150 MB of heap.
    expect(peak - before).toBeLessThan(80 * 1024 * 1024);
  }, 120_000);

  it('keeps every row of the first result set for a destination, and counts the rows of the others', async () => {
    const result = await run('SELECT g FROM generate_series(1, 3000) AS g; SELECT 1 AS y;', { keepResultSets: 'first' });
    expect(result.resultSets).toHaveLength(1);
    expect(result.resultSets[0].rows).toHaveLength(3000);
    expect(result.resultSets[0].rowCount).toBe(3000);
  });

  it('reports a SQL error as ScriptFailedError with the server message, SQLSTATE and line', async () => {
    const error = await run('SELECT 1;\nSELECT * FROM no_such_table;').catch((e) => e);
    expect(error).toBeInstanceOf(ScriptFailedError);
    expect(error.message).toContain('relation "no_such_table" does not exist');
    expect(error.message).toContain('SQLSTATE 42P01');
    expect(error.message).toContain('line 2');
  });

  it('cancels the statement on the server when the signal aborts, and throws TaskCanceledError', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 500);
    const error = await run('SELECT pg_sleep(30)', { signal: controller.signal }).catch((e) => e);
    expect(error).toBeInstanceOf(TaskCanceledError);
    // Well under the 3 s grace: the server ended the statement, the connection was not just dropped.
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(await activeSleeps(db.name)).toBe(0);
  });

  it('cancels the statement on the server past timeoutMs, and throws TaskTimeoutError', async () => {
    const error = await run('SELECT pg_sleep(30)', { timeoutMs: 500 }).catch((e) => e);
    expect(error).toBeInstanceOf(TaskTimeoutError);
    expect(error.message).toContain('500 ms');
    expect(await activeSleeps(db.name)).toBe(0);
  });

  it('throws TaskCanceledError without connecting when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(run('SELECT 1', { signal: controller.signal })).rejects.toBeInstanceOf(TaskCanceledError);
  });

  it('throws DatabaseMissingError for a database that does not exist', async () => {
    const error = await run('SELECT 1', {}, { ...target, databaseName: 'ej_no_such_database' }).catch((e) => e);
    expect(error).toBeInstanceOf(DatabaseMissingError);
    expect(error.message).toContain('ej_no_such_database');
  });

  it('throws TransientTargetError when the port refuses connections', async () => {
    const port = await freePort();
    const error = await run('SELECT 1', {}, { ...target, serverName: `127.0.0.1:${port}` }).catch((e) => e);
    expect(error).toBeInstanceOf(TransientTargetError);
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('never puts the password in an error message', async () => {
    const secret = 'Sup3r-Secret-Pa55';
    const port = await freePort();
    const error = await driver
      .run({ ...target, serverName: `127.0.0.1:${port}` }, { authentication: 'sql', username: secret, password: secret }, { script: 'SELECT 1', signal: new AbortController().signal, keepResultSets: 'none' })
      .catch((e) => e);
    expect(error).toBeInstanceOf(TransientTargetError);
    expect(`${error.message} ${error.stack}`).not.toContain(secret);
  });
});

describe('postgres driver: listDatabases', () => {
  it('lists the user databases of the server, without postgres and templates', async () => {
    const other = await createTestDatabase('pglist');
    try {
      const names = await driver.listDatabases(pgServerName(), credential);
      expect(names).toEqual(expect.arrayContaining([db.name, other.name]));
      expect(names).not.toContain('postgres');
      expect(names).not.toContain('template0');
      expect(names).not.toContain('template1');
    } finally {
      await other.drop();
    }
  });

  it('leaves out databases that do not allow connections', async () => {
    const closed = await createTestDatabase('pgclosed');
    try {
      await adminQuery(`ALTER DATABASE "${closed.name}" ALLOW_CONNECTIONS false`);
      expect(await driver.listDatabases(pgServerName(), credential)).not.toContain(closed.name);
    } finally {
      await adminQuery(`ALTER DATABASE "${closed.name}" ALLOW_CONNECTIONS true`);
      await closed.drop();
    }
  });
});

describe('postgres driver: readShardMap', () => {
  it('reads the shards of a shard map, with the offline one marked and non-default ports in the server name', async () => {
    const manager = await createTestDatabase('pgsmm');
    try {
      await createShardMapManager(manager.url, [
        {
          name: 'CustomerIDShardMap',
          shards: [
            { serverName: 'pg-a.example', databaseName: 'shard_1' },
            { serverName: 'pg-a.example', databaseName: 'shard_2', port: 5432 },
            { serverName: 'pg-b.example', databaseName: 'shard_3', port: 6543 },
            { serverName: 'pg-b.example', databaseName: 'shard_4', status: 0 },
          ],
        },
        { name: 'OtherMap', shards: [{ serverName: 'pg-c.example', databaseName: 'elsewhere' }] },
        { name: 'EmptyMap', shards: [] },
      ]);
      const ref: DatabaseRef = { engine: 'postgres', serverName: pgServerName(), databaseName: manager.name };
      expect(await driver.readShardMap(ref, 'CustomerIDShardMap', credential)).toEqual([
        { engine: 'postgres', serverName: 'pg-a.example', databaseName: 'shard_1', status: 1 },
        { engine: 'postgres', serverName: 'pg-a.example', databaseName: 'shard_2', status: 1 },
        { engine: 'postgres', serverName: 'pg-b.example:6543', databaseName: 'shard_3', status: 1 },
        { engine: 'postgres', serverName: 'pg-b.example', databaseName: 'shard_4', status: 0 },
      ]);
      expect(await driver.readShardMap(ref, 'EmptyMap', credential)).toEqual([]);
      const missing = await driver.readShardMap(ref, 'NoSuchMap', credential).catch((e) => e);
      expect(missing).toBeInstanceOf(PermanentTargetError);
      expect(missing.message).toContain("Shard map 'NoSuchMap' does not exist");
    } finally {
      await manager.drop();
    }
  });

  it('says so when the database is not a shard map manager', async () => {
    const error = await driver.readShardMap(target, 'Any', credential).catch((e) => e);
    expect(error).toBeInstanceOf(PermanentTargetError);
    expect(error.message).toContain('is not a shard map manager database');
  });
});

describe('postgres driver: withSession', () => {
  it('commits a transaction that resolves and rolls back one that throws', async () => {
    await driver.withSession!(target, credential, async (session) => {
      await session.query('CREATE TABLE session_rows (n int)');
      await session.transaction(async (tx) => tx.query('INSERT INTO session_rows VALUES ($1)', [1]));
      await session.transaction(async (tx) => {
        await tx.query('INSERT INTO session_rows VALUES ($1)', [2]);
        throw new Error('stop');
      }).catch(() => undefined);
    });
    const client = new Client({ connectionString: pgUrl(db.name) });
    await client.connect();
    const { rows } = await client.query('SELECT n FROM session_rows');
    await client.end();
    expect(rows).toEqual([{ n: 1 }]);
  });
});
