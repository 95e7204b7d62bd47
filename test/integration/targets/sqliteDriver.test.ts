import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createSqliteDriver } from '../../../src/targets/sqliteDriver';
import type { ConnectionCredential, DatabaseRef, RunOptions } from '../../../src/targets/driver';
import { DatabaseMissingError, partialOutputOf, PermanentTargetError, ScriptFailedError, TaskCanceledError, TaskTimeoutError, TransientTargetError } from '../../../src/targets/errors';

const credential: ConnectionCredential = { authentication: 'sql', username: 'unused' };
let base: string;
let root: string;
let outsideDir: string;
// One driver (one pool of worker processes) per test, closed after it, so no test leaves idle workers behind.
let current: ReturnType<typeof createSqliteDriver> | undefined;
const driver = () => (current ??= createSqliteDriver({ root, busyTimeoutMs: 200 }));
const ref = (databaseName: string, serverName = 'tenants'): DatabaseRef => ({ engine: 'sqlite', serverName, databaseName });
const run = (database: DatabaseRef, script: string, options: Partial<RunOptions> = {}) =>
  driver().run(database, credential, { script, signal: new AbortController().signal, keepResultSets: 'first', ...options });

// A statement that keeps SQLite busy for many seconds inside one native call.
const LONG_WRITE = 'CREATE TABLE big AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200000000) SELECT x FROM c';

beforeEach(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'ej-sqlite-'));
  root = path.join(base, 'root');
  outsideDir = path.join(base, 'outside');
  fs.mkdirSync(path.join(root, 'tenants'), { recursive: true });
  fs.mkdirSync(outsideDir);
  for (const name of ['a.db', 'b.sqlite', 'c.SQLITE3']) new Database(path.join(root, 'tenants', name)).close();
  fs.writeFileSync(path.join(root, 'tenants', 'notes.txt'), 'not a database');
  fs.mkdirSync(path.join(root, 'tenants', 'folder.db'));
  new Database(path.join(outsideDir, 'secret.db')).close();
});
afterEach(async () => {
  await current?.close();
  current = undefined;
  fs.rmSync(base, { recursive: true, force: true });
});

