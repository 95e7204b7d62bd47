/**
 * The host boundary against a hostile script, over HTTP on the local host as a user would meet
 * it: a SQLite script cannot reach the control database, a short GO script cannot become
 * unbounded work, and a 4,000,000-row SELECT that nothing keeps passes through a host held to a
 * 384 MB heap, which keeps answering /health and starts again cleanly on the same data folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { isTerminal } from '../../src/domain/lifecycle';
import { jsonClient } from '../support/httpClient';
import { startLocalHost, type RunningLocalHost } from '../support/localHost';
import { createTestDatabase, pgServerName } from '../support/postgres';

const HEAP = { NODE_OPTIONS: '--max-old-space-size=384' };

async function waitEnd(api: ReturnType<typeof jsonClient>, id: string, healthUrl?: string): Promise<{ lifecycle: string; healthChecks: number }> {
  let healthChecks = 0;
  for (;;) {
    const execution = await api.ok('GET', `executions/${id}`);
    if (isTerminal(execution.lifecycle)) return { lifecycle: execution.lifecycle, healthChecks };
    if (healthUrl) {
      const health = await fetch(healthUrl);
      expect(health.status).toBe(200);
      healthChecks++;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('bounded attempts on the local host', () => {
  let host: RunningLocalHost | undefined;
  let pg: Awaited<ReturnType<typeof createTestDatabase>>;
  let sqliteTargetId: string;

  beforeAll(async () => {
    pg = await createTestDatabase('bounded');
    host = await startLocalHost({ env: HEAP });
    const api = jsonClient(host.url);
    const folder = path.join(host.dataDir, 'sqlite', 'tenants');
    fs.mkdirSync(folder, { recursive: true });
    new Database(path.join(folder, 'a.db')).close();
    await api.ok('POST', 'credentials', { name: 'x', username: 'postgres', password: 'trust-auth-ignores-it', allowedServers: ['127.0.0.1*', 'tenants'] });
    await api.ok('POST', 'execution-policies', { name: 'once', jobTimeout: 'PT5M', initialRetryInterval: 'PT1S', maximumRetryInterval: 'PT1S', retryIntervalBackoffCoefficient: 2, maximumAttempts: 1 });
    sqliteTargetId = (await api.ok('POST', 'targets', { type: 'database', engine: 'sqlite', serverName: 'tenants', databaseName: 'a.db' })).id;
  }, 120_000);

  afterAll(async () => {
    await host?.stop();
    await pg?.drop();
  }, 60_000);

  it('a SQLite script cannot ATTACH the control database: the attempt fails and the credential keeps its scope', async () => {
    const api = jsonClient(host!.url);
    const control = path.join(host!.dataDir, 'control.db');
    await api.ok('POST', 'contents', {
      name: 'widen',
      type: 'script',
      commandText: `ATTACH DATABASE '${control}' AS c;\nUPDATE c.credentials SET allowed_servers = '["*"]' WHERE name = 'x';`,
    });
    await api.ok('POST', 'jobs', { name: 'widen', contentName: 'widen', credentialName: 'x', targetId: sqliteTargetId, executionPolicyName: 'once', captureOutput: true });
    const started = await api.ok('POST', 'jobs/widen/executions');
    expect((await waitEnd(api, started.id)).lifecycle).toBe('Failed');
    const tasks = (await api.ok('GET', `executions/${started.id}/tasks`)).items as Array<{ message: string | null }>;
    expect(tasks.map((t) => t.message).join(' ')).toContain('ATTACH and DETACH is refused on SQLite targets');
    expect((await api.ok('GET', 'credentials/x')).allowedServers).toEqual(['127.0.0.1*', 'tenants']);
  }, 60_000);

  it('the 840-byte GO script fails at once with the statement cap, and the host stays up', async () => {
    const api = jsonClient(host!.url);
    const script = Array.from({ length: 40 }, () => 'SELECT 1;\nGO 1000000').join('\n');
    await api.ok('POST', 'contents', { name: 'go-bomb', type: 'script', commandText: script });
    await api.ok('POST', 'jobs', { name: 'go-bomb', contentName: 'go-bomb', credentialName: 'x', targetId: sqliteTargetId, executionPolicyName: 'once' });
    const startedAt = Date.now();
    const started = await api.ok('POST', 'jobs/go-bomb/executions');
    expect((await waitEnd(api, started.id, `${host!.url}/health`)).lifecycle).toBe('Failed');
    expect(Date.now() - startedAt).toBeLessThan(20_000);
    const tasks = (await api.ok('GET', `executions/${started.id}/tasks`)).items as Array<{ message: string | null }>;
    expect(tasks.map((t) => t.message).join(' ')).toMatch(/between 1 and 10,000/);
  }, 60_000);

  it('a 4,000,000-row SELECT with no destination and no capture passes through a 384 MB host, which answers /health and restarts cleanly', async () => {
    const api = jsonClient(host!.url);
    const pgTarget = await api.ok('POST', 'targets', { type: 'database', engine: 'postgres', serverName: pgServerName(), databaseName: pg.name });
    await api.ok('POST', 'contents', { name: 'big-select', type: 'script', commandText: 'SELECT generate_series(1, 4000000);' });
    await api.ok('POST', 'jobs', { name: 'big-select', contentName: 'big-select', credentialName: 'x', targetId: pgTarget.id, executionPolicyName: 'once' });
    const started = await api.ok('POST', 'jobs/big-select/executions');
    const ended = await waitEnd(api, started.id, `${host!.url}/health`);
    expect(ended.lifecycle).toBe('Succeeded');
    expect(ended.healthChecks).toBeGreaterThan(0);
    expect(host!.child.exitCode).toBeNull();

    const dataDir = host!.dataDir;
    await host!.stop();
    host = await startLocalHost({ dataDir, env: HEAP });
    const health = await fetch(`${host.url}/health`);
    expect(health.status).toBe(200);
    expect((await jsonClient(host.url).ok('GET', `executions/${started.id}`)).lifecycle).toBe('Succeeded');
  }, 240_000);
});
