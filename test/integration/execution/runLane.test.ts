/**
 * runLane, the lane activity, on every control database dialect against real PostgreSQL
 * targets: it claims, runs and records children; an attempt is one task execution written
 * whole; a retry is queued by the policy; a cancel stops running statements and ends queued
 * children; a claim a dead run left is settled as interrupted and never run again under its
 * number.
 */
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { executionStore } from '../../../src/control/stores/executionStore';
import { INTERRUPTED_ATTEMPT_MESSAGE } from '../../../src/domain/attemptRecord';
import type { ExpandOutput, RetryPolicy, RunLaneInput } from '../../../src/execution/contracts';
import { CONTROL_DIALECTS } from '../../support/controlDatabases';
import { countRows, createExecutionHarness, TARGET_PASSWORD, type ExecutionHarness } from '../../support/executionHarness';
import { adminQuery, sleepersIn, createTestDatabase, uniqueDatabaseName } from '../../support/postgres';
import { until } from '../../support/until';



describe.each(CONTROL_DIALECTS)('runLane on %s', (dialect) => {
  let h: ExecutionHarness;
  let db: { name: string; url: string; drop: () => Promise<void> };
  let targetId: string;
  let jobs = 0;

  beforeAll(async () => {
    h = await createExecutionHarness(dialect);
    db = await createTestDatabase('lane');
    targetId = await h.databaseTarget(db.name);
  });
  afterAll(async () => {
    await h.close();
    await db.drop();
  });

  /** Starts a job and expands it; returns the parent id and the lane input of lane 0. */
  async function started(spec: { script: string; targetId?: string; captureOutput?: boolean; allowedServers?: string[]; credentialName?: string; resultSetDestination?: Record<string, unknown> }) {
    const name = `job-${++jobs}`;
    const parentId = await h.start(await h.job({ name, targetId: spec.targetId ?? targetId, ...spec }));
    const plan = await h.activities.expandJobExecution({ executionId: parentId });
    return { name, parentId, plan, lane: laneOf(parentId, plan) };
  }
  const laneOf = (parentId: string, plan: ExpandOutput, policy: Partial<RetryPolicy> = {}): RunLaneInput => ({
    parentId,
    lane: 0,
    slots: plan.lanes[0]?.slots ?? 1,
    policy: { ...plan.policy, ...policy },
    deadline: plan.deadline,
  });
  const childrenOf = (parentId: string) =>
    h.api.services.control.db.selectFrom('jobExecutions').selectAll().where('parentId', '=', parentId).orderBy('targetDatabase').execute();
  const tasksOf = (childId: string) =>
    h.api.services.control.db.selectFrom('taskExecutions').selectAll().where('jobExecutionId', '=', childId).orderBy('attempt').execute();
  const runs = () => h.driverCalls.filter((c) => c.method === 'run').length;

  it('runs the script and writes one Succeeded task, whole; the child ends Succeeded and a second call runs nothing', async () => {
    const { parentId, lane } = await started({ script: 'CREATE TABLE IF NOT EXISTS runs (n int); INSERT INTO runs VALUES (1);' });
    expect(await h.activities.runLane(lane)).toEqual({ attempts: 1, more: false, nextNotBefore: null });
    const [child] = await childrenOf(parentId);
    expect(child).toMatchObject({ lifecycle: 'Succeeded', notBefore: null, runningTaskId: null });
    expect(child.startTime).not.toBeNull();
    expect(child.endTime).not.toBeNull();
    const tasks = await tasksOf(child.id);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ attempt: 1, lifecycle: 'Succeeded', message: null, outcome: 'Succeeded' });
    expect(tasks[0].startTime).not.toBeNull();
    expect(tasks[0].endTime).not.toBeNull();

    const before = runs();
    expect(await h.activities.runLane(lane)).toEqual({ attempts: 0, more: false, nextNotBefore: null });
    expect(runs()).toBe(before);
    const target = new Client({ connectionString: db.url });
    await target.connect();
    try {
      expect((await target.query('SELECT count(*)::int AS n FROM runs')).rows[0].n).toBe(1);
    } finally {
      await target.end();
    }
  });

  it("queues a failed attempt's retry after the policy's wait, then runs it as attempt 2 when it is due", async () => {
    const { parentId, lane } = await started({ script: 'SELECT * FROM no_such_table' });
    const policy = { ...lane.policy, maximumAttempts: 3, initialRetryIntervalMs: 60_000 };
    const first = await h.activities.runLane({ ...lane, policy });
    const due = new Date(h.clock.now().getTime() + 60_000).toISOString();
    expect(first).toEqual({ attempts: 1, more: false, nextNotBefore: due });
    let [child] = await childrenOf(parentId);
    const [task] = await tasksOf(child.id);
    expect(task).toMatchObject({ attempt: 1, lifecycle: 'Failed', retryable: 1 });
    expect(task.message).toContain('no_such_table');
    expect(child).toMatchObject({ lifecycle: 'WaitingForRetry', notBefore: due, lastMessage: `Attempt 1: ${task.message}` });

    // Not due yet: nothing runs.
    expect((await h.activities.runLane({ ...lane, policy })).attempts).toBe(0);
    h.clock.advance(60_000);
    expect((await h.activities.runLane({ ...lane, policy })).attempts).toBe(1);
    [child] = await childrenOf(parentId);
    expect((await tasksOf(child.id)).map((t) => [t.attempt, t.lifecycle])).toEqual([
      [1, 'Failed'],
      [2, 'Failed'],
    ]);
    expect(child.lifecycle).toBe('WaitingForRetry');
  });

  it('ends the child Failed after the last attempt the policy allows, retries without a wait running in the same call', async () => {
    const { parentId, lane } = await started({ script: 'SELECT * FROM no_such_table' });
    const out = await h.activities.runLane({ ...lane, policy: { ...lane.policy, maximumAttempts: 3, initialRetryIntervalMs: 0 } });
    expect(out).toEqual({ attempts: 3, more: false, nextNotBefore: null });
    const [child] = await childrenOf(parentId);
    expect(child.lifecycle).toBe('Failed');
    expect(child.lastMessage).toContain('no_such_table');
    expect((await tasksOf(child.id)).map((t) => t.attempt)).toEqual([1, 2, 3]);
  });

  it('fails a named database that does not exist, retryably, saying so', async () => {
    const name = uniqueDatabaseName('gone');
    const { parentId, lane } = await started({ script: 'SELECT 1', targetId: await h.databaseTarget(name) });
    await h.activities.runLane({ ...lane, policy: { ...lane.policy, maximumAttempts: 1 } });
    const [child] = await childrenOf(parentId);
    const [task] = await tasksOf(child.id);
    expect(task.message).toMatch(new RegExp(`^The database '${name}' does not exist on server '.+'\\.$`));
    expect(child.lifecycle).toBe('Failed');
  });

  it('cancels the running statement on the server and ends the child Canceled only after; the lanes are told', async () => {
    const { parentId, lane } = await started({ script: 'SELECT pg_sleep(30)' });
    const running = h.activities.runLane(lane);
    await until(async () => (await sleepersIn(db.name)) > 0, 'the statement to run');
    const [runningChild] = await childrenOf(parentId);
    expect(runningChild.lifecycle).toBe('InProgress');
    const t0 = Date.now();
    expect((await h.api.call('POST', `executions/${parentId}/cancel`)).status).toBe(202);
    expect(h.orchestrations.cancelled.at(-1)).toEqual([parentId, `${parentId}:lane:0`]);
    // Still running until its statement stopped.
    expect((await childrenOf(parentId))[0].lifecycle).toBe('InProgress');
    expect(await running).toEqual({ attempts: 1, more: false, nextNotBefore: null, stoppedBy: 'Canceled' });
    expect(Date.now() - t0).toBeLessThan(5_000);
    const [child] = await childrenOf(parentId);
    expect(child.lifecycle).toBe('Canceled');
    expect((await tasksOf(child.id))[0].lifecycle).toBe('Canceled');
    await until(async () => (await sleepersIn(db.name)) === 0, 'pg_sleep to be gone');
  });

  it('runs a lane with several slots at once, and a cancel stops every running attempt and ends the queued ones at once', async () => {
    const dbs = await Promise.all([1, 2, 3, 4, 5].map(() => createTestDatabase('many')));
    try {
      const ids = [];
      for (const d of dbs) ids.push(await h.databaseTarget(d.name));
      const collection = await h.collection(`many-${jobs}`, ids.map((id) => ({ id })));
      const parentId = await h.start(await h.job({ name: `many-${++jobs}`, targetId: collection, script: 'SELECT pg_sleep(30)', maxParallelism: 3 }));
      const plan = await h.activities.expandJobExecution({ executionId: parentId });
      expect(plan.lanes).toEqual([{ lane: 0, slots: 3 }]);
      const running = h.activities.runLane(laneOf(parentId, plan));
      await until(async () => (await childrenOf(parentId)).filter((c) => c.lifecycle === 'InProgress').length === 3, 'three running');
      await until(async () => (await Promise.all(dbs.map((d) => sleepersIn(d.name)))).reduce((a, b) => a + b, 0) === 3, 'three statements running');
      expect((await h.api.call('POST', `executions/${parentId}/cancel`)).status).toBe(202);
      // The two queued end at once, with no task; the three running end once stopped.
      const queued = (await childrenOf(parentId)).filter((c) => c.lifecycle === 'Canceled');
      expect(queued).toHaveLength(2);
      for (const c of queued) expect(await tasksOf(c.id)).toEqual([]);
      expect((await running).stoppedBy).toBe('Canceled');
      expect((await childrenOf(parentId)).map((c) => c.lifecycle)).toEqual(Array(5).fill('Canceled'));
      for (const d of dbs) await until(async () => (await sleepersIn(d.name)) === 0, `pg_sleep to be gone from ${d.name}`);
    } finally {
      await Promise.all(dbs.map((d) => d.drop()));
    }
  });

  it('stops the statement at the task timeout: TimedOut, retryable, pg_sleep gone', async () => {
    const { parentId, lane } = await started({ script: 'SELECT pg_sleep(30)' });
    const t0 = Date.now();
    await h.activities.runLane({ ...lane, policy: { ...lane.policy, taskTimeoutMs: 500, maximumAttempts: 1 } });
    expect(Date.now() - t0).toBeLessThan(5_000);
    const [child] = await childrenOf(parentId);
    expect((await tasksOf(child.id))[0]).toMatchObject({ lifecycle: 'TimedOut', retryable: 1 });
    await until(async () => (await sleepersIn(db.name)) === 0, 'pg_sleep to be gone');
  });

  it("stops a running statement at the job's deadline and ends the child TimedOut", async () => {
    const { parentId, lane } = await started({ script: 'SELECT pg_sleep(30)' });
    const deadline = new Date(h.clock.now().getTime() + 1_000).toISOString();
    const running = h.activities.runLane({ ...lane, deadline });
    await until(async () => (await sleepersIn(db.name)) > 0, 'the statement to run');
    h.clock.advance(2_000);
    const out = await running;
    expect(out.attempts).toBe(1);
    const [child] = await childrenOf(parentId);
    expect(child.lifecycle).toBe('TimedOut');
    expect((await tasksOf(child.id))[0].lifecycle).toBe('TimedOut');
    await until(async () => (await sleepersIn(db.name)) === 0, 'pg_sleep to be gone');
  });

  it('claims nothing of an execution canceled before its lanes ran, and writes no task', async () => {
    const { parentId, lane } = await started({ script: 'SELECT 1' });
    expect((await h.api.call('POST', `executions/${parentId}/cancel`)).status).toBe(202);
    const before = runs();
    expect(await h.activities.runLane(lane)).toEqual({ attempts: 0, more: false, nextNotBefore: null, stoppedBy: 'Canceled' });
    expect(runs()).toBe(before);
    const [child] = await childrenOf(parentId);
    expect(child.lifecycle).toBe('Canceled');
    expect(await tasksOf(child.id)).toEqual([]);
  });

  it('refuses without connecting once the credential no longer admits the server, even between two attempts of one call', async () => {
    let connections = 0;
    const listener = net.createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    const other = await createTestDatabase('narrow');
    try {
      const port = (listener.address() as net.AddressInfo).port;
      // Two children in one lane of one slot: the local database first (127.0.0.1 sorts before localhost; it sleeps), then the far one.
      const near = await h.databaseTarget(other.name, '127.0.0.1:5432');
      const far = await h.databaseTarget('far', `localhost:${port}`);
      const collection = await h.collection(`narrow-${jobs}`, [{ id: near }, { id: far }]);
      const parentId = await h.start(await h.job({ name: `narrow-${++jobs}`, targetId: collection, script: 'SELECT pg_sleep(1)', credentialName: 'narrowed', maxParallelism: 1 }));
      const plan = await h.activities.expandJobExecution({ executionId: parentId });
      const running = h.activities.runLane(laneOf(parentId, plan, { maximumAttempts: 1 }));
      await until(async () => (await sleepersIn(other.name)) > 0, 'the first attempt to run');
      expect((await h.api.call('PUT', 'credentials/narrowed', { body: { allowedServers: ['127.0.0.1:5432', 'db.example.com'] } })).status).toBe(200);
      expect((await running).attempts).toBe(2);
      const farChild = (await childrenOf(parentId)).find((c) => c.targetServer === `localhost:${port}`)!;
      const [task] = await tasksOf(farChild.id);
      expect(task).toMatchObject({ lifecycle: 'Failed', retryable: 0 });
      expect(task.message).toContain(`localhost:${port}`);
      expect(task.message).toContain("'db.example.com'");
      expect(connections).toBe(0);
    } finally {
      await new Promise((r) => listener.close(r));
      await other.drop();
    }
  });

  it('captures result sets and messages when the job asks, capped and saying so', async () => {
    const script = `DO $$ BEGIN RAISE NOTICE 'hello from the script'; END $$; SELECT g AS n FROM generate_series(1, 150) AS g; SELECT 'x' AS word;`;
    const { parentId, lane } = await started({ script, captureOutput: true });
    await h.activities.runLane(lane);
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
    expect(output.resultSets[0].rows).toHaveLength(100);
    expect(output.resultSets[0].rows[0]).toEqual([1]);
    expect(output.resultSets[1]).toEqual({ columns: [{ name: 'word', type: expect.any(String) }], rows: [['x']], truncated: false });
  });

  it('writes the first result set to the destination', async () => {
    const dest = await createTestDatabase('dest');
    try {
      await h.credential(`dest-${jobs}`, ['127.0.0.1*']);
      const destination = { engine: 'postgres', serverName: '127.0.0.1:5432', databaseName: dest.name, schemaName: 'public', tableName: 'collected', credentialName: `dest-${jobs}` };
      const { parentId, lane } = await started({ script: 'SELECT current_database() AS db, 42 AS answer; SELECT 2', resultSetDestination: destination });
      await h.activities.runLane(lane);
      const [child] = await childrenOf(parentId);
      expect(child.lifecycle).toBe('Succeeded');
      const client = new Client({ connectionString: dest.url });
      await client.connect();
      try {
        const { rows } = await client.query('SELECT db, answer, internal_execution_id, source_server, source_database FROM public.collected');
        expect(rows).toEqual([{ db: db.name, answer: 42, internal_execution_id: child.id, source_server: '127.0.0.1:5432', source_database: db.name }]);
      } finally {
        await client.end();
      }
    } finally {
      await dest.drop();
    }
  });

  it('fails a DACPAC content without applying anything, not retryably, saying why', async () => {
    expect((await h.api.call('POST', 'contents', { body: { name: 'schema', type: 'dacpac', dacpacUri: 'https://stej42.blob.core.windows.net/dacpacs/schema.dacpac' } })).status).toBe(201);
    await h.credential('dacpac-cred', ['127.0.0.1*']);
    expect((await h.api.call('POST', 'jobs', { body: { name: 'deploy', contentName: 'schema', credentialName: 'dacpac-cred', targetId } })).status).toBe(201);
    const parentId = await h.start('deploy');
    const plan = await h.activities.expandJobExecution({ executionId: parentId });
    await h.activities.runLane(laneOf(parentId, plan));
    const [child] = await childrenOf(parentId);
    const [task] = await tasksOf(child.id);
    expect(task).toMatchObject({ lifecycle: 'Failed', retryable: 0 });
    expect(task.message).toMatch(/DACPAC/);
    expect(child.lifecycle).toBe('Failed');
  });

  it('settles a claim a dead run of its lane left: attempt 1 written as interrupted, never run; the retry is attempt 2 and runs once', async () => {
    const target = new Client({ connectionString: db.url });
    await target.connect();
    try {
      await target.query('CREATE TABLE IF NOT EXISTS inserted (job text)');
      const name = `left-${jobs}`;
      const { parentId, plan, lane } = await started({ script: `INSERT INTO inserted (job) VALUES ('${name}')` });
      // A run of lane 0 claimed the child and died before it wrote anything; lane 1 is another lane's claim.
      const claimed = await executionStore(h.api.services.control).claimNext({ parentId, lane: 0, now: h.clock.now().toISOString(), taskId: crypto.randomUUID(), claim: true });
      expect(claimed?.attempt).toBe(1);
      const before = runs();
      const out = await h.activities.runLane({ ...lane, policy: { ...plan.policy, initialRetryIntervalMs: 0 } });
      expect(out.attempts).toBe(1);
      expect(runs()).toBe(before + 1);
      const [child] = await childrenOf(parentId);
      expect(child.lifecycle).toBe('Succeeded');
      const tasks = await tasksOf(child.id);
      expect(tasks.map((t) => [t.attempt, t.lifecycle, t.message])).toEqual([
        [1, 'Failed', INTERRUPTED_ATTEMPT_MESSAGE],
        [2, 'Succeeded', null],
      ]);
      expect(tasks[0].id).toBe(claimed!.taskId);
      expect(child.lastMessage).toBe(`Attempt 1: ${INTERRUPTED_ATTEMPT_MESSAGE}`);
      expect((await target.query('SELECT count(*)::int AS n FROM inserted WHERE job = $1', [name])).rows[0].n).toBe(1);
    } finally {
      await target.end();
    }
  });

  it('shows the attempt in flight through the API while it runs, and counts it', async () => {
    const { parentId, lane } = await started({ script: 'SELECT pg_sleep(1)' });
    const running = h.activities.runLane(lane);
    await until(async () => (await sleepersIn(db.name)) > 0, 'the statement to run');
    const tasks = await h.api.call('GET', `executions/${parentId}/tasks`);
    expect(tasks.body.items).toEqual([expect.objectContaining({ attempt: 1, lifecycle: 'InProgress', endTime: null })]);
    const [child] = await childrenOf(parentId);
    const view = await h.api.call('GET', `executions/${child.id}`);
    expect(view.body).toMatchObject({ lifecycle: 'InProgress', attempts: 1 });
    const task = await h.api.call('GET', `tasks/${tasks.body.items[0].id}`);
    expect(task.body).toMatchObject({ attempt: 1, lifecycle: 'InProgress' });
    await running;
    const after = await h.api.call('GET', `executions/${parentId}/tasks`);
    expect(after.body.items).toEqual([expect.objectContaining({ id: tasks.body.items[0].id, attempt: 1, lifecycle: 'Succeeded' })]);
  });

  it('never writes the password into a task, a message or a log line', async () => {
    const all = await h.api.services.control.db.selectFrom('taskExecutions').select(['message', 'output']).execute();
    expect(all.length).toBeGreaterThan(5);
    expect(JSON.stringify(all)).not.toContain(TARGET_PASSWORD);
    expect(h.api.logs.join('\n')).not.toContain(TARGET_PASSWORD);
    expect(await countRows(h.api, 'taskExecutions')).toBe(all.length);
  });
});
