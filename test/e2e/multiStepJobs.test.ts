/**
 * Multi-step jobs over HTTP on the local host against real PostgreSQL databases, as a DBA
 * coming from SQL Server Agent uses them: steps run in order across a collection, built-in
 * variables reach the collected rows, a failing step stops the job under stopJob and not under
 * continue, every step's content version is fixed at start, and a host killed in the middle of
 * step 2 goes on with step 2 after its restart.
 */
import { jsonClient } from '../support/httpClient';
import { startLocalHost, type RunningLocalHost } from '../support/localHost';
import { createTestDatabase, PG_ADMIN_URL, queryDatabase } from '../support/postgres';
import { until } from '../support/until';

const SERVER = `127.0.0.1:${new URL(PG_ADMIN_URL).port || '5432'}`;

const rows = async <T>(database: { name: string }, text: string): Promise<T[]> => (await queryDatabase(database.name, text)).rows as T[];

describe('multi-step jobs over HTTP', () => {
  let host: RunningLocalHost;
  let api: ReturnType<typeof jsonClient>;
  const dropped: Array<{ drop: () => Promise<void> }> = [];
  let n = 0;

  beforeAll(async () => {
    host = await startLocalHost();
    api = jsonClient(host.url);
    await api.ok('POST', 'credentials', { name: 'pg', username: 'postgres', password: 'unused-with-trust', allowedServers: ['127.0.0.1*'] });
    await api.ok('POST', 'execution-policies', { name: 'once', jobTimeout: 'PT10M', initialRetryInterval: 'PT1S', maximumRetryInterval: 'PT1S', retryIntervalBackoffCoefficient: 1, maximumAttempts: 1 });
  }, 120_000);
  afterAll(async () => {
    await host?.stop();
    for (const d of dropped) await d.drop().catch(() => undefined);
  });

  async function database(prefix: string) {
    const d = await createTestDatabase(prefix);
    dropped.push(d);
    return d;
  }

  async function collectionOf(names: string[]): Promise<string> {
    const c = await api.ok('POST', 'targets', { type: 'customCollection', name: `steps-${++n}` });
    for (const databaseName of names) {
      const t = await api.ok('POST', 'targets', { type: 'database', engine: 'postgres', serverName: SERVER, databaseName });
      await api.ok('POST', `targets/${c.id}/members`, { targetId: t.id });
    }
    return c.id as string;
  }

  async function content(commandText: string): Promise<string> {
    const name = `steps-content-${++n}`;
    await api.ok('POST', 'contents', { name, type: 'script', commandText });
    return name;
  }

  async function finished(id: string) {
    for (;;) {
      const res = await api.call('GET', `executions/${id}/wait?timeout=PT60S&includeChildren=true`);
      if (res.status === 200) return res.body;
    }
  }

  it('runs three steps in order on every database; the collected rows carry the run id and each database; steps and tasks on record', async () => {
    const tenants = await Promise.all([1, 2, 3].map(() => database('steps')));
    const results = await database('steps_results');
    const target = await collectionOf(tenants.map((t) => t.name));
    await api.ok('POST', 'credentials', { name: 'results', username: 'postgres', password: 'unused-with-trust', allowedServers: ['127.0.0.1*'] });

    const job = `three-steps-${++n}`;
    // A job created empty: it cannot start until it has a step.
    await api.ok('POST', 'jobs', { name: job });
    expect((await api.call('POST', `jobs/${job}/executions`)).status).toBe(409);
    const step = (name: string, contentName: string, extra: Record<string, unknown> = {}) =>
      api.ok('POST', `jobs/${job}/steps`, { name, contentName, credentialName: 'pg', targetId: target, executionPolicyName: 'once', ...extra });
    await step('create-table', await content('CREATE TABLE IF NOT EXISTS runs (execution_id text, db text)'));
    await step('insert-row', await content("INSERT INTO runs VALUES ('$(job_execution_id)', '$(database_name)')"));
    await step('collect', await content("SELECT execution_id, db, '$(step_name)' AS step FROM runs"), {
      resultSetDestination: { engine: 'postgres', serverName: SERVER, databaseName: results.name, schemaName: 'public', tableName: 'collected', credentialName: 'results' },
    });
    const defined = await api.ok('GET', `jobs/${job}`);
    expect(defined.steps.map((s: { name: string; stepIndex: number }) => [s.stepIndex, s.name])).toEqual([
      [1, 'create-table'],
      [2, 'insert-row'],
      [3, 'collect'],
    ]);

    const started = await api.ok('POST', `jobs/${job}/executions`);
    const done = await finished(started.id);
    expect(done.lifecycle).toBe('Succeeded');
    expect(done.steps).toEqual([
      { name: 'create-table', stepIndex: 1, lifecycle: 'Succeeded', counts: { Succeeded: 3 } },
      { name: 'insert-row', stepIndex: 2, lifecycle: 'Succeeded', counts: { Succeeded: 3 } },
      { name: 'collect', stepIndex: 3, lifecycle: 'Succeeded', counts: { Succeeded: 3 } },
    ]);
    expect(done.children).toHaveLength(9);
    const collected = await rows<{ execution_id: string; db: string; step: string }>(results, 'SELECT execution_id, db, step FROM collected ORDER BY db');
    expect(collected).toEqual(tenants.map((t) => ({ execution_id: started.id, db: t.name, step: 'collect' })).sort((a, b) => a.db.localeCompare(b.db)));

    // Each step's children start after every child of the step before ended.
    const tasks = (await api.ok('GET', `executions/${started.id}/tasks?limit=100`)).items as Array<{ jobExecutionId: string; startTime: string; endTime: string }>;
    const stepOf = new Map((done.children as Array<{ id: string; stepIndex: number }>).map((c) => [c.id, c.stepIndex]));
    for (const s of [2, 3]) {
      const before = tasks.filter((t) => stepOf.get(t.jobExecutionId) === s - 1).map((t) => t.endTime).sort().at(-1)!;
      for (const t of tasks.filter((x) => stepOf.get(x.jobExecutionId) === s)) expect(t.startTime >= before).toBe(true);
    }
    const step2 = await api.ok('GET', `executions?parentId=${started.id}&stepName=insert-row&includeInactive=true&includeChildren=true`);
    expect(step2.items).toHaveLength(3);
    expect(step2.items.every((c: { stepName: string; stepIndex: number }) => c.stepName === 'insert-row' && c.stepIndex === 2)).toBe(true);
  }, 180_000);

  it.each([
    ['stopJob', ['Succeeded', 'Failed', 'Skipped']],
    ['continue', ['Succeeded', 'Failed', 'Succeeded']],
  ] as const)('a failing step 2 under %s: step 3 runs or not, and the parent ends Failed', async (onFailure, lifecycles) => {
    const tenant = await database('stepfail');
    const target = await collectionOf([tenant.name]);
    const job = `failing-step-${++n}`;
    await api.ok('POST', 'jobs', { name: job, contentName: await content('SELECT 1'), credentialName: 'pg', targetId: target, executionPolicyName: 'once', stepName: 'first' });
    await api.ok('POST', `jobs/${job}/steps`, { name: 'breaks', contentName: await content('SELECT * FROM no_such_table'), credentialName: 'pg', targetId: target, executionPolicyName: 'once', onFailure });
    await api.ok('POST', `jobs/${job}/steps`, { name: 'after', contentName: await content('SELECT 3'), credentialName: 'pg', targetId: target, executionPolicyName: 'once' });
    const done = await finished((await api.ok('POST', `jobs/${job}/executions`)).id);
    expect(done.lifecycle).toBe('Failed');
    expect(done.steps.map((s: { lifecycle: string }) => s.lifecycle)).toEqual(lifecycles);
    expect(done.children).toHaveLength(onFailure === 'stopJob' ? 2 : 3);
  }, 120_000);

  it('snapshots every step at start: a content version added while step 1 runs does not reach step 2', async () => {
    const tenant = await database('stepsnap');
    const target = await collectionOf([tenant.name]);
    const second = await content("CREATE TABLE IF NOT EXISTS version_seen (v text); INSERT INTO version_seen VALUES ('v1')");
    const job = `snapshot-${++n}`;
    await api.ok('POST', 'jobs', { name: job, contentName: await content('SELECT pg_sleep(1.5)'), credentialName: 'pg', targetId: target, executionPolicyName: 'once' });
    await api.ok('POST', `jobs/${job}/steps`, { name: 'second', contentName: second, credentialName: 'pg', targetId: target, executionPolicyName: 'once' });
    const started = await api.ok('POST', `jobs/${job}/executions`);
    await api.ok('POST', `contents/${second}/versions`, { commandText: "CREATE TABLE IF NOT EXISTS version_seen (v text); INSERT INTO version_seen VALUES ('v2')" });
    const done = await finished(started.id);
    expect(done.lifecycle).toBe('Succeeded');
    expect(await rows(tenant, 'SELECT v FROM version_seen')).toEqual([{ v: 'v1' }]);
    const step2Child = (done.children as Array<{ stepIndex: number; contentVersion: number }>).find((c) => c.stepIndex === 2)!;
    expect(step2Child.contentVersion).toBe(1);
  }, 120_000);

  it('a host killed during step 2 goes on with step 2 after its restart; step 1 does not run again', async () => {
    const tenants = await Promise.all([1, 2].map(() => database('stepcrash')));
    const target = await collectionOf(tenants.map((t) => t.name));
    const job = `crash-steps-${++n}`;
    const mark = (step: number) => `CREATE TABLE IF NOT EXISTS marks (step int); INSERT INTO marks VALUES (${step});`;
    await api.ok('POST', 'execution-policies', { name: 'retry', jobTimeout: 'PT10M', initialRetryInterval: 'PT0.2S', maximumRetryInterval: 'PT1S', retryIntervalBackoffCoefficient: 2, maximumAttempts: 5 });
    await api.ok('POST', 'jobs', { name: job, contentName: await content(mark(1)), credentialName: 'pg', targetId: target, executionPolicyName: 'retry', stepName: 'one' });
    await api.ok('POST', `jobs/${job}/steps`, { name: 'two', contentName: await content(`SELECT pg_sleep(2);\nGO\n${mark(2)}`), credentialName: 'pg', targetId: target, executionPolicyName: 'retry' });
    await api.ok('POST', `jobs/${job}/steps`, { name: 'three', contentName: await content(mark(3)), credentialName: 'pg', targetId: target, executionPolicyName: 'retry' });
    const started = await api.ok('POST', `jobs/${job}/executions`);
    await until(async () => {
      const view = await api.ok('GET', `executions/${started.id}`);
      return view.steps[1].lifecycle === 'InProgress';
    }, 'step 2 to run', 30_000);
    await host.stop('SIGKILL');

    host = await startLocalHost({ dataDir: host.dataDir });
    api = jsonClient(host.url);
    const done = await finished(started.id);
    expect(done.lifecycle).toBe('Succeeded');
    expect(done.steps.map((s: { lifecycle: string }) => s.lifecycle)).toEqual(['Succeeded', 'Succeeded', 'Succeeded']);
    for (const t of tenants) {
      const marks = (await rows<{ step: number }>(t, 'SELECT step FROM marks ORDER BY step')).map((r) => r.step);
      // Step 1 once; step 2 at least once (the killed attempt may have committed nothing: the GO batch after the sleep); step 3 once.
      expect(marks.filter((m) => m === 1)).toHaveLength(1);
      expect(marks.filter((m) => m === 2).length).toBeGreaterThanOrEqual(1);
      expect(marks.filter((m) => m === 3)).toHaveLength(1);
    }
  }, 180_000);
});
