/**
 * The safety rails of a fleet change, over HTTP on the local host against real PostgreSQL
 * databases, as a user meets them: a canary that fails stops the rest, a failure threshold stops
 * the starting, a cap per server holds in pg_stat_activity, and a rerun runs exactly what failed.
 * "Two servers" are the machine's PostgreSQL reached as 127.0.0.1 and as localhost.
 */
import { Client } from 'pg';
import { jsonClient } from '../support/httpClient';
import { startLocalHost, type RunningLocalHost } from '../support/localHost';
import { adminQuery, createTestDatabase, PG_ADMIN_URL } from '../support/postgres';

const PORT = new URL(PG_ADMIN_URL).port || '5432';
/** Fails on every database whose name holds "fail"; the others succeed. */
const FAIL_WHERE_NAMED = `DO $$ BEGIN IF current_database() LIKE '%fail%' THEN RAISE EXCEPTION 'this database refuses the change'; END IF; END $$;`;

describe('safety rails over HTTP', () => {
  let host: RunningLocalHost;
  let api: ReturnType<typeof jsonClient>;
  const dropped: Array<{ drop: () => Promise<void> }> = [];
  let jobs = 0;

  beforeAll(async () => {
    host = await startLocalHost();
    api = jsonClient(host.url);
    await api.ok('POST', 'credentials', { name: 'pg', username: 'postgres', password: 'unused-with-trust', allowedServers: ['127.0.0.1*', 'localhost*'] });
    await api.ok('POST', 'execution-policies', { name: 'once', jobTimeout: 'PT10M', initialRetryInterval: 'PT1S', maximumRetryInterval: 'PT1S', retryIntervalBackoffCoefficient: 1, maximumAttempts: 1 });
  }, 120_000);
  afterAll(async () => {
    await host?.stop();
    for (const d of dropped) await d.drop().catch(() => undefined);
  });

  async function databases(prefix: string, n: number): Promise<string[]> {
    const made = await Promise.all(Array.from({ length: n }, () => createTestDatabase(prefix)));
    dropped.push(...made);
    return made.map((d) => d.name);
  }

  /** A collection of database targets, each on `server` (or the server its index picks). */
  async function collection(names: string[], server: (i: number) => string = () => `127.0.0.1:${PORT}`): Promise<string> {
    const c = await api.ok('POST', 'targets', { type: 'customCollection', name: `rails-${++jobs}` });
    for (const [i, databaseName] of names.entries()) {
      const t = await api.ok('POST', 'targets', { type: 'database', engine: 'postgres', serverName: server(i), databaseName });
      await api.ok('POST', `targets/${c.id}/members`, { targetId: t.id });
    }
    return c.id as string;
  }

  async function job(targetId: string, script: string, extra: Record<string, unknown>): Promise<string> {
    const name = `rails-job-${++jobs}`;
    await api.ok('POST', 'contents', { name, type: 'script', commandText: script });
    await api.ok('POST', 'jobs', { name, contentName: name, credentialName: 'pg', targetId, executionPolicyName: 'once', ...extra });
    return name;
  }

  async function runToEnd(jobName: string) {
    const started = await api.ok('POST', `jobs/${jobName}/executions`);
    return finished(started.id as string);
  }
  async function finished(id: string) {
    for (;;) {
      const res = await api.call('GET', `executions/${id}/wait?timeout=PT60S&includeChildren=true`);
      if (res.status === 200) return res.body;
    }
  }
  const tasksOf = async (id: string) => (await api.ok('GET', `executions/${id}/tasks?limit=500`)).items as Array<{ jobExecutionId: string; startTime: string; endTime: string; lifecycle: string }>;

  it('a canary of 3 that fails runs 3 databases and skips the rest, naming the canary; the parent fails', async () => {
    const names = (await databases('canaryfail', 8)).sort();
    const name = await job(await collection(names), 'SELECT * FROM no_such_table', { canary: { targets: 3 }, maxParallelism: 8 });
    expect((await api.ok('GET', `jobs/${name}`)).canary).toEqual({ targets: 3 });
    const done = await runToEnd(name);
    expect(done.lifecycle).toBe('Failed');
    const children = done.children as Array<{ id: string; lifecycle: string; lastMessage: string; target: { databaseName: string } }>;
    const ran = children.filter((c) => c.lifecycle === 'Failed').map((c) => c.target.databaseName).sort();
    expect(ran).toEqual(names.slice(0, 3));
    const skipped = children.filter((c) => c.lifecycle === 'Skipped');
    expect(skipped).toHaveLength(5);
    for (const c of skipped) expect(c.lastMessage).toMatch(/^not started: canary database 127\.0\.0\.1:\d+\/ej_canaryfail_\w+ failed$/);
    const tasks = await tasksOf(done.id);
    expect(new Set(tasks.map((t) => t.jobExecutionId)).size).toBe(3);
  }, 180_000);

  it('a canary that succeeds lets the others run after it, never beside it', async () => {
    const names = (await databases('canaryok', 6)).sort();
    const name = await job(await collection(names), 'SELECT pg_sleep(0.2)', { canary: { databases: [{ serverName: `127.0.0.1:${PORT}`, databaseName: names[4] }] }, maxParallelism: 6 });
    const done = await runToEnd(name);
    expect(done.lifecycle).toBe('Succeeded');
    const tasks = await tasksOf(done.id);
    const byDb = new Map((done.children as Array<{ id: string; target: { databaseName: string } }>).map((c) => [c.id, c.target.databaseName]));
    const canary = tasks.find((t) => byDb.get(t.jobExecutionId) === names[4])!;
    for (const t of tasks.filter((x) => x !== canary)) expect(t.startTime >= canary.endTime).toBe(true);
  }, 180_000);

  it('failureThreshold 5 over 40 failing databases with maxParallelism 4 starts none after the 5th failure; the rest Skipped', async () => {
    const names = await databases('threshold_fail', 40);
    const name = await job(await collection(names), 'SELECT pg_sleep(0.1); SELECT * FROM no_such_table', { failureThreshold: { count: 5 }, maxParallelism: 4 });
    const done = await runToEnd(name);
    expect(done.lifecycle).toBe('Failed');
    const children = done.children as Array<{ id: string; lifecycle: string; lastMessage: string; endTime: string }>;
    const failed = children.filter((c) => c.lifecycle === 'Failed');
    const skipped = children.filter((c) => c.lifecycle === 'Skipped');
    // At most the 4 slots' worth already running when the 5th failure was recorded.
    expect(failed.length).toBeGreaterThanOrEqual(5);
    expect(failed.length).toBeLessThanOrEqual(5 + 3);
    expect(skipped.length).toBe(40 - failed.length);
    for (const c of skipped) expect(c.lastMessage).toBe('not started: failure threshold reached after 5 failures');
    const fifth = failed.map((c) => c.endTime).sort()[4];
    for (const t of await tasksOf(done.id)) expect(t.startTime <= fifth).toBe(true);
  }, 180_000);

  it('maxParallelismPerServer 2 never shows more than 2 statements per server in pg_stat_activity, with maxParallelism 20', async () => {
    const names = await databases('perserver', 12);
    // Even indexes through 127.0.0.1, odd through localhost: two servers by address.
    const onServer = (i: number) => (i % 2 === 0 ? `127.0.0.1:${PORT}` : `localhost:${PORT}`);
    const serverOf = new Map(names.map((n, i) => [n, onServer(i)]));
    const name = await job(await collection(names, onServer), 'SELECT pg_sleep(0.4)', { maxParallelismPerServer: 2, maxParallelism: 20 });
    const started = await api.ok('POST', `jobs/${name}/executions`);
    const peaks = new Map<string, number>();
    let done: { lifecycle: string } | undefined;
    const watching = finished(started.id as string).then((d) => (done = d));
    while (!done) {
      const { rows } = await adminQuery(`SELECT datname FROM pg_stat_activity WHERE query ILIKE '%pg_sleep(0.4)%' AND pid <> pg_backend_pid() AND datname LIKE 'ej_perserver%'`);
      const now = new Map<string, number>();
      for (const r of rows as Array<{ datname: string }>) now.set(serverOf.get(r.datname)!, (now.get(serverOf.get(r.datname)!) ?? 0) + 1);
      for (const [server, n] of now) peaks.set(server, Math.max(peaks.get(server) ?? 0, n));
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    await watching;
    expect(done.lifecycle).toBe('Succeeded');
    expect(Math.max(...peaks.values())).toBeLessThanOrEqual(2);
    // The cap is a cap, not a crawl: both servers reached it.
    expect([...peaks.values()].filter((n) => n === 2)).toHaveLength(2);
  }, 180_000);

  it('a rerun of an execution where 3 of 20 failed runs exactly those 3 and links back; 409 while one is active', async () => {
    const names = [...(await databases('rerun_ok', 17)), ...(await databases('rerun_fail', 3))];
    const name = await job(await collection(names), FAIL_WHERE_NAMED, { maxParallelism: 10 });
    const first = await runToEnd(name);
    expect(first.lifecycle).toBe('Failed');
    const failedNames = (first.children as Array<{ lifecycle: string; target: { databaseName: string } }>).filter((c) => c.lifecycle === 'Failed').map((c) => c.target.databaseName).sort();
    expect(failedNames).toHaveLength(3);

    const rerun = await api.call('POST', `executions/${first.id}/rerun`);
    expect(rerun.status).toBe(202);
    expect(rerun.body.rerunOf).toBe(first.id);
    const again = await finished(rerun.body.id as string);
    expect(again.rerunOf).toBe(first.id);
    expect((again.children as Array<{ target: { databaseName: string } }>).map((c) => c.target.databaseName).sort()).toEqual(failedNames);

    // Only the Succeeded ones, by name; and nothing of a lifecycle none ended with.
    const succeeded = await api.call('POST', `executions/${first.id}/rerun`, { lifecycles: ['Succeeded'] });
    expect(succeeded.status).toBe(202);
    expect((await finished(succeeded.body.id as string)).children).toHaveLength(17);
    const none = await api.call('POST', `executions/${first.id}/rerun`, { lifecycles: ['TimedOut'] });
    expect(none.status).toBe(409);
    expect((await api.call('POST', `executions/${first.id}/rerun`, { lifecycles: ['Bogus'] })).status).toBe(400);

    // Active: 409.
    const slow = await job(await collection(await databases('rerun_busy', 1)), 'SELECT pg_sleep(5)', {});
    const running = await api.ok('POST', `jobs/${slow}/executions`);
    const busy = await api.call('POST', `executions/${running.id}/rerun`);
    expect(busy.status).toBe(409);
    expect(busy.body.detail).toMatch(/still/);
    await api.ok('POST', `executions/${running.id}/cancel`);
  }, 240_000);

  it('a canary naming a database the job does not have fails the execution at once, saying the canary is wrong', async () => {
    const target = await collection(await databases('canarymiss', 2));
    const name = await job(target, 'SELECT 1', { canary: { databases: [{ serverName: `127.0.0.1:${PORT}`, databaseName: 'not_a_member' }] } });
    const done = await runToEnd(name);
    expect(done.lifecycle).toBe('Failed');
    expect(done.lastMessage).toBe(`The job's canary cannot be chosen: the canary names 127.0.0.1:${PORT}/not_a_member, not among the job's databases.`);
    expect(done.children).toEqual([]);
  }, 60_000);

  it('refuses bad rails with 400 and writes nothing', async () => {
    const target = await collection((await databases('badrails', 1)));
    for (const bad of [{ canary: {} }, { canary: { targets: 0 } }, { canary: { targets: 2, databases: [{ serverName: 'a', databaseName: 'b' }] } }, { failureThreshold: {} }, { failureThreshold: { percent: 150 } }, { maxParallelismPerServer: 0 }]) {
      const res = await api.call('POST', 'jobs', { name: 'bad-rails', contentName: 'x', credentialName: 'pg', targetId: target, ...bad });
      expect(res.status).toBe(400);
    }
    expect((await api.call('GET', 'jobs/bad-rails')).status).toBe(404);
  }, 60_000);
});
