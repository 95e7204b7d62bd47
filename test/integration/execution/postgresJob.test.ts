/**
 * Whole jobs on real PostgreSQL databases, end to end through the HTTP routes, the local
 * orchestration runtime (the replay host driving the real orchestrators) and the activities:
 * what a user sees, with the database server's own view (pg_stat_activity) as the witness.
 */
import crypto from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLocalRuntime } from '../../../src/local/runtime';
import { createApiHarness, type ApiHarness } from '../../support/apiHarness';
import { CONTROL_DIALECTS } from '../../support/controlDatabases';
import { postgresOnlyDrivers } from '../../support/postgresDrivers';
import { adminQuery, createDatabase, dropDatabase, pgServerName, uniqueDatabaseName } from '../../support/postgres';
import { until as untilWithin } from '../../support/until';

/** Jobs over several databases take longer than the default wait. */
const until = (check: () => Promise<boolean>, what: string) => untilWithin(check, what, 20_000);

const ROLE = `ej_runner_${crypto.randomBytes(4).toString('hex')}`;
const ROLE_PASSWORD = 'Runner-Passw0rd-not-for-logs';
const DATABASES = 50;

let databases: string[] = [];

async function sleepers(names: string[]): Promise<number> {
  const { rows } = await adminQuery(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = ANY($1::text[]) AND query ILIKE '%pg_sleep%' AND pid <> pg_backend_pid()`, [names]);
  return rows[0].n as number;
}


beforeAll(async () => {
  await adminQuery(`CREATE ROLE ${ROLE} LOGIN PASSWORD '${ROLE_PASSWORD}'`);
  for (let i = 0; i < DATABASES; i++) {
    const name = uniqueDatabaseName(`job${i}`);
    await createDatabase(name);
    databases.push(name);
  }
}, 120_000);

afterAll(async () => {
  for (const name of databases) await dropDatabase(name);
  await adminQuery(`DROP ROLE IF EXISTS ${ROLE}`);
  databases = [];
}, 120_000);

describe.each(CONTROL_DIALECTS)('PostgreSQL jobs through the local runtime on %s', (dialect) => {
  let api: ApiHarness;
  let runtime: ReturnType<typeof createLocalRuntime>;
  let n = 0;

  beforeAll(async () => {
    const drivers = postgresOnlyDrivers();
    api = await createApiHarness(dialect, {
      drivers,
      orchestrations: (services) => {
        runtime = createLocalRuntime(services);
        return runtime.orchestrations;
      },
    });
    const credential = await api.call('POST', 'credentials', { body: { name: 'runner', username: ROLE, password: ROLE_PASSWORD, allowedServers: ['127.0.0.1*'] } });
    expect(credential.status).toBe(201);
  });
  afterAll(async () => {
    await runtime.close();
    await api.close();
  });

  async function ok(method: string, path: string, body?: unknown) {
    const res = await api.call(method, path, { body });
    if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${res.text}`);
    return res.body;
  }

  /** A job over `names` running `script` under `policy` (created when given); returns its name. */
  async function job(names: string[], script: string, policy?: Record<string, unknown>, maxParallelism?: number): Promise<string> {
    const name = `job-${++n}`;
    const members = [];
    for (const db of names) {
      const res = await api.call('POST', 'targets', { body: { type: 'database', engine: 'postgres', serverName: pgServerName(), databaseName: db } });
      members.push(res.status === 201 ? res.body.id : /([0-9a-f-]{36})/.exec(res.body.detail)![1]);
    }
    const collection = await ok('POST', 'targets', { type: 'customCollection', name: `${name}-targets` });
    for (const id of members) await ok('POST', `targets/${collection.id}/members`, { targetId: id });
    await ok('POST', 'contents', { name: `${name}-script`, type: 'script', commandText: script });
    if (policy) await ok('POST', 'execution-policies', { name: `${name}-policy`, ...policy });
    await ok('POST', 'jobs', {
      name,
      contentName: `${name}-script`,
      credentialName: 'runner',
      targetId: collection.id,
      ...(policy ? { executionPolicyName: `${name}-policy` } : {}),
      ...(maxParallelism ? { maxParallelism } : {}),
    });
    return name;
  }

  async function waitFor(id: string, timeout = 'PT1M') {
    const res = await api.call('GET', `executions/${id}/wait?timeout=${timeout}&includeChildren=true`);
    expect(res.status).toBe(200);
    return res.body;
  }

  const tasksOf = async (id: string) => (await ok('GET', `executions/${id}/tasks?limit=1000`)).items as { jobExecutionId: string; attempt: number; lifecycle: string; message: string | null }[];

  const fastRetries = { jobTimeout: 'PT5M', initialRetryInterval: 'PT0.1S', maximumRetryInterval: 'PT1S', retryIntervalBackoffCoefficient: 2, maximumAttempts: 3 };

  it('runs a script on every database of a collection of 50: one child per database, one task per attempt, all Succeeded', async () => {
    const name = await job(databases, 'SELECT current_database(), current_user', undefined, 20);
    const started = await ok('POST', `jobs/${name}/executions`);
    const done = await waitFor(started.id);
    expect(done.lifecycle).toBe('Succeeded');
    expect(done.counts).toEqual({ Succeeded: DATABASES });
    expect(done.lastMessage).toBe(`${DATABASES} succeeded`);
    expect(done.children.map((c: { target: { databaseName: string } }) => c.target.databaseName).sort()).toEqual([...databases].sort());
    const tasks = await tasksOf(started.id);
    expect(tasks).toHaveLength(DATABASES);
    expect(tasks.every((t) => t.attempt === 1 && t.lifecycle === 'Succeeded')).toBe(true);
  });

  it('retries a database that refuses connections until it lets the job in: Succeeded on attempt 3 with 3 task executions', async () => {
    const flaky = databases[0];
    await adminQuery(`REVOKE CONNECT ON DATABASE "${flaky}" FROM PUBLIC`);
    try {
      const name = await job([flaky, databases[1]], 'SELECT 1', { ...fastRetries, initialRetryInterval: 'PT2S', retryIntervalBackoffCoefficient: 1, maximumRetryInterval: 'PT2S', maximumAttempts: 5 });
      const started = await ok('POST', `jobs/${name}/executions`);
      // Let it in once two attempts have failed; the next one (2 s later) gets through.
      await until(async () => (await tasksOf(started.id)).filter((t) => t.lifecycle === 'Failed').length >= 2, 'two refused attempts');
      await adminQuery(`GRANT CONNECT ON DATABASE "${flaky}" TO PUBLIC`);
      const done = await waitFor(started.id);
      expect(done.lifecycle).toBe('Succeeded');
      const child = done.children.find((c: { target: { databaseName: string } }) => c.target.databaseName === flaky);
      expect(child.attempts).toBe(3);
      const attempts = (await tasksOf(child.id)).map((t) => [t.attempt, t.lifecycle]);
      expect(attempts).toEqual([
        [1, 'Failed'],
        [2, 'Failed'],
        [3, 'Succeeded'],
      ]);
      expect((await tasksOf(child.id))[0].message).toMatch(/permission denied/i);
    } finally {
      await adminQuery(`GRANT CONNECT ON DATABASE "${flaky}" TO PUBLIC`);
    }
  });

  it('ends a permanently failing script Failed after maximumAttempts, with the SQL error message', async () => {
    const name = await job(databases.slice(0, 2), 'SELECT * FROM table_that_is_not_there', fastRetries);
    const started = await ok('POST', `jobs/${name}/executions`);
    const done = await waitFor(started.id);
    expect(done.lifecycle).toBe('Failed');
    expect(done.counts).toEqual({ Failed: 2 });
    for (const child of done.children) {
      expect(child.lifecycle).toBe('Failed');
      expect(child.lastMessage).toContain('table_that_is_not_there');
      expect(child.attempts).toBe(3);
    }
    const tasks = await tasksOf(started.id);
    expect(tasks).toHaveLength(6);
    expect(tasks.every((t) => t.lifecycle === 'Failed' && t.message!.includes('table_that_is_not_there'))).toBe(true);
  });

  it('cancels an attempt at its taskTimeout on the server: TimedOut tasks, pg_sleep gone', async () => {
    const names = databases.slice(2, 4);
    const name = await job(names, 'SELECT pg_sleep(30)', { ...fastRetries, maximumAttempts: 2, taskTimeout: 'PT1S' });
    const started = await ok('POST', `jobs/${name}/executions`);
    const done = await waitFor(started.id);
    // Every attempt timed out; with no attempt left the children failed, saying why.
    expect(done.lifecycle).toBe('Failed');
    expect(done.counts).toEqual({ Failed: 2 });
    for (const child of done.children) expect(child.lastMessage).toMatch(/task timeout/);
    const tasks = await tasksOf(started.id);
    expect(tasks).toHaveLength(4);
    expect(tasks.every((t) => t.lifecycle === 'TimedOut')).toBe(true);
    await until(async () => (await sleepers(names)) === 0, 'pg_sleep to be gone');
  });

  it('cancels a 50-database run in the middle: what finished stays Succeeded, the rest ends Canceled, nothing keeps running', async () => {
    const name = await job(databases, 'SELECT pg_sleep(0.3 + random() * 0.4)', undefined, 5);
    const started = await ok('POST', `jobs/${name}/executions`);
    await until(async () => ((await ok('GET', `executions/${started.id}`)).counts.Succeeded ?? 0) >= 10, 'ten databases to finish');
    expect((await api.call('POST', `executions/${started.id}/cancel`)).status).toBe(202);
    const done = await waitFor(started.id);
    expect(done.lifecycle).toBe('Canceled');
    const succeeded = done.counts.Succeeded ?? 0;
    expect(succeeded).toBeGreaterThanOrEqual(10);
    expect(succeeded).toBeLessThan(DATABASES);
    expect(succeeded + (done.counts.Canceled ?? 0)).toBe(DATABASES);
    await until(async () => (await sleepers(databases)) === 0, 'pg_sleep to be gone');
    // Nothing starts after the cancel settled.
    const before = (await tasksOf(started.id)).length;
    await sleep(1_000);
    expect((await tasksOf(started.id)).length).toBe(before);
    expect((await tasksOf(started.id)).every((t) => t.lifecycle === 'Succeeded' || t.lifecycle === 'Canceled')).toBe(true);
  });

  it('times the whole job out: TimedOut parent and children, running statements cancelled', async () => {
    const names = databases.slice(4, 7);
    const name = await job(names, 'SELECT pg_sleep(30)', { ...fastRetries, jobTimeout: 'PT2S' });
    const started = await ok('POST', `jobs/${name}/executions`);
    const t0 = Date.now();
    const done = await waitFor(started.id);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(done.lifecycle).toBe('TimedOut');
    expect(done.counts).toEqual({ TimedOut: 3 });
    await until(async () => (await sleepers(names)) === 0, 'pg_sleep to be gone');
  });

  it('never puts the password in a response, a task message or a log line', async () => {
    expect(api.logs.join('\n')).not.toContain(ROLE_PASSWORD);
    const all = await api.services.control.db.selectFrom('taskExecutions').select(['message']).execute();
    expect(JSON.stringify(all)).not.toContain(ROLE_PASSWORD);
  });
});
