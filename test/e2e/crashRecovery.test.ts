/**
 * kill -9 in the middle of a job: the local host started again resumes it from the control
 * database alone. Every child ends terminal exactly once, every attempt is on record once, and
 * the job ends Succeeded.
 */
import { createDatabase, dropDatabase, queryDatabase, uniqueDatabaseName } from '../support/postgres';
import { createPostgresCollection } from '../support/postgresCollection';
import { jsonClient } from '../support/httpClient';
import { startLocalHost, type RunningLocalHost } from '../support/localHost';

const DATABASES = 30;

describe('crash recovery of the local host', () => {
  const names = Array.from({ length: DATABASES }, (_, i) => uniqueDatabaseName(`crash${i}`));
  let host: RunningLocalHost | undefined;

  beforeAll(async () => {
    for (const name of names) await createDatabase(name);
  }, 120_000);
  afterAll(async () => {
    await host?.stop();
    for (const name of names) await dropDatabase(name);
  }, 120_000);

  it('resumes a job killed mid-run and finishes it without doubling anything', async () => {
    host = await startLocalHost();
    const api = jsonClient(host.url);
    await api.ok('POST', 'credentials', { name: 'pg', username: 'postgres', password: 'trust-auth-ignores-it', allowedServers: ['127.0.0.1*'] });
    // Each attempt takes a while and leaves a mark; the script is idempotent, as the seed asks.
    await api.ok('POST', 'contents', {
      name: 'slow-mark',
      type: 'script',
      commandText: 'SELECT pg_sleep(0.4);\nGO\nCREATE TABLE IF NOT EXISTS marks (at timestamptz DEFAULT now());\nINSERT INTO marks DEFAULT VALUES;',
    });
    const collectionId = await createPostgresCollection(api, 'crash-fleet', names);
    await api.ok('POST', 'execution-policies', {
      name: 'crash',
      jobTimeout: 'PT5M',
      initialRetryInterval: 'PT0.2S',
      maximumRetryInterval: 'PT1S',
      retryIntervalBackoffCoefficient: 2,
      maximumAttempts: 5,
    });
    await api.ok('POST', 'jobs', { name: 'crash-job', contentName: 'slow-mark', credentialName: 'pg', targetId: collectionId, executionPolicyName: 'crash', maxParallelism: 5 });
    const started = await api.ok('POST', 'jobs/crash-job/executions');

    // Kill it once some children are done and others are running.
    let succeededAtCrash = 0;
    while (succeededAtCrash < 8) {
      succeededAtCrash = (await api.ok('GET', `executions/${started.id}`)).counts.Succeeded ?? 0;
      await new Promise((r) => setTimeout(r, 50));
    }
    await host.stop('SIGKILL');
    expect(succeededAtCrash).toBeLessThan(DATABASES - 5);

    host = await startLocalHost({ dataDir: host.dataDir });
    expect(host.output()).toContain('Resumed 1 unfinished job execution');
    const resumedApi = jsonClient(host.url);
    let final = await resumedApi.call('GET', `executions/${started.id}/wait?timeout=PT2M&includeChildren=true`);
    while (final.status === 202) final = await resumedApi.call('GET', `executions/${started.id}/wait?timeout=PT2M&includeChildren=true`);
    expect(final.status).toBe(200);
    expect(final.body.lifecycle).toBe('Succeeded');
    expect(final.body.children).toHaveLength(DATABASES);
    expect(final.body.children.every((c: { lifecycle: string }) => c.lifecycle === 'Succeeded')).toBe(true);

    const tasks = (await resumedApi.ok('GET', `executions/${started.id}/tasks`)).items as Array<{ jobExecutionId: string; attempt: number; lifecycle: string }>;
    for (const child of final.body.children as Array<{ id: string }>) {
      const attempts = tasks.filter((t) => t.jobExecutionId === child.id).sort((a, b) => a.attempt - b.attempt);
      // One row per attempt, numbered 1..k, the last the success, none left running.
      expect(attempts.map((t) => t.attempt)).toEqual(attempts.map((_, i) => i + 1));
      expect(attempts.filter((t) => t.lifecycle === 'Succeeded')).toHaveLength(1);
      expect(attempts[attempts.length - 1].lifecycle).toBe('Succeeded');
      expect(attempts.some((t) => t.lifecycle === 'InProgress' || t.lifecycle === 'Created')).toBe(false);
    }
    // A database whose attempt had committed before the crash is not run again.
    const marks = await Promise.all(names.map(async (name) => (await queryDatabase(name, 'SELECT count(*)::int AS n FROM marks')).rows[0].n as number));
    expect(marks.every((n) => n >= 1)).toBe(true);
    expect(marks.filter((n) => n === 1).length).toBeGreaterThanOrEqual(DATABASES - 5);
  }, 180_000);
});
