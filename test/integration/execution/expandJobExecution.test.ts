import { randomUUID } from 'node:crypto';
import { executionStore } from '../../../src/control/stores/executionStore';
import { INTERRUPTED_ATTEMPT_MESSAGE } from '../../../src/domain/attemptRecord';
import net from 'node:net';
import { CONTROL_DIALECTS } from '../../support/controlDatabases';
import { countRows, createExecutionHarness, type ExecutionHarness } from '../../support/executionHarness';
import { createTestDatabase, pgServerName, uniqueDatabaseName } from '../../support/postgres';
import { createShardMapManager } from '../../support/shardMap';

/** A TCP listener that counts connections: a database pointed at it must never be connected to. */
async function connectionCounter(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let n = 0;
  const server = net.createServer((socket) => {
    n++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, connections: () => n, close: () => new Promise((r) => server.close(() => r())) };
}

async function closedPort(): Promise<number> {
  const c = await connectionCounter();
  await c.close();
  return c.port;
}

describe.each(CONTROL_DIALECTS)('expandJobExecution on %s', (dialect) => {
  let h: ExecutionHarness;
  let manager: { name: string; url: string; drop: () => Promise<void> };
  let counter: Awaited<ReturnType<typeof connectionCounter>>;

  beforeAll(async () => {
    h = await createExecutionHarness(dialect);
    manager = await createTestDatabase('shardmgr');
    counter = await connectionCounter();
    await h.credential('enumerator', ['127.0.0.1*']);
  });
  afterAll(async () => {
    await h.close();
    await manager.drop();
    await counter.close();
  });

  const children = async (parentId: string) =>
    h.api.services.control.db.selectFrom('jobExecutions').selectAll().where('parentId', '=', parentId).orderBy('targetDatabase').execute();

  it('expands nested collections: includes minus excludes (exclude wins), duplicates once, offline shards left out', async () => {
    const n = (s: string) => `${s}_${uniqueDatabaseName('x').slice(-8)}`;
    const [a, b, c, d, e, g, f] = ['a', 'b', 'c', 'd', 'e', 'g', 'f'].map(n);
    const idA = await h.databaseTarget(a, '127.0.0.1:5432');
    const idB = await h.databaseTarget(b);
    const idC = await h.databaseTarget(c);
    const idD = await h.databaseTarget(d);
    const idE = await h.databaseTarget(e);
    // The shard map lists `a` again under another spelling of the same server, an online `g` and an offline `f`.
    const mapName = n('map');
    await createShardMapManager(manager.url, [
      {
        name: mapName,
        shards: [
          { serverName: '127.0.0.1', port: 5432, databaseName: a },
          { serverName: '127.0.0.1', databaseName: g },
          { serverName: '127.0.0.1', databaseName: f, status: 0 },
        ],
      },
    ]);
    const shardMap = await h.api.call('POST', 'targets', {
      body: { type: 'shardMap', engine: 'postgres', serverName: pgServerName(), databaseName: manager.name, shardMapName: mapName, credentialName: 'enumerator' },
    });
    expect(shardMap.status).toBe(201);
    const inner = await h.collection(n('inner'), [{ id: idB }, { id: idC }, { id: idD }, { id: idE }]);
    const excluded = await h.collection(n('excluded'), [{ id: idC }, { id: idE }]);
    const root = await h.collection(n('root'), [{ id: idA }, { id: idB }, { id: inner }, { id: excluded, membership: 'exclude' }, { id: shardMap.body.id }]);
    const job = await h.job({ name: n('nested'), targetId: root });
    const id = await h.start(job);

    const plan = await h.activities.expandJobExecution({ executionId: id });
    expect(plan.alreadyTerminal).toBe(false);
    expect(plan.lanes).toEqual([{ lane: 0, slots: 4 }]);
    const rows = await children(id);
    expect(rows.map((r) => r.targetDatabase).sort()).toEqual([a, b, d, g].sort());
    // Queued in the work queue, ready now.
    expect(rows.every((r) => r.lifecycle === 'Created' && r.targetEngine === 'postgres' && r.notBefore === h.clock.now().toISOString())).toBe(true);
    // Only the shard map manager was asked; no listed database was connected to.
    expect(h.driverCalls.filter((c) => c.method === 'run')).toEqual([]);
    expect(h.driverCalls.filter((c) => c.method === 'readShardMap').map((c) => c.databaseName)).toEqual([manager.name]);

    // The dry run of the API sees the same databases.
    const dry = await h.api.call('GET', `targets/${root}/databases`);
    expect(dry.status).toBe(200);
    expect(dry.body.items.map((i: { databaseName: string }) => i.databaseName).sort()).toEqual([a, b, d, g].sort());
  });

  it('is idempotent: a second run writes no row, keeps the first start time and connects to nothing', async () => {
    const server = await h.databaseTarget(uniqueDatabaseName('idem'));
    const id = await h.start(await h.job({ name: 'idempotent', targetId: server }));
    const first = await h.activities.expandJobExecution({ executionId: id });
    const parent = await h.api.services.control.db.selectFrom('jobExecutions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(parent.lifecycle).toBe('WaitingForChildJobExecutions');
    const rowsBefore = await countRows(h.api, 'jobExecutions');
    const callsBefore = h.driverCalls.length;
    h.clock.advance(60_000);
    const second = await h.activities.expandJobExecution({ executionId: id });
    expect(second).toEqual(first);
    expect(await countRows(h.api, 'jobExecutions')).toBe(rowsBefore);
    expect(h.driverCalls.length).toBe(callsBefore);
    const after = await h.api.services.control.db.selectFrom('jobExecutions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(after.startTime).toBe(parent.startTime);
  });

  it('returns the plan: the policy in milliseconds, the parallelism and the deadline from the first start', async () => {
    const policy = await h.api.call('POST', 'execution-policies', {
      body: { name: 'quick', jobTimeout: 'PT1H', initialRetryInterval: 'PT2S', maximumRetryInterval: 'PT1M', retryIntervalBackoffCoefficient: 3, maximumAttempts: 4, taskTimeout: 'PT30S' },
    });
    expect(policy.status).toBe(201);
    const target = await h.databaseTarget(uniqueDatabaseName('plan'));
    const id = await h.start(await h.job({ name: 'planned', targetId: target, executionPolicyName: 'quick', maxParallelism: 7 }));
    const startedAt = h.clock.now().toISOString();
    const plan = await h.activities.expandJobExecution({ executionId: id });
    expect(plan.policy).toEqual({ maximumAttempts: 4, initialRetryIntervalMs: 2_000, maximumRetryIntervalMs: 60_000, retryIntervalBackoffCoefficient: 3, taskTimeoutMs: 30_000 });
    expect(plan.lanes).toEqual([{ lane: 0, slots: 1 }]);
    expect(plan.deadline).toBe(new Date(Date.parse(startedAt) + 3_600_000).toISOString());
    expect(plan.cancelRequested).toBe(false);
  });

  it('writes a child on a server outside the credential patterns already Failed, naming server and patterns, and never connects to it', async () => {
    const refusedDb = uniqueDatabaseName('refused');
    const mapName = `refusal_${refusedDb.slice(-8)}`;
    await createShardMapManager(manager.url, [{ name: mapName, shards: [{ serverName: 'localhost', port: counter.port, databaseName: refusedDb }] }]);
    const shardMap = await h.api.call('POST', 'targets', {
      body: { type: 'shardMap', engine: 'postgres', serverName: pgServerName(), databaseName: manager.name, shardMapName: mapName, credentialName: 'enumerator' },
    });
    const id = await h.start(await h.job({ name: 'refusal', targetId: shardMap.body.id, allowedServers: ['127.0.0.1*'] }));
    const plan = await h.activities.expandJobExecution({ executionId: id });
    expect(plan.lanes).toEqual([]);
    const [child] = await children(id);
    expect(child.lifecycle).toBe('Failed');
    expect(child.notBefore).toBeNull();
    expect(child.endTime).not.toBeNull();
    expect(child.lastMessage).toContain(`localhost:${counter.port}`);
    expect(child.lastMessage).toContain("'127.0.0.1*'");

    // Even a lane run for it claims nothing.
    const out = await h.activities.runLane({ parentId: id, lane: 0, slots: 1, policy: plan.policy, deadline: plan.deadline });
    expect(out.attempts).toBe(0);
    expect(counter.connections()).toBe(0);
    expect(h.driverCalls.filter((c) => c.method === 'run' && c.databaseName === refusedDb)).toEqual([]);
  });

  it('fails the parent with the message when a server cannot be enumerated, and says it is terminal', async () => {
    const port = await closedPort();
    const server = await h.api.call('POST', 'targets', { body: { type: 'server', engine: 'postgres', serverName: `127.0.0.1:${port}`, credentialName: 'enumerator' } });
    expect(server.status).toBe(201);
    const id = await h.start(await h.job({ name: 'unreachable', targetId: server.body.id }));
    const plan = await h.activities.expandJobExecution({ executionId: id });
    expect(plan.alreadyTerminal).toBe(true);
    expect(plan.lanes).toEqual([]);
    const parent = await h.api.call('GET', `executions/${id}`);
    expect(parent.body.lifecycle).toBe('Failed');
    expect(parent.body.endTime).not.toBeNull();
    expect(parent.body.lastMessage).toMatch(/could not be expanded/);
    expect(await children(id)).toEqual([]);
  });

  it('connects to nothing when the execution was cancelled before expansion, and reports the cancel', async () => {
    const target = await h.databaseTarget(uniqueDatabaseName('early'));
    const id = await h.start(await h.job({ name: 'cancelled-early', targetId: target }));
    expect((await h.api.call('POST', `executions/${id}/cancel`)).status).toBe(202);
    const calls = h.driverCalls.length;
    const plan = await h.activities.expandJobExecution({ executionId: id });
    expect(plan).toMatchObject({ alreadyTerminal: false, cancelRequested: true, lanes: [] });
    expect(h.driverCalls.length).toBe(calls);
  });

  it('reports a parent that already ended as terminal and changes nothing', async () => {
    const target = await h.databaseTarget(uniqueDatabaseName('ended'));
    const id = await h.start(await h.job({ name: 'ended', targetId: target }));
    await h.mark(id, 'Canceled', 'stopped');
    const plan = await h.activities.expandJobExecution({ executionId: id });
    expect(plan.alreadyTerminal).toBe(true);
    expect(await children(id)).toEqual([]);
    expect((await h.api.call('GET', `executions/${id}`)).body.lastMessage).toBe('stopped');
  });

  const afterAllDrops: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const drop of afterAllDrops) await drop();
  });

  it('settles a claim a stopped host left: the attempt written as interrupted, the child queued again, nothing run', async () => {
    const db = await createTestDatabase('resume');
    try {
      const target = await h.databaseTarget(db.name);
      const id = await h.start(await h.job({ name: 'resumed', targetId: target, script: 'SELECT 1' }));
      await h.activities.expandJobExecution({ executionId: id });
      const claimed = (await executionStore(h.api.services.control).claimNext({ parentId: id, lane: 0, now: h.clock.now().toISOString(), taskId: randomUUID(), claim: true }))!;
      const runs = h.driverCalls.length;
      h.clock.advance(1_000);
      const again = await h.activities.expandJobExecution({ executionId: id });
      expect(again.lanes).toEqual([{ lane: 0, slots: 1 }]);
      expect(h.driverCalls.length).toBe(runs);
      const [child] = await children(id);
      expect(child).toMatchObject({ lifecycle: 'WaitingForRetry', runningTaskId: null, lastMessage: `Attempt 1: ${INTERRUPTED_ATTEMPT_MESSAGE}` });
      const tasks = await h.api.services.control.db.selectFrom('taskExecutions').selectAll().where('jobExecutionId', '=', child.id).execute();
      expect(tasks).toMatchObject([{ id: claimed.taskId, attempt: 1, lifecycle: 'Failed', message: INTERRUPTED_ATTEMPT_MESSAGE, retryable: 1 }]);
    } finally {
      await db.drop();
    }
  });

  it('settles a child whose attempt was written before the host died, instead of running the script again', async () => {
    const target = await h.databaseTarget(uniqueDatabaseName('settle'));
    const id = await h.start(await h.job({ name: 'settled', targetId: target, script: 'SELECT 1' }));
    await h.activities.expandJobExecution({ executionId: id });
    const executions = executionStore(h.api.services.control);
    const now = h.clock.now().toISOString();
    const claimed = (await executions.claimNext({ parentId: id, lane: 0, now, taskId: randomUUID(), claim: true }))!;
    // The attempt wrote its task execution; the record on its child never came (crash).
    await executions.insertFinishedAttempt({ id: claimed.taskId, jobExecutionId: claimed.child.id, attempt: 1, lifecycle: 'Succeeded', message: null, output: null, startTime: now, endTime: now, outcome: 'Succeeded', retryable: 0 });
    const again = await h.activities.expandJobExecution({ executionId: id });
    expect(again.lanes).toEqual([]);
    const [child] = await children(id);
    expect(child).toMatchObject({ lifecycle: 'Succeeded', runningTaskId: null, notBefore: null });
    expect(child.endTime).not.toBeNull();
  });

  it('resumes an execution the engine before the work queue left running: its open attempt closed, the child queued', async () => {
    const legacy = await createTestDatabase('legacy');
    afterAllDrops.push(() => legacy.drop());
    const target = await h.databaseTarget(legacy.name);
    const id = await h.start(await h.job({ name: 'legacy', targetId: target, script: 'SELECT 1' }));
    await h.activities.expandJobExecution({ executionId: id });
    const [before] = await children(id);
    // As the old engine left it: InProgress, not queued, an attempt row open.
    const db = h.api.services.control.db;
    await db.updateTable('jobExecutions').set({ lifecycle: 'InProgress', notBefore: null, wave: null, serverKey: null }).where('id', '=', before.id).execute();
    await db.insertInto('taskExecutions').values({ id: randomUUID(), jobExecutionId: before.id, attempt: 1, lifecycle: 'InProgress', message: null, output: null, startTime: h.clock.now().toISOString(), endTime: null, outcome: null, retryable: null }).execute();
    h.clock.advance(1_000);
    const again = await h.activities.expandJobExecution({ executionId: id });
    expect(again.lanes).toEqual([{ lane: 0, slots: 1 }]);
    const [child] = await children(id);
    expect(child).toMatchObject({ lifecycle: 'WaitingForRetry', notBefore: h.clock.now().toISOString() });
    const tasks = await db.selectFrom('taskExecutions').selectAll().where('jobExecutionId', '=', child.id).execute();
    expect(tasks).toMatchObject([{ attempt: 1, lifecycle: 'Failed', message: INTERRUPTED_ATTEMPT_MESSAGE }]);
    // The lane runs it as attempt 2.
    await h.activities.runLane({ parentId: id, lane: 0, slots: 1, policy: again.policy, deadline: again.deadline });
    expect((await children(id))[0].lifecycle).toBe('Succeeded');
    expect((await db.selectFrom('taskExecutions').select('attempt').where('jobExecutionId', '=', child.id).orderBy('attempt').execute()).map((t) => t.attempt)).toEqual([1, 2]);
  });
});
