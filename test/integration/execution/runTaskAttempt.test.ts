import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { CONTROL_DIALECTS } from '../../support/controlDatabases';
import { countRows, createExecutionHarness, TARGET_PASSWORD, type ExecutionHarness } from '../../support/executionHarness';
import { adminQuery, createTestDatabase, uniqueDatabaseName } from '../../support/postgres';
import { Client } from 'pg';

async function sleepersIn(database: string): Promise<number> {
  const { rows } = await adminQuery(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND query ILIKE '%pg_sleep%' AND pid <> pg_backend_pid()`, [database]);
  return rows[0].n as number;
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe.each(CONTROL_DIALECTS)('runTaskAttempt on %s', (dialect) => {
  let h: ExecutionHarness;
  let db: { name: string; url: string; drop: () => Promise<void> };
  let targetId: string;
  let jobs = 0;

  beforeAll(async () => {
    h = await createExecutionHarness(dialect);
    db = await createTestDatabase('attempt');
    targetId = await h.databaseTarget(db.name);
  });
  afterAll(async () => {
    await h.close();
    await db.drop();
  });

  /** Starts a job on the test database and expands it; returns parent and child ids. */
  async function started(spec: { script: string; targetId?: string; captureOutput?: boolean; allowedServers?: string[]; credentialName?: string }) {
    const name = `job-${++jobs}`;
    const parentId = await h.start(await h.job({ name, targetId: spec.targetId ?? targetId, ...spec }));
    const plan = await h.activities.expandJobExecution({ executionId: parentId });
    return { name, parentId, childId: plan.children[0].executionId };
  }

  const tasksOf = (childId: string) => h.api.services.control.db.selectFrom('taskExecutions').selectAll().where('jobExecutionId', '=', childId).execute();
  const child = (id: string) => h.api.services.control.db.selectFrom('jobExecutions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('runs the script and records one Succeeded task; run again, it returns the recorded outcome without running twice', async () => {
    const { childId } = await started({ script: 'CREATE TABLE IF NOT EXISTS runs (n int); INSERT INTO runs VALUES (1);' });
    const first = await h.activities.runTaskAttempt({ executionId: childId, attempt: 1, timeoutMs: null });
    expect(first).toEqual({ lifecycle: 'Succeeded', retryable: false, message: null });
    const second = await h.activities.runTaskAttempt({ executionId: childId, attempt: 1, timeoutMs: null });
    expect(second).toEqual(first);

    const tasks = await tasksOf(childId);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ attempt: 1, lifecycle: 'Succeeded', message: null });
    expect(tasks[0].startTime).not.toBeNull();
    expect(tasks[0].endTime).not.toBeNull();
    const c = await child(childId);
    expect(c.lifecycle).toBe('InProgress');
    expect(c.startTime).not.toBeNull();
    const target = new Client({ connectionString: db.url });
    await target.connect();
    try {
      expect((await target.query('SELECT count(*)::int AS n FROM runs')).rows[0].n).toBe(1);
    } finally {
      await target.end();
    }
  });

  it("records a failing script as a retryable Failed task with the server's message, also on the child", async () => {
    const { childId } = await started({ script: 'SELECT * FROM no_such_table' });
    const out = await h.activities.runTaskAttempt({ executionId: childId, attempt: 1, timeoutMs: null });
    expect(out.lifecycle).toBe('Failed');
    expect(out.retryable).toBe(true);
    expect(out.message).toContain('no_such_table');
    const [task] = await tasksOf(childId);
    expect(task).toMatchObject({ lifecycle: 'Failed', message: out.message });
    expect((await child(childId)).lastMessage).toBe(`Attempt 1: ${out.message}`);

    // Attempt 2 is a row of its own.
    await h.activities.runTaskAttempt({ executionId: childId, attempt: 2, timeoutMs: null });
    expect((await tasksOf(childId)).map((t) => t.attempt).sort()).toEqual([1, 2]);
  });

  it('fails a named database that does not exist, retryable (it may yet be created), the task Failed with the reason', async () => {
    const name = uniqueDatabaseName('gone');
    const gone = await h.databaseTarget(name);
    const { childId } = await started({ script: 'SELECT 1', targetId: gone });
    const out = await h.activities.runTaskAttempt({ executionId: childId, attempt: 1, timeoutMs: null });
    expect(out.lifecycle).toBe('Failed');
    expect(out.retryable).toBe(true);
    expect(out.message).toMatch(new RegExp(`^The database '${name}' does not exist on server '.+'\\.$`));
    const [task] = await tasksOf(childId);
    expect(task).toMatchObject({ lifecycle: 'Failed', message: out.message });
    // A re-run of the finished attempt answers exactly as the first did.
    expect(await h.activities.runTaskAttempt({ executionId: childId, attempt: 1, timeoutMs: null })).toEqual(out);
  });

  it('cancels the running statement on the server when the execution is cancelled', async () => {
    const { parentId, childId } = await started({ script: 'SELECT pg_sleep(30)' });
    const running = h.activities.runTaskAttempt({ executionId: childId, attempt: 1, timeoutMs: null });
    await until(async () => (await sleepersIn(db.name)) > 0, 'the statement to run');
    const t0 = Date.now();
    const cancel = await h.api.call('POST', `executions/${parentId}/cancel`);
    expect(cancel.status).toBe(202);
    expect(h.orchestrations.cancelled.at(-1)).toEqual([parentId, childId]);
    const out = await running;
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(out).toMatchObject({ lifecycle: 'Canceled', retryable: false });
    expect((await tasksOf(childId))[0].lifecycle).toBe('Canceled');
    await until(async () => (await sleepersIn(db.name)) === 0, 'pg_sleep to be gone');
  });

  it('stops every running attempt of a cancelled execution (one watcher serves them all)', async () => {
    const dbs = await Promise.all([1, 2, 3].map(() => createTestDatabase('many')));
    try {
      const ids = [];
      for (const d of dbs) ids.push(await h.databaseTarget(d.name));
      const collection = await h.collection(`many-${jobs}`, ids.map((id) => ({ id })));
      const parentId = await h.start(await h.job({ name: `many-${++jobs}`, targetId: collection, script: 'SELECT pg_sleep(30)' }));
      const plan = await h.activities.expandJobExecution({ executionId: parentId });
      const running = plan.children.map((c) => h.activities.runTaskAttempt({ executionId: c.executionId, attempt: 1, timeoutMs: null }));
      for (const d of dbs) await until(async () => (await sleepersIn(d.name)) > 0, `the statement on ${d.name}`);
      expect((await h.api.call('POST', `executions/${parentId}/cancel`)).status).toBe(202);
      const outcomes = await Promise.all(running);
      expect(outcomes.map((o) => o.lifecycle)).toEqual(['Canceled', 'Canceled', 'Canceled']);
      for (const d of dbs) await until(async () => (await sleepersIn(d.name)) === 0, `pg_sleep to be gone from ${d.name}`);
    } finally {
      await Promise.all(dbs.map((d) => d.drop()));
    }
  });

  it('stops the statement at the attempt timeout: TimedOut, retryable, pg_sleep gone', async () => {
    const { childId } = await started({ script: 'SELECT pg_sleep(30)' });
    const t0 = Date.now();
    const out = await h.activities.runTaskAttempt({ executionId: childId, attempt: 1, timeoutMs: 500 });
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(out).toMatchObject({ lifecycle: 'TimedOut', retryable: true });
    expect((await tasksOf(childId))[0].lifecycle).toBe('TimedOut');
    await until(async () => (await sleepersIn(db.name)) === 0, 'pg_sleep to be gone');
  });

  it('stops a running statement when the job times out under it (the child is ended TimedOut)', async () => {
    const { parentId, childId } = await started({ script: 'SELECT pg_sleep(30)' });
    const running = h.activities.runTaskAttempt({ executionId: childId, attempt: 1, timeoutMs: null });
    await until(async () => (await sleepersIn(db.name)) > 0, 'the statement to run');
    await h.activities.completeJobExecution({ executionId: parentId, reason: 'TimedOut' });
    const out = await running;
    expect(out.lifecycle).toBe('TimedOut');
    expect((await tasksOf(childId))[0].lifecycle).toBe('TimedOut');
    expect((await child(childId)).lifecycle).toBe('TimedOut');
    await until(async () => (await sleepersIn(db.name)) === 0, 'pg_sleep to be gone');
  });

  it('does not run on a child that already ended or whose execution was cancelled, and writes no task', async () => {
    const ended = await started({ script: 'SELECT 1' });
    await h.activities.markJobExecution({ executionId: ended.childId, lifecycle: 'Canceled', message: 'cancelled alone' });
    const calls = h.driverCalls.length;
    expect(await h.activities.runTaskAttempt({ executionId: ended.childId, attempt: 1, timeoutMs: null })).toEqual({ lifecycle: 'Canceled', retryable: false, message: 'cancelled alone' });

    const flagged = await started({ script: 'SELECT 1' });
    expect((await h.api.call('POST', `executions/${flagged.parentId}/cancel`)).status).toBe(202);
    const out = await h.activities.runTaskAttempt({ executionId: flagged.childId, attempt: 1, timeoutMs: null });
    expect(out).toMatchObject({ lifecycle: 'Canceled', retryable: false });
    expect(h.driverCalls.length).toBe(calls);
    expect(await tasksOf(ended.childId)).toEqual([]);
    expect(await tasksOf(flagged.childId)).toEqual([]);
  });

  it('refuses at run time, without connecting, once the credential no longer admits the server', async () => {
    let connections = 0;
    const listener = net.createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    try {
      const port = (listener.address() as net.AddressInfo).port;
      const far = await h.databaseTarget('far', `127.0.0.1:${port}`);
      const { childId } = await started({ script: 'SELECT 1', targetId: far, credentialName: 'narrowed' });
      expect((await h.api.call('PUT', 'credentials/narrowed', { body: { allowedServers: ['db.example.com'] } })).status).toBe(200);
      const out = await h.activities.runTaskAttempt({ executionId: childId, attempt: 1, timeoutMs: null });
      expect(out.lifecycle).toBe('Failed');
      expect(out.retryable).toBe(false);
      expect(out.message).toContain(`127.0.0.1:${port}`);
      expect(out.message).toContain("'db.example.com'");
      expect(connections).toBe(0);
      expect(h.driverCalls.some((c) => c.method === 'run' && c.serverName === `127.0.0.1:${port}`)).toBe(false);
    } finally {
      await new Promise((r) => listener.close(r));
    }
  });

  it('captures result sets and messages when the job asks, capped and saying so', async () => {
    const script = `DO $$ BEGIN RAISE NOTICE 'hello from the script'; END $$; SELECT g AS n FROM generate_series(1, 150) AS g; SELECT 'x' AS word;`;
    const { parentId, childId } = await started({ script, captureOutput: true });
    expect((await h.activities.runTaskAttempt({ executionId: childId, attempt: 1, timeoutMs: null })).lifecycle).toBe('Succeeded');
    const list = await h.api.call('GET', `executions/${parentId}/tasks`);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).not.toHaveProperty('output');
    const task = await h.api.call('GET', `tasks/${list.body.items[0].id}`);
    expect(task.status).toBe(200);
    const output = task.body.output;
    expect(output.limits).toEqual({ rowsPerResultSet: 100, totalBytes: 65536 });
    expect(output.truncated).toBe(true);
    expect(output.messages.join('\n')).toContain('hello from the script');
    expect(output.resultSets).toHaveLength(2);
    expect(output.resultSets[0].columns).toEqual([{ name: 'n', type: expect.any(String) }]);
    expect(output.resultSets[0].rows).toHaveLength(100);
    expect(output.resultSets[0].rows[0]).toEqual([1]);
    expect(output.resultSets[0].truncated).toBe(true);
    expect(output.resultSets[1]).toEqual({ columns: [{ name: 'word', type: expect.any(String) }], rows: [['x']], truncated: false });
  });

  it('writes the first result set to the destination, once per child however often the attempt runs', async () => {
    const dest = await createTestDatabase('dest');
    try {
      await h.credential(`dest-${jobs}`, ['127.0.0.1*']);
      const destination = { engine: 'postgres', serverName: '127.0.0.1:5432', databaseName: dest.name, schemaName: 'public', tableName: 'collected', credentialName: `dest-${jobs}` };
      const name = `collect-${++jobs}`;
      const parentId = await h.start(await h.job({ name, targetId, script: 'SELECT current_database() AS db, 42 AS answer; SELECT 2', resultSetDestination: destination }));
      const [c] = (await h.activities.expandJobExecution({ executionId: parentId })).children;
      expect((await h.activities.runTaskAttempt({ executionId: c.executionId, attempt: 1, timeoutMs: null })).lifecycle).toBe('Succeeded');
      // A retry of the same child (attempt 2) replaces its rows instead of adding to them.
      expect((await h.activities.runTaskAttempt({ executionId: c.executionId, attempt: 2, timeoutMs: null })).lifecycle).toBe('Succeeded');
      const client = new Client({ connectionString: dest.url });
      await client.connect();
      try {
        const { rows } = await client.query('SELECT db, answer, internal_execution_id, source_server, source_database FROM public.collected');
        expect(rows).toEqual([{ db: db.name, answer: 42, internal_execution_id: c.executionId, source_server: '127.0.0.1:5432', source_database: db.name }]);
      } finally {
        await client.end();
      }

      // Once the destination credential no longer admits the server, the attempt fails without writing.
      expect((await h.api.call('PUT', `credentials/${destination.credentialName}`, { body: { allowedServers: ['elsewhere.example'] } })).status).toBe(200);
      const refused = await h.activities.runTaskAttempt({ executionId: c.executionId, attempt: 3, timeoutMs: null });
      expect(refused).toMatchObject({ lifecycle: 'Failed', retryable: false });
      expect(refused.message).toContain("'elsewhere.example'");
    } finally {
      await dest.drop();
    }
  });

  it('fails a DACPAC content without applying anything, not retryably, saying why', async () => {
    expect((await h.api.call('POST', 'contents', { body: { name: 'schema', type: 'dacpac', dacpacUri: 'https://stej42.blob.core.windows.net/dacpacs/schema.dacpac' } })).status).toBe(201);
    await h.credential('dacpac-cred', ['127.0.0.1*']);
    expect((await h.api.call('POST', 'jobs', { body: { name: 'deploy', contentName: 'schema', credentialName: 'dacpac-cred', targetId } })).status).toBe(201);
    const parentId = await h.start('deploy');
    const [c] = (await h.activities.expandJobExecution({ executionId: parentId })).children;
    const out = await h.activities.runTaskAttempt({ executionId: c.executionId, attempt: 1, timeoutMs: null });
    expect(out.lifecycle).toBe('Failed');
    expect(out.retryable).toBe(false);
    expect(out.message).toMatch(/DACPAC/);
  });

  it('never writes the password into a task, a message or a log line', async () => {
    const all = await h.api.services.control.db.selectFrom('taskExecutions').select(['message', 'output']).execute();
    expect(all.length).toBeGreaterThan(5);
    expect(JSON.stringify(all)).not.toContain(TARGET_PASSWORD);
    expect(h.api.logs.join('\n')).not.toContain(TARGET_PASSWORD);
    expect(await countRows(h.api, 'taskExecutions')).toBe(all.length);
  });
});
