/**
 * What an attempt's outcome says, on real PostgreSQL databases through the HTTP routes and the
 * local runtime: a database the user named that does not exist (yet) fails and is retried; one
 * found by enumerating a server and dropped since is Skipped; a cancel ends the execution only
 * once its statement has stopped; a transient secret store failure is retried.
 */
import crypto from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { createLocalRuntime } from '../../../src/local/runtime';
import { SecretStoreUnavailableError } from '../../../src/secrets/errors';
import { createLocalKeyProtector } from '../../../src/secrets/localKeyProtector';
import type { PasswordProtector } from '../../../src/secrets/passwordProtector';
import { createApiHarness, type ApiHarness } from '../../support/apiHarness';
import { CONTROL_DIALECTS } from '../../support/controlDatabases';
import { postgresOnlyDrivers } from '../../support/postgresDrivers';
import { adminQuery, createDatabase, dropDatabase, pgServerName, pgUrl, uniqueDatabaseName } from '../../support/postgres';
import { startPrivatePostgres, type PrivatePostgres } from '../../support/privatePostgres';
import { until as untilWithin } from '../../support/until';

/** Jobs over several databases take longer than the default wait. */
const until = (check: () => Promise<boolean>, what: string) => untilWithin(check, what, 20_000);

const ROLE = `ej_outcomes_${crypto.randomBytes(4).toString('hex')}`;
const ROLE_PASSWORD = 'Outcomes-Passw0rd-not-for-logs';
const BASE_POLICY = { jobTimeout: 'PT5M', initialRetryInterval: 'PT0.2S', maximumRetryInterval: 'PT1S', retryIntervalBackoffCoefficient: 2, maximumAttempts: 3 };

interface Task {
  jobExecutionId: string;
  attempt: number;
  lifecycle: string;
  message: string | null;
}


async function onDatabase<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

let privateServer: PrivatePostgres;
const created: string[] = [];

beforeAll(async () => {
  await adminQuery(`CREATE ROLE ${ROLE} LOGIN PASSWORD '${ROLE_PASSWORD}' CREATEDB`);
  privateServer = await startPrivatePostgres();
}, 120_000);

afterAll(async () => {
  await privateServer?.stop();
  for (const name of created) await dropDatabase(name);
  await adminQuery(`DROP ROLE IF EXISTS ${ROLE}`);
}, 120_000);

