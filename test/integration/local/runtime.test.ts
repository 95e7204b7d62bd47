/**
 * The local orchestration runtime with the real activities, control database and SQLite target
 * files: a job started through the API runs to its end, and after a "restart" (a parent written
 * while no runtime ran it) resumeUnfinished() finishes it from the control database alone.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { OrchestrationClient } from '../../../src/execution/orchestrationClient';
import { createLocalRuntime, type LocalRuntime } from '../../../src/local/runtime';
import { createApiHarness, type ApiHarness } from '../../support/apiHarness';
import { CONTROL_DIALECTS } from '../../support/controlDatabases';

const DATABASES = ['a.db', 'b.db', 'c.db', 'd.db', 'e.db'];

describe.each(CONTROL_DIALECTS)('local runtime on a %s control database', (dialect) => {
  let api: ApiHarness;
  let runtime: LocalRuntime;
  /** Off: starts are only recorded, as if the process died right after writing the parent. */
  let running = true;
  const recorded: string[] = [];
  const recorder: OrchestrationClient = {
    startJobExecution: async (id) => void recorded.push(id),
    raiseCancel: async () => {},
  };

  beforeAll(async () => {
    api = await createApiHarness(dialect, {
      orchestrations: (services) => {
        runtime = createLocalRuntime(services);
        return (invocation) => (running ? runtime.orchestrations(invocation) : recorder);
      },
    });
    const folder = path.join(api.dataDir, 'sqlite', 'tenants');
    fs.mkdirSync(folder, { recursive: true });
    for (const name of DATABASES) new Database(path.join(folder, name)).close();
    const ok = async (p: string, body: unknown) => {
      const res = await api.call('POST', p, { body });
      if (res.status >= 300) throw new Error(`POST ${p}: ${res.status} ${res.text}`);
      return res.body;
    };
    await ok('credentials', { name: 'files', username: 'unused', password: 'unused-passw0rd', allowedServers: ['tenants'] });
    const target = await ok('targets', { type: 'server', engine: 'sqlite', serverName: 'tenants', credentialName: 'files' });
    await ok('contents', { name: 'stamp', type: 'script', commandText: "CREATE TABLE IF NOT EXISTS stamps (note TEXT); INSERT INTO stamps VALUES ('ran');" });
    await ok('jobs', { name: 'stamp-all', contentName: 'stamp', credentialName: 'files', targetId: target.id, maxParallelism: 2 });
  });
  afterAll(async () => {
    await runtime.close();
    await api.close();
  });

  const stamps = () =>
    DATABASES.map((name) => {
      const db = new Database(path.join(api.dataDir, 'sqlite', 'tenants', name), { readonly: true });
      try {
        return (db.prepare('SELECT count(*) AS n FROM stamps').get() as { n: number }).n;
      } finally {
        db.close();
      }
    });

  async function waitFor(id: string) {
    const res = await api.call('GET', `executions/${id}/wait?timeout=PT30S&includeChildren=true`);
    expect(res.status).toBe(200);
    return res.body;
  }

  it('runs a job started through the API on every database once, and goes idle', async () => {
    running = true;
    const started = await api.call('POST', 'jobs/stamp-all/executions');
    expect(started.status).toBe(202);
    const done = await waitFor(started.body.id);
    expect(done.lifecycle).toBe('Succeeded');
    expect(done.children).toHaveLength(DATABASES.length);
    expect(stamps()).toEqual([1, 1, 1, 1, 1]);
    await runtime.idle();
    // One lane of five slots ran the five databases: orchestrations per lane, not per database.
    expect(runtime.host.stats().byOrchestrator.laneOrchestrator.instances).toBe(1);
  });

  it('resumes an execution left unfinished by a restart from the control database alone, once', async () => {
    running = false;
    const started = await api.call('POST', 'jobs/stamp-all/executions');
    expect(started.status).toBe(202);
    expect(recorded).toEqual([started.body.id]);
    expect((await api.call('GET', `executions/${started.body.id}`)).body.lifecycle).toBe('Created');

    running = true;
    expect(await runtime.resumeUnfinished()).toBe(1);
    // Asked again while it runs: nothing more starts.
    await runtime.orchestrations().startJobExecution(started.body.id);
    expect(await runtime.resumeUnfinished()).toBe(0);
    const done = await waitFor(started.body.id);
    expect(done.lifecycle).toBe('Succeeded');
    expect(stamps()).toEqual([2, 2, 2, 2, 2]);
    await runtime.idle();
    expect(await runtime.resumeUnfinished()).toBe(0);
    expect(runtime.host.stats().byOrchestrator.jobOrchestrator.instances).toBe(2);
  });
});
