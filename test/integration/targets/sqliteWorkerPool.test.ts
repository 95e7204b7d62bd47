/**
 * The SQLite driver's worker processes (src/targets/sqliteWorkerPool.ts), on real files and real
 * child processes: a worker serves one attempt after another, and nothing of one attempt reaches
 * the next; a worker whose attempt was cancelled, killed by its memory bound or stopped by a later
 * attempt is replaced; idle workers exit; there are never more than the cap.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { sessionTagOf } from '../../../src/domain/attemptRecord';
import type { ConnectionCredential, DatabaseRef, RunOptions } from '../../../src/targets/driver';
import { PermanentTargetError, ScriptFailedError, TaskCanceledError, TransientTargetError } from '../../../src/targets/errors';
import { SQLITE_WORKER_MARK } from '../../../src/targets/sqliteAttemptProcess';
import { createSqliteDriver, type SqliteDriverOptions, type SqliteTargetDriver } from '../../../src/targets/sqliteDriver';
import { reusableAfter } from '../../../src/targets/sqliteWorkerPool';

const credential: ConnectionCredential = { authentication: 'sql', username: 'unused' };
const LONG_WRITE = 'CREATE TABLE big AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200000000) SELECT x FROM c';
let base: string;
let root: string;
const drivers: SqliteTargetDriver[] = [];
const ref = (databaseName: string): DatabaseRef => ({ engine: 'sqlite', serverName: 'tenants', databaseName });
const make = (options: Partial<SqliteDriverOptions> = {}) => {
  const driver = createSqliteDriver({ root, busyTimeoutMs: 200, ...options });
  drivers.push(driver);
  return driver;
};
const run = (driver: SqliteTargetDriver, databaseName: string, script: string, options: Partial<RunOptions> = {}) =>
  driver.run(ref(databaseName), credential, { script, signal: new AbortController().signal, keepResultSets: 'all', ...options });
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
};
async function until(check: () => boolean, what: string, timeoutMs = 5_000) {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await sleep(20);
  }
}

beforeEach(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'ej-sqlite-pool-'));
  root = path.join(base, 'root');
  fs.mkdirSync(path.join(root, 'tenants'), { recursive: true });
  for (const name of ['a.db', 'b.db']) new Database(path.join(root, 'tenants', name)).close();
});
afterEach(async () => {
  for (const driver of drivers.splice(0)) await driver.close();
  fs.rmSync(base, { recursive: true, force: true });
});

describe('sqlite worker processes', () => {
  it('runs sequential attempts, on different databases and after a SQL error, in the same worker process', async () => {
    const driver = make();
    await run(driver, 'a.db', 'SELECT 1');
    const [pid] = driver.workerStats().pids;
    expect(pid).toBeGreaterThan(0);
    await run(driver, 'b.db', 'CREATE TABLE t (x); INSERT INTO t VALUES (1);');
    await expect(run(driver, 'a.db', 'SELECT * FROM missing_table')).rejects.toBeInstanceOf(ScriptFailedError);
    await expect(run(driver, 'a.db', "ATTACH 'b.db' AS b")).rejects.toThrow('ATTACH and DETACH is refused');
    const result = await run(driver, 'b.db', 'SELECT x FROM t');
    expect(result.resultSets[0].rows).toEqual([[1]]);
    expect(driver.workerStats()).toEqual({ pids: [pid], busy: 0, idle: 1, started: 1 });
  });

  it('gives an attempt nothing of the previous attempt on the same worker: no TEMP table, no connection PRAGMA, no open transaction', async () => {
    const driver = make();
    const defaults = await run(driver, 'a.db', 'PRAGMA cache_size; PRAGMA foreign_keys; PRAGMA query_only;');
    const [pid] = driver.workerStats().pids;
    await run(driver, 'a.db', "CREATE TEMP TABLE leftover (x); INSERT INTO leftover VALUES ('secret'); PRAGMA cache_size = -12345; PRAGMA foreign_keys = ON; PRAGMA query_only = ON; BEGIN;");
    const next = await run(driver, 'a.db', "SELECT count(*) FROM temp.sqlite_schema WHERE name = 'leftover'; PRAGMA cache_size; PRAGMA foreign_keys; PRAGMA query_only; CREATE TABLE written (x);");
    expect(driver.workerStats().pids).toEqual([pid]);
    expect(next.resultSets.map((s) => s.rows)).toEqual([[[0]], ...defaults.resultSets.map((s) => s.rows)]);
    expect(defaults.resultSets[0].rows).not.toEqual([[-12345]]);
    // The unfinished BEGIN of the earlier attempt was rolled back with its connection: the file is free.
    const db = new Database(path.join(root, 'tenants', 'a.db'), { timeout: 0 });
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'written'").get()).toEqual({ n: 1 });
    db.close();
  });

  it('replaces the worker of a cancelled attempt; the next attempt runs on a new worker and the old process is gone', async () => {
    const driver = make();
    await run(driver, 'a.db', 'SELECT 1');
    const [first] = driver.workerStats().pids;
    const controller = new AbortController();
    const running = run(driver, 'a.db', LONG_WRITE, { signal: controller.signal });
    await sleep(300);
    controller.abort();
    await expect(running).rejects.toBeInstanceOf(TaskCanceledError);
    await until(() => !alive(first), 'the cancelled worker to end');
    await expect(run(driver, 'a.db', 'CREATE TABLE after_cancel (x); SELECT count(*) FROM sqlite_schema;')).resolves.toMatchObject({ batches: 1 });
    const { pids, started } = driver.workerStats();
    expect(pids).toHaveLength(1);
    expect(pids[0]).not.toBe(first);
    expect(started).toBe(2);
  });

  it('kills a worker that passes its memory bound, and the next attempt runs on a new one', async () => {
    const driver = make({ processMemoryMb: 150 });
    await run(driver, 'a.db', 'SELECT 1');
    const [first] = driver.workerStats().pids;
    const error = await run(driver, 'a.db', 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 400) SELECT zeroblob(1000000) FROM c', { keepResultSets: 'first' }).catch((e) => e);
    expect(error).toBeInstanceOf(PermanentTargetError);
    expect(error.message).toContain('memory bound of 150 MB');
    expect(alive(first)).toBe(false);
    const result = await run(driver, 'a.db', 'SELECT 42');
    expect(result.resultSets[0].rows).toEqual([[42]]);
    expect(driver.workerStats().pids).not.toContain(first);
  }, 30_000);

  it('lets idle workers exit after the idle time, so an idle host holds no process', async () => {
    const driver = make({ workerIdleMs: 300 });
    await Promise.all([run(driver, 'a.db', 'SELECT 1'), run(driver, 'b.db', 'SELECT 2')]);
    const { pids } = driver.workerStats();
    expect(pids).toHaveLength(2);
    await until(() => pids.every((pid) => !alive(pid)), 'the idle workers to exit');
    expect(driver.workerStats()).toMatchObject({ pids: [], busy: 0, idle: 0 });
    await expect(run(driver, 'a.db', 'SELECT 3')).resolves.toMatchObject({ batches: 1 });
  });

  it('never holds more worker processes than maxProcesses', async () => {
    const driver = make({ maxProcesses: 2 });
    let most = 0;
    const sampler = setInterval(() => (most = Math.max(most, driver.workerStats().pids.length)), 5);
    try {
      await Promise.all(Array.from({ length: 8 }, (_, i) => run(driver, i % 2 ? 'a.db' : 'b.db', 'CREATE TABLE IF NOT EXISTS n (x); INSERT INTO n VALUES (1);')));
    } finally {
      clearInterval(sampler);
    }
    expect(most).toBeLessThanOrEqual(2);
    expect(driver.workerStats().started).toBeLessThanOrEqual(2);
    const db = new Database(path.join(root, 'tenants', 'a.db'));
    expect(db.prepare('SELECT count(*) AS n FROM n').get()).toEqual({ n: 4 });
    db.close();
  });

  it('stopEarlierSessions kills the worker running the tagged attempt and spares the one running another tag', async () => {
    const driver = make();
    const earlier = sessionTagOf('11111111-1111-4111-8111-111111111111');
    const other = sessionTagOf('22222222-2222-4222-8222-222222222222');
    const first = run(driver, 'a.db', LONG_WRITE, { sessionTag: earlier }).catch((e) => e);
    const second = new AbortController();
    const running = run(driver, 'b.db', LONG_WRITE, { sessionTag: other, signal: second.signal }).catch((e) => e);
    await until(() => driver.workerStats().busy === 2, 'both attempts to run');
    const began = Date.now();
    await driver.stopEarlierSessions(ref('a.db'), credential, [earlier]);
    expect(Date.now() - began).toBeLessThan(3_000);
    expect(await first).toBeInstanceOf(TransientTargetError);
    expect(driver.workerStats().busy).toBe(1);
    // The file is free at once: the killed statement's write rolls back.
    const db = new Database(path.join(root, 'tenants', 'a.db'), { timeout: 0 });
    db.exec('CREATE TABLE after_stop (x)');
    db.close();
    second.abort();
    expect(await running).toBeInstanceOf(TaskCanceledError);
    await driver.stopEarlierSessions(ref('a.db'), credential, [earlier, other]);
  }, 30_000);

  it('stopEarlierSessions also ends a worker an earlier host left behind (its host pid is no longer its parent), and waits for it', async () => {
    // Stands for a worker whose host died and whose watchdog has not fired yet: the mark and a host pid that is not its parent.
    const orphan = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'x', SQLITE_WORKER_MARK, '1'], { stdio: 'ignore' });
    const live = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'x', SQLITE_WORKER_MARK, String(process.pid)], { stdio: 'ignore' });
    try {
      await until(() => [orphan, live].every((c) => fs.existsSync(`/proc/${c.pid}/cmdline`) && fs.readFileSync(`/proc/${c.pid}/cmdline`, 'utf8').includes(SQLITE_WORKER_MARK)), 'both processes to start');
      await make().stopEarlierSessions(ref('a.db'), credential, [sessionTagOf('33333333-3333-4333-8333-333333333333')]);
      expect(alive(orphan.pid!)).toBe(false);
      // A worker whose host is alive (this process) is another host's business, or its own pool's.
      expect(alive(live.pid!)).toBe(true);
    } finally {
      orphan.kill('SIGKILL');
      live.kill('SIGKILL');
    }
  });

  it('close ends every worker process', async () => {
    const driver = make();
    await Promise.all([run(driver, 'a.db', 'SELECT 1'), run(driver, 'b.db', 'SELECT 2')]);
    const { pids } = driver.workerStats();
    expect(pids).toHaveLength(2);
    await driver.close();
    await until(() => pids.every((pid) => !alive(pid)), 'the workers to end');
  });
});

describe('which attempt leaves its worker reusable', () => {
  const sets = { resultSets: [], omittedResultSets: 0, resultSetsAt: 0, statements: 1 };
  it.each([
    [true, { ok: true as const, closed: true }],
    [true, { ok: false as const, code: 'SQLITE_ERROR', message: 'no such table', line: 1, closed: true }],
    [true, { ok: false as const, code: 'SQLITE_CONSTRAINT_UNIQUE', message: 'unique', line: 1, closed: true }],
    [true, { ok: false as const, code: 'ELASTIC_JOBS_REFUSED', message: 'refused', line: 1, closed: true }],
    [false, { ok: true as const, closed: false }],
    [false, { ok: false as const, code: null, message: 'RangeError: Invalid array length', line: 1, closed: true }],
    [false, { ok: false as const, code: 'SQLITE_NOMEM', message: 'out of memory', line: 1, closed: true }],
    [false, { ok: false as const, code: 'SQLITE_IOERR_WRITE', message: 'disk I/O error', line: 1, closed: true }],
    [false, { ok: false as const, code: 'SQLITE_CORRUPT', message: 'malformed', line: 1, closed: true }],
  ])('%s after %j', (expected, reply) => {
    expect(reusableAfter({ ...sets, ...reply })).toBe(expected);
  });
});