describe.each(CONTROL_DIALECTS)('attempt outcomes on PostgreSQL through the local runtime, control database %s', (dialect) => {
  let api: ApiHarness;
  let runtime: ReturnType<typeof createLocalRuntime>;
  const protector = createLocalKeyProtector(crypto.randomBytes(32));
  /** How many next password reads fail as Key Vault does when it is away (a fake: Key Vault cannot run here). */
  let failReads = 0;
  let n = 0;

  beforeAll(async () => {
    const drivers = postgresOnlyDrivers();
    const reading: PasswordProtector = {
      protect: (name, password) => protector.protect(name, password),
      unprotect: async (name, stored) => {
        if (failReads > 0) {
          failReads--;
          throw new SecretStoreUnavailableError(`Key Vault did not return the password of credential '${name}' (HTTP 503).`);
        }
        return protector.unprotect(name, stored);
      },
    };
    api = await createApiHarness(dialect, {
      drivers,
      protector: reading,
      orchestrations: (services) => {
        runtime = createLocalRuntime(services);
        return runtime.orchestrations;
      },
    });
    await api.ok('POST', 'credentials', { name: 'runner', username: ROLE, password: ROLE_PASSWORD, allowedServers: ['127.0.0.1*'] });
    await api.ok('POST', 'credentials', { name: 'private', username: 'postgres', password: 'trust-needs-none', allowedServers: ['127.0.0.1*'] });
  }, 60_000);
  afterAll(async () => {
    await runtime.close();
    await api.close();
  });

  /** A job on `targetId` running `script` under its own policy; returns the started execution's id. */
  async function start(targetId: string, script: string, policy: Record<string, unknown>, { maxParallelism, credential = 'runner' }: { maxParallelism?: number; credential?: string } = {}): Promise<string> {
    const name = `outcomes-${++n}`;
    await api.ok('POST', 'contents', { name: `${name}-script`, type: 'script', commandText: script });
    await api.ok('POST', 'execution-policies', { name: `${name}-policy`, ...BASE_POLICY, ...policy });
    await api.ok('POST', 'jobs', {
      name,
      contentName: `${name}-script`,
      credentialName: credential,
      targetId,
      executionPolicyName: `${name}-policy`,
      ...(maxParallelism ? { maxParallelism } : {}),
    });
    return (await api.ok('POST', `jobs/${name}/executions`)).id;
  }
  const databaseTarget = async (databaseName: string, serverName = pgServerName()) =>
    (await api.ok('POST', 'targets', { type: 'database', engine: 'postgres', serverName, databaseName })).id as string;
  const waitFor = async (id: string) => api.ok('GET', `executions/${id}/wait?timeout=PT1M&includeChildren=true`);
  const tasksOf = async (id: string) => (await api.ok('GET', `executions/${id}/tasks?limit=1000`)).items as Task[];

  describe('missing databases', () => {
    it('retries a named database that does not exist yet, and succeeds once it is created, every attempt on record', async () => {
      const name = uniqueDatabaseName('late');
      created.push(name);
      const id = await start(await databaseTarget(name), 'SELECT 1', { initialRetryInterval: 'PT1S', maximumRetryInterval: 'PT5S', retryIntervalBackoffCoefficient: 2, maximumAttempts: 6, jobTimeout: 'PT5M' });
      await sleep(2_000);
      await createDatabase(name);
      const done = await waitFor(id);
      expect(done.lifecycle).toBe('Succeeded');
      const tasks = (await tasksOf(id)).sort((a, b) => a.attempt - b.attempt);
      expect(tasks.length).toBeGreaterThanOrEqual(2);
      expect(tasks.map((t) => t.attempt)).toEqual(tasks.map((_, i) => i + 1));
      expect(tasks.at(-1)!.lifecycle).toBe('Succeeded');
      for (const t of tasks.slice(0, -1)) {
        expect(t.lifecycle).toBe('Failed');
        expect(t.message).toBe(`The database '${name}' does not exist on server '${pgServerName()}'.`);
      }
      expect(done.children[0].attempts).toBe(tasks.length);
    }, 60_000);

    it('ends a named database that never appears Failed after maximumAttempts, saying it does not exist', async () => {
      const name = uniqueDatabaseName('never');
      const id = await start(await databaseTarget(name), 'SELECT 1', { initialRetryInterval: 'PT0.2S', maximumRetryInterval: 'PT0.2S', retryIntervalBackoffCoefficient: 1, maximumAttempts: 4, jobTimeout: 'PT5M' });
      const done = await waitFor(id);
      expect(done.lifecycle).toBe('Failed');
      expect(done.counts).toEqual({ Failed: 1 });
      const message = `The database '${name}' does not exist on server '${pgServerName()}'.`;
      expect(done.children[0].lastMessage).toBe(message);
      const tasks = await tasksOf(id);
      expect(tasks.map((t) => [t.attempt, t.lifecycle, t.message]).sort()).toEqual([1, 2, 3, 4].map((k) => [k, 'Failed', message]));
    }, 60_000);

    it('skips a database of a server target that was dropped between expansion and its attempt', async () => {
      const keep = `a_keep_${dialect}`;
      const vanish = `b_vanish_${dialect}`;
      await privateServer.createDatabase(keep);
      await privateServer.createDatabase(vanish);
      const server = (await api.ok('POST', 'targets', { type: 'server', engine: 'postgres', serverName: privateServer.serverName, credentialName: 'private' })).id as string;
      // One at a time, in database order: the first runs for a second, and the second is dropped meanwhile.
      const id = await start(server, 'SELECT pg_sleep(1)', { initialRetryInterval: 'PT0.2S', maximumAttempts: 3, jobTimeout: 'PT5M' }, { maxParallelism: 1, credential: 'private' });
      await until(async () => (await api.ok('GET', `executions/${id}?includeChildren=true`)).children?.some((c: { lifecycle: string }) => c.lifecycle === 'InProgress') ?? false, 'the first database to start');
      await onDatabase(privateServer.url('postgres'), (c) => c.query(`DROP DATABASE "${vanish}" WITH (FORCE)`));
      const done = await waitFor(id);
      const byName = Object.fromEntries(done.children.map((c: { target: { databaseName: string } }) => [c.target.databaseName, c]));
      expect(Object.keys(byName).sort()).toEqual([keep, vanish]);
      expect(byName[keep].lifecycle).toBe('Succeeded');
      expect(byName[vanish].lifecycle).toBe('Skipped');
      expect(byName[vanish].lastMessage).toContain(`database '${vanish}' does not exist on server '${privateServer.serverName}'`);
      expect(byName[vanish].attempts).toBe(1);
      expect(done.lifecycle).toBe('SucceededWithSkipped');
      await onDatabase(privateServer.url('postgres'), (c) => c.query(`DROP DATABASE "${keep}" WITH (FORCE)`));
    }, 60_000);
  });

  describe('terminal means stopped', () => {
    it('after a cancel, stays running with cancelRequested until its statement stops; no row commits after endTime', async () => {
      const name = uniqueDatabaseName('ticks');
      created.push(name);
      await createDatabase(name);
      await onDatabase(pgUrl(name), async (c) => {
        await c.query('CREATE TABLE ticks (id serial PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp())');
        await c.query(`GRANT ALL ON ticks TO ${ROLE}; GRANT ALL ON SEQUENCE ticks_id_seq TO ${ROLE}`);
      });
      // Each INSERT is its own batch, so it commits at once; then half a second of sleep.
      const script = Array.from({ length: 120 }, () => 'INSERT INTO ticks DEFAULT VALUES\nGO\nSELECT pg_sleep(0.5)\nGO').join('\n');
      const id = await start(await databaseTarget(name), script, { maximumAttempts: 1, jobTimeout: 'PT5M' });
      await until(async () => (await onDatabase(pgUrl(name), (c) => c.query('SELECT count(*)::int AS n FROM ticks'))).rows[0].n >= 3, 'three rows');

      const cancel = await api.call('POST', `executions/${id}/cancel`);
      expect(cancel.status).toBe(202);
      expect(cancel.body).toMatchObject({ lifecycle: 'WaitingForChildJobExecutions', cancelRequested: true });
      const seen = await api.ok('GET', `executions/${id}?includeChildren=true`);
      expect(seen.lifecycle).not.toMatch(/^(Canceled|TimedOut|Succeeded|Failed)$/);
      expect(seen.cancelRequested).toBe(true);

      const done = await waitFor(id);
      expect(done.lifecycle).toBe('Canceled');
      expect(done.children[0].lifecycle).toBe('Canceled');
      const lastRow = async () => (await onDatabase(pgUrl(name), (c) => c.query<{ n: number; last: Date }>('SELECT count(*)::int AS n, max(at) AS last FROM ticks'))).rows[0];
      const atEnd = await lastRow();
      expect(atEnd.last.getTime()).toBeLessThanOrEqual(Date.parse(done.endTime));
      expect(atEnd.last.getTime()).toBeLessThanOrEqual(Date.parse(done.children[0].endTime));
      const [task] = await tasksOf(id);
      expect(task.lifecycle).toBe('Canceled');
      // Nothing runs on after the end.
      await sleep(1_200);
      expect((await lastRow()).n).toBe(atEnd.n);

      const again = await api.call('POST', `executions/${id}/cancel`);
      expect(again.status).toBe(409);
      expect(again.body.detail).toContain('already ended Canceled');
    }, 60_000);
  });

  describe('retryable errors', () => {
    it('retries an attempt whose credential read met a transient secret store failure, and succeeds on the next', async () => {
      const name = uniqueDatabaseName('vault');
      created.push(name);
      await createDatabase(name);
      const target = await databaseTarget(name);
      failReads = 1;
      const id = await start(target, 'SELECT 1', { initialRetryInterval: 'PT0.2S', maximumAttempts: 3, jobTimeout: 'PT5M' });
      const done = await waitFor(id);
      expect(done.lifecycle).toBe('Succeeded');
      const tasks = (await tasksOf(id)).sort((a, b) => a.attempt - b.attempt);
      expect(tasks.map((t) => [t.attempt, t.lifecycle])).toEqual([
        [1, 'Failed'],
        [2, 'Succeeded'],
      ]);
      expect(tasks[0].message).toBe("Key Vault did not return the password of credential 'runner' (HTTP 503).");
      expect(failReads).toBe(0);
    }, 60_000);
  });
});