describe('sqlite driver: run', () => {
  it('runs statement by statement and keeps the first result set with declared and inferred types', async () => {
    const result = await run(
      ref('a.db'),
      `-- a comment; with a semicolon
       CREATE TABLE items (id INTEGER PRIMARY KEY, name varchar(10), price numeric(10,2), raw BLOB);
       INSERT INTO items VALUES (1, 'semi;colon', 1.5, x'0102'), (2, 'it''s', NULL, NULL);
       /* block; comment */
       SELECT id, name, price, raw, id * 2 AS twice, 'x' AS lit, 0.5 AS half, NULL AS empty FROM items ORDER BY id;
       SELECT 'second';`,
    );
    expect(result.resultSets).toHaveLength(1);
    const [set] = result.resultSets;
    expect(set.columns.map((c) => [c.name, c.type])).toEqual([
      ['id', 'integer'],
      ['name', 'varchar(10)'],
      ['price', 'numeric(10,2)'],
      ['raw', 'blob'],
      ['twice', 'integer'],
      ['lit', 'text'],
      ['half', 'real'],
      ['empty', ''],
    ]);
    expect(set.rows).toEqual([
      [1, 'semi;colon', 1.5, Buffer.from([1, 2]), 2, 'x', 0.5, null],
      [2, "it's", null, null, 4, 'x', 0.5, null],
    ]);
    expect(Buffer.isBuffer(set.rows[0][3])).toBe(true);
  });

  it('runs a trigger whose body holds semicolons as one statement', async () => {
    const result = await run(
      ref('a.db'),
      `CREATE TABLE t (n int); CREATE TABLE log (n int);
       CREATE TRIGGER t_log AFTER INSERT ON t BEGIN INSERT INTO log VALUES (new.n); INSERT INTO log VALUES (new.n * 10); END;
       INSERT INTO t VALUES (1);
       SELECT n FROM log ORDER BY n;`,
    );
    expect(result.resultSets[0].rows).toEqual([[1], [10]]);
  });

  it('keeps all result sets, or none, and caps the rows kept', async () => {
    const script = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5) SELECT x FROM c; SELECT 2 AS y;';
    const all = await run(ref('a.db'), script, { keepResultSets: 'all', maxRows: 2 });
    expect(all.resultSets.map((s) => s.rows)).toEqual([[[1], [2]], [[2]]]);
    expect(all.resultSets[0].rowCount).toBe(5);
    expect((await run(ref('a.db'), script, { keepResultSets: 'none' })).resultSets).toEqual([]);
  });

  it('runs GO batches in order, repeating GO n, and counts lines across batches', async () => {
    const result = await run(ref('a.db'), ['CREATE TABLE counter (n int);', 'GO', 'INSERT INTO counter VALUES (1);', 'GO 3', 'SELECT count(*) AS n FROM counter;'].join('\n'));
    expect(result.batches).toBe(5);
    expect(result.resultSets[0].rows).toEqual([[3]]);
    await expect(run(ref('b.sqlite'), ['SELECT 1;', 'GO', '', 'SELECT * FROM missing_table;'].join('\n'))).rejects.toThrow(/line 4/i);
  });

  it('takes the answer of an attempt that ended while the host was busy (a committed script is not reported failed)', async () => {
    // The attempt process answers and exits while this event loop is blocked; both events then
    // wait together, and the exit must not be taken for a death without an answer.
    for (let i = 0; i < 5; i++) {
      const pending = run(ref('a.db'), 'CREATE TABLE IF NOT EXISTS stamps (n int); INSERT INTO stamps VALUES (1);');
      const until = Date.now() + 500;
      while (Date.now() < until) {
        // busy host
      }
      await expect(pending).resolves.toMatchObject({ batches: 1 });
    }
    const db = new Database(path.join(root, 'tenants', 'a.db'), { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM stamps').get()).toEqual({ n: 5 });
    db.close();
  });

  it('reports a SQL error as ScriptFailedError with the line of the failing statement', async () => {
    const error = await run(ref('a.db'), 'SELECT 1;\n\nSELECT * FROM missing_table;').catch((e) => e);
    expect(error).toBeInstanceOf(ScriptFailedError);
    expect(error.message).toBe('Line 3: no such table: missing_table (SQLITE_ERROR)');
  });

  it('throws DatabaseMissingError for a missing file and does not create it', async () => {
    await expect(run(ref('nope.db'), 'SELECT 1')).rejects.toBeInstanceOf(DatabaseMissingError);
    await expect(run(ref('x.db', 'no-such-folder'), 'SELECT 1')).rejects.toBeInstanceOf(DatabaseMissingError);
    expect(fs.existsSync(path.join(root, 'tenants', 'nope.db'))).toBe(false);
  });

  it.each([
    ['a parent folder', '..', 'outside/secret.db'],
    ['a relative escape', '../outside', 'secret.db'],
    ['an absolute path outside the root', '', 'secret.db'],
    ['a path separator in the database name', 'tenants', '../../outside/secret.db'],
    ['a backslash in the database name', 'tenants', '..\\secret.db'],
    ['a dot-dot database name', 'tenants', '..'],
  ])('refuses %s with PermanentTargetError', async (_case, serverName, databaseName) => {
    const server = serverName === '' ? outsideDir : serverName;
    const error = await run(ref(databaseName, server), 'CREATE TABLE pwned (x int)').catch((e) => e);
    expect(error).toBeInstanceOf(PermanentTargetError);
    const secret = new Database(path.join(outsideDir, 'secret.db'));
    expect(secret.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'pwned'").get()).toEqual({ n: 0 });
    secret.close();
  });

  it('refuses a symbolic link that leads out of the root', async () => {
    fs.symlinkSync(outsideDir, path.join(root, 'sneaky'));
    fs.symlinkSync(path.join(outsideDir, 'secret.db'), path.join(root, 'tenants', 'link.db'));
    await expect(run(ref('secret.db', 'sneaky'), 'SELECT 1')).rejects.toBeInstanceOf(PermanentTargetError);
    await expect(run(ref('link.db'), 'SELECT 1')).rejects.toBeInstanceOf(PermanentTargetError);
    await expect(driver().listDatabases('sneaky', credential)).rejects.toBeInstanceOf(PermanentTargetError);
  });

  it('accepts an absolute folder inside the root', async () => {
    const result = await run(ref('a.db', path.join(root, 'tenants')), 'SELECT 7 AS n');
    expect(result.resultSets[0].rows).toEqual([[7]]);
  });

  it('kills a long statement at the timeout: TaskTimeoutError, its write rolled back, the file free at once', async () => {
    const started = Date.now();
    const error = await run(ref('a.db'), LONG_WRITE, { timeoutMs: 400 }).catch((e) => e);
    expect(error).toBeInstanceOf(TaskTimeoutError);
    expect(Date.now() - started).toBeLessThan(3_000);
    const db = new Database(path.join(root, 'tenants', 'a.db'), { timeout: 0 });
    db.exec('CREATE TABLE after_kill (x int)'); // would be SQLITE_BUSY if the statement were still running
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'big'").get()).toEqual({ n: 0 });
    db.close();
  });

  it('kills a long statement on abort: TaskCanceledError', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    await expect(run(ref('a.db'), LONG_WRITE, { signal: controller.signal })).rejects.toBeInstanceOf(TaskCanceledError);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('reports a locked database as TransientTargetError', async () => {
    const holder = new Database(path.join(root, 'tenants', 'a.db'));
    holder.exec('BEGIN EXCLUSIVE');
    try {
      const error = await run(ref('a.db'), 'CREATE TABLE t (x int)').catch((e) => e);
      expect(error).toBeInstanceOf(TransientTargetError);
      expect(error.message).toContain('SQLITE_BUSY');
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  });
});

describe('sqlite driver: listDatabases and shard maps', () => {
  it('lists the .db, .sqlite and .sqlite3 files of the folder, not other files or folders', async () => {
    expect(await driver().listDatabases('tenants', credential)).toEqual(['a.db', 'b.sqlite', 'c.SQLITE3']);
  });

  it('refuses a folder that does not exist or escapes the root', async () => {
    await expect(driver().listDatabases('missing', credential)).rejects.toThrow("SQLite folder 'missing' does not exist");
    await expect(driver().listDatabases('../outside', credential)).rejects.toBeInstanceOf(PermanentTargetError);
  });

  it('does not support shard maps', async () => {
    await expect(driver().readShardMap(ref('a.db'), 'Map', credential)).rejects.toThrow('Shard maps are not supported on SQLite targets');
  });
});

describe('sqlite driver: withSession', () => {
  it('creates a destination file in an existing folder, and refuses a missing folder', async () => {
    const rows = await driver().withSession!(ref('results.db'), credential, async (s) => {
      await s.query('CREATE TABLE r (n int)');
      await s.transaction(async (tx) => tx.query('INSERT INTO r VALUES (?)', [1]));
      return s.query('SELECT n FROM r');
    });
    expect(rows).toEqual([{ n: 1 }]);
    await expect(driver().withSession!(ref('r.db', 'nowhere'), credential, async () => 1)).rejects.toBeInstanceOf(PermanentTargetError);
  });

  it('serialises concurrent sessions on one file instead of failing on the lock', async () => {
    const d = driver();
    const writes = Array.from({ length: 8 }, (_, i) =>
      d.withSession!(ref('a.db'), credential, async (s) => {
        await s.query('CREATE TABLE IF NOT EXISTS w (n int)');
        await s.transaction(async (tx) => {
          await tx.query('INSERT INTO w VALUES (?)', [i]);
          await new Promise((r) => setTimeout(r, 20));
          await tx.query('INSERT INTO w VALUES (?)', [i]);
        });
      }),
    );
    await Promise.all(writes);
    const db = new Database(path.join(root, 'tenants', 'a.db'));
    expect(db.prepare('SELECT count(*) AS n FROM w').get()).toEqual({ n: 16 });
    db.close();
  });
});

describe('sqlite driver: a script stays inside its own database file', () => {
  const secretRows = () => {
    const db = new Database(path.join(outsideDir, 'secret.db'));
    try {
      return db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'stolen'").get() as { n: number };
    } finally {
      db.close();
    }
  };

  it.each([
    ['ATTACH of a file outside the root', (outside: string) => `ATTACH DATABASE '${outside}/secret.db' AS c; CREATE TABLE c.stolen (x int);`],
    ['ATTACH written in lower case with a comment first', (outside: string) => `/* hi */ attach '${outside}/secret.db' as c; create table c.stolen (x int);`],
    ['ATTACH through a URI file name', (outside: string) => `ATTACH 'file:${outside}/secret.db?mode=rw' AS c; CREATE TABLE c.stolen (x int);`],
    ['ATTACH of an expression', (outside: string) => `ATTACH '${outside}' || '/secret.db' AS c; CREATE TABLE c.stolen (x int);`],
  ])('refuses %s, before it runs, and the other file is unchanged', async (_name, script) => {
    const error = await run(ref('a.db'), script(outsideDir)).catch((e) => e);
    expect(error).toBeInstanceOf(PermanentTargetError);
    expect(error.message).toMatch(/^Line 1: ATTACH and DETACH is refused on SQLite targets/);
    expect(secretRows().n).toBe(0);
  });

  it('refuses ATTACH of another database in the same folder, and DETACH', async () => {
    await expect(run(ref('a.db'), "ATTACH 'b.sqlite' AS b")).rejects.toThrow('ATTACH and DETACH is refused');
    await expect(run(ref('a.db'), 'DETACH DATABASE temp')).rejects.toThrow('ATTACH and DETACH is refused');
  });

  it('refuses VACUUM INTO and writes no file, while a plain VACUUM runs', async () => {
    const copy = path.join(outsideDir, 'copy.db');
    for (const script of [`VACUUM INTO '${copy}'`, `VACUUM main INTO '${copy}'`, `vacuum "main" into '${copy}'`]) {
      await expect(run(ref('a.db'), script)).rejects.toThrow('VACUUM INTO is refused');
    }
    expect(fs.existsSync(copy)).toBe(false);
    await expect(run(ref('a.db'), 'CREATE TABLE t (x); VACUUM;')).resolves.toMatchObject({ batches: 1 });
  });

  it('cannot load an extension from SQL: better-sqlite3 enables load_extension() for its C API only', async () => {
    // A real shared object, so the refusal is not just "file not found".
    const library = ['/lib/x86_64-linux-gnu/libm.so.6', '/usr/lib/x86_64-linux-gnu/libm.so.6', '/lib64/libm.so.6', '/lib/aarch64-linux-gnu/libm.so.6'].find((f) => fs.existsSync(f)) ?? '/nonexistent.so';
    const error = await run(ref('a.db'), `SELECT load_extension('${library}', 'sqlite3_extension_init')`).catch((e) => e);
    expect(error).toBeInstanceOf(ScriptFailedError);
    expect(error.message).toContain('not authorized');
  });

  it.each([
    "PRAGMA temp_store_directory = '/tmp'",
    "pragma main.temp_store_directory = '/tmp'",
    'PRAGMA "temp_store_directory"',
    "EXPLAIN PRAGMA temp_store_directory = '/tmp'",
    "-- a comment\nPRAGMA data_store_directory = '/tmp'",
    'PRAGMA hard_heap_limit = 1',
    'PRAGMA soft_heap_limit = 1000000000',
  ])('refuses the process-wide PRAGMA %j', async (script) => {
    const error = await run(ref('a.db'), script).catch((e) => e);
    expect(error).toBeInstanceOf(PermanentTargetError);
    expect(error.message).toMatch(/PRAGMA \w+ is refused on SQLite targets/);
  });

  it('runs the PRAGMAs that act on its own connection or file', async () => {
    const result = await run(ref('a.db'), 'PRAGMA user_version = 7; PRAGMA cache_size = -2000; PRAGMA journal_mode = WAL; PRAGMA user_version;', { keepResultSets: 'all' });
    expect(result.resultSets.at(-1)?.rows).toEqual([[7]]);
  });

  it('a refused statement keeps the output produced before it', async () => {
    const error = await run(ref('a.db'), `SELECT 'before' AS said; ATTACH '${outsideDir}/secret.db' AS c;`, { keepResultSets: 'all', maxRows: 101 }).catch((e) => e);
    expect(error).toBeInstanceOf(PermanentTargetError);
    expect(partialOutputOf(error)?.resultSets.map((s) => s.rows)).toEqual([[['before']]]);
  });

  it('refuses a script of more than 10,000 statements (GO repeats included) at once, before anything runs', async () => {
    const started = Date.now();
    const error = await run(ref('a.db'), 'CREATE TABLE IF NOT EXISTS n (x); INSERT INTO n VALUES (1);\nGO 5001').catch((e) => e);
    expect(error).toBeInstanceOf(PermanentTargetError);
    expect(error.message).toContain('10,002 statements');
    expect(error.message).toContain('at most 10,000');
    expect(Date.now() - started).toBeLessThan(2_000);
    const db = new Database(path.join(root, 'tenants', 'a.db'));
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'n'").get()).toEqual({ n: 0 });
    db.close();
  });
});

describe('sqlite driver: links and memory', () => {
  it('does not follow a dangling link in the root to create a result destination outside it', async () => {
    const target = path.join(outsideDir, 'created-through-link.db');
    fs.symlinkSync(target, path.join(root, 'tenants', 'results.db'));
    const error = await driver()
      .withSession!(ref('results.db'), credential, (session) => session.query('CREATE TABLE r (x)'))
      .catch((e) => e);
    expect(error).toBeInstanceOf(PermanentTargetError);
    expect(error.message).toContain('outside the SQLite targets root');
    expect(fs.existsSync(target)).toBe(false);
  });

  it('refuses a database whose journal name is a dangling link out of the root', async () => {
    const target = path.join(outsideDir, 'journal-elsewhere');
    fs.symlinkSync(target, path.join(root, 'tenants', 'a.db-journal'));
    await expect(run(ref('a.db'), 'CREATE TABLE t (x)')).rejects.toThrow('outside the SQLite targets root');
    await expect(driver().withSession!(ref('a.db'), credential, (s) => s.query('CREATE TABLE t (x)'))).rejects.toThrow('outside the SQLite targets root');
    expect(fs.existsSync(target)).toBe(false);
  });

  it('follows a link that stays inside the root', async () => {
    fs.symlinkSync(path.join(root, 'tenants', 'a.db'), path.join(root, 'tenants', 'alias.db'));
    await expect(run(ref('alias.db'), 'SELECT 1')).resolves.toMatchObject({ batches: 1 });
  });

  it('creates a missing destination file 0600', async () => {
    await driver().withSession!(ref('fresh.db'), credential, (s) => s.query('CREATE TABLE r (x)'));
    expect(fs.statSync(path.join(root, 'tenants', 'fresh.db')).mode & 0o777).toBe(0o600);
  });

  it('stops an attempt process that grows past its memory bound, with a permanent error', async () => {
    const bounded = createSqliteDriver({ root, processMemoryMb: 150 });
    const started = Date.now();
    const error = await bounded
      .run(ref('a.db'), credential, {
        // 400 blobs of 1 MB kept for a destination: Buffers live outside V8's heap, so only the resident watch sees them.
        script: 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 400) SELECT zeroblob(1000000) FROM c',
        signal: new AbortController().signal,
        keepResultSets: 'first',
      })
      .catch((e) => e);
    expect(error).toBeInstanceOf(PermanentTargetError);
    expect(error.message).toContain('memory bound of 150 MB');
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('runs at most maxProcesses attempt processes at once; a waiting attempt can be cancelled', async () => {
    const one = createSqliteDriver({ root, maxProcesses: 1 });
    const first = new AbortController();
    const running = one.run(ref('a.db'), credential, { script: LONG_WRITE, signal: first.signal, keepResultSets: 'none' }).catch((e) => e);
    const second = new AbortController();
    const waiting = one.run(ref('b.sqlite'), credential, { script: 'SELECT 1', signal: second.signal, keepResultSets: 'none' }).catch((e) => e);
    await new Promise((r) => setTimeout(r, 300));
    const cancelledAt = Date.now();
    second.abort();
    expect(await waiting).toBeInstanceOf(TaskCanceledError);
    expect(Date.now() - cancelledAt).toBeLessThan(200);
    first.abort();
    expect(await running).toBeInstanceOf(TaskCanceledError);
    await expect(one.run(ref('b.sqlite'), credential, { script: 'SELECT 1', signal: new AbortController().signal, keepResultSets: 'first' })).resolves.toMatchObject({ batches: 1 });
  });
});
