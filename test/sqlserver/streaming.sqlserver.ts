/**
 * The SQL Server driver's bounded reading against a real server (MSSQL_TEST_URL): rows that
 * nothing keeps pass through without being held, a failing script keeps what it printed and
 * returned before its error, and a cancel or a task timeout stops the statement on the server.
 * Run with `npm run test:sqlserver`.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { createSqlServerDriver } from '../../src/targets/sqlServerDriver';
import { partialOutputOf, ScriptFailedError } from '../../src/targets/errors';
import type { ConnectionCredential, DatabaseRef, RunOptions } from '../../src/targets/driver';
import { createDatabases, dropDatabases, RUN, serverName, settings } from './serverUnderTest';

const databaseName = `${RUN}_stream`;
const database: DatabaseRef = { engine: 'sqlserver', serverName, databaseName };
const credential: ConnectionCredential = { authentication: 'sql', username: settings.user!, password: settings.password, allowedServers: ['*'] };
const driver = createSqlServerDriver({ encrypt: settings.encrypt, trustServerCertificate: settings.trustServerCertificate });

const run = (script: string, options: Partial<RunOptions> = {}) => driver.run(database, credential, { script, signal: new AbortController().signal, keepResultSets: 'none', ...options });

// 2,000,000 rows of a number and 50 characters from a cross join of digits (no table needed, any TDS server).
const TWO_MILLION_ROWS = `
WITH d AS (SELECT n FROM (VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)) AS v(n))
SELECT a.n + 10*b.n + 100*c.n + 1000*e.n + 10000*f.n + 100000*g.n + 1000000*h.n AS n, REPLICATE(N'x', 50) AS filler
FROM d a CROSS JOIN d b CROSS JOIN d c CROSS JOIN d e CROSS JOIN d f CROSS JOIN d g CROSS JOIN (SELECT n FROM d WHERE n < 2) h`;

// Minutes of work on any TDS server (Babelfish refuses WAITFOR outside master): a count over 10^10 generated rows.
const LONG_RUNNING = `
WITH d AS (SELECT n FROM (VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)) AS v(n))
SELECT COUNT_BIG(*) AS n FROM d a CROSS JOIN d b CROSS JOIN d c CROSS JOIN d e CROSS JOIN d f CROSS JOIN d g CROSS JOIN d h CROSS JOIN d i CROSS JOIN d j CROSS JOIN d k`;

function gc(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

beforeAll(async () => {
  await createDatabases([databaseName]);
});
afterAll(async () => {
  await driver.close();
  await dropDatabases();
});

describe(`SQL Server driver reading at ${serverName}`, () => {
  it('a 2,000,000-row SELECT with no destination and no capture succeeds without holding its rows', async () => {
    gc();
    const baseline = process.memoryUsage().heapUsed;
    let peak = 0;
    // Collected heap measured while rows arrive: held rows (about 150 bytes each) would show as 300 MB.
    const sampler = setInterval(() => {
      gc();
      peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
    }, 250);
    try {
      const result = await run(TWO_MILLION_ROWS);
      expect(result.resultSets).toEqual([]);
      expect(result.batches).toBe(1);
    } finally {
      clearInterval(sampler);
    }
    process.stdout.write(`2,000,000-row SELECT: peak collected heap growth ${(peak / 1024 / 1024).toFixed(1)} MB\n`);
    expect(peak).toBeLessThan(64 * 1024 * 1024);
  });

  it('the destination set keeps every row of the first result set and counts the rest', async () => {
    const result = await run("SELECT 1 AS a UNION ALL SELECT 2; SELECT N'second' AS b", { keepResultSets: 'first' });
    expect(result.resultSets).toHaveLength(1);
    expect(result.resultSets[0].rows).toEqual([[1], [2]]);
    expect(result.resultSets[0].columns.map((c) => c.name)).toEqual(['a']);
  });

  it('a failing script keeps the PRINT messages and the result set it produced before the error', async () => {
    const failure = await run("PRINT 'step 1'; SELECT 42 AS answer; PRINT 'step 2';\nRAISERROR('boom at step 3', 16, 1);", { keepResultSets: 'all', maxRows: 100 }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ScriptFailedError);
    expect((failure as Error).message).toMatch(/^Msg 50000, Level 16, State 1, Line 2: boom at step 3/);
    const partial = partialOutputOf(failure);
    expect(partial?.messages).toEqual(['step 1', 'step 2']);
    expect(partial?.resultSets.map((s) => s.rows)).toEqual([[[42]]]);
  });

  it('a failing later batch keeps the messages of the batches before it', async () => {
    const failure = await run("PRINT 'batch 1'\nGO\nPRINT 'batch 2'\nSELECT 1/0 AS boom\nGO", { keepResultSets: 'all', maxRows: 100 }).catch((error: unknown) => error);
    expect((failure as Error).message).toMatch(/^Msg 8134, Level 16, State 1, Line 4: divi(de|sion) by zero/i);
    expect(partialOutputOf(failure)?.messages).toEqual(['batch 1', 'batch 2']);
  });

  it('a cancel stops a running statement and is recorded as a cancel, with the output of the batches before it', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 1_000);
    const started = Date.now();
    // A server sends a batch's small results when the batch ends (its packet fills): the first batch's are read before the cancel.
    const failure = await run(`SELECT 'before' AS step\nGO\n${LONG_RUNNING}`, { signal: controller.signal, keepResultSets: 'all', maxRows: 100 }).catch((error: unknown) => error);
    expect(String(failure)).toMatch(/^TaskCanceledError/);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(partialOutputOf(failure)?.resultSets[0].rows).toEqual([['before']]);
  });

  it('the task timeout stops a running statement and is recorded as a timeout', async () => {
    const started = Date.now();
    const failure = await run(LONG_RUNNING, { timeoutMs: 1_000 }).catch((error: unknown) => error);
    expect(String(failure)).toMatch(/^TaskTimeoutError/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
