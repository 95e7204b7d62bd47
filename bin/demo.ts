/**
 * `npm run demo`: the product's main job on the embedded default, in one command.
 *
 * Six SQLite tenant databases under .elastic-jobs/demo/tenants (one of them archived, so the
 * collection excludes it; one still being provisioned, so its first attempt fails and is
 * retried), an in-process local host, and everything else defined over its HTTP API: a
 * credential, an idempotent script with a GO, a custom collection, an execution policy, a job.
 * The job runs with live per-target progress; then every child execution and task attempt is
 * printed. Exits 0 only if the job ended as expected.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createApiClient, type ApiClient } from '../src/cli/apiClient';
import { liveDisplayFor } from '../src/cli/liveDisplay';
import { renderTable } from '../src/cli/output';
import { watchExecution } from '../src/cli/watchExecution';
import { loadConfig } from '../src/config';
import type { JobExecution, TaskExecution } from '../src/domain/schemas/execution';
import { startLocalHost } from '../src/local/main';
import { makePrivateFolder } from '../src/privateFiles';

// ELASTIC_JOBS_DEMO_DIR moves it (the tests run the demo in a temporary folder).
const DATA_DIR = path.resolve(process.env.ELASTIC_JOBS_DEMO_DIR ?? path.join('.elastic-jobs', 'demo'));
const TENANTS = 'tenants';
const ACTIVE = ['tenant-1.db', 'tenant-2.db', 'tenant-3.db', 'tenant-4.db', 'tenant-5.db'];
const ARCHIVED = 'tenant-archive.db';
/** Its `orders` table does not exist yet when the job starts: attempt 1 fails, the retry succeeds. */
const LATE = 'tenant-4.db';

const SCRIPT = `-- Idempotent, as every job script should be: the service retries failed attempts.
CREATE TABLE IF NOT EXISTS order_audit (order_id INTEGER PRIMARY KEY, audited_at TEXT NOT NULL);
GO
INSERT OR IGNORE INTO order_audit (order_id, audited_at) SELECT id, datetime('now') FROM orders;
SELECT count(*) AS audited_orders FROM order_audit;
`;

function createTenant(file: string, orders: number, withOrders = true): void {
  const db = new Database(path.join(DATA_DIR, TENANTS, file));
  if (withOrders) provision(db, orders);
  db.close();
}

function provision(db: Database.Database, orders: number): void {
  db.exec('CREATE TABLE IF NOT EXISTS orders (id INTEGER PRIMARY KEY, total REAL)');
  const insert = db.prepare('INSERT OR IGNORE INTO orders (id, total) VALUES (?, ?)');
  for (let i = 1; i <= orders; i++) insert.run(i, i * 9.5);
}

function ordersOf(file: string): number {
  return 10 + ACTIVE.indexOf(file) * 5;
}

/** Plays the operator who finishes provisioning the late tenant once its first attempt has failed. */
async function provisionLateTenantAfterFirstFailure(api: ApiClient, executionId: string, signal: AbortSignal): Promise<boolean> {
  while (!signal.aborted) {
    const { items } = await api.list<TaskExecution>(`executions/${executionId}/tasks`);
    const children = await api.get<JobExecution>(`executions/${executionId}`, { includeChildren: true });
    const late = children.children?.find((c) => c.target?.databaseName === LATE);
    if (late && items.some((t) => t.jobExecutionId === late.id && t.attempt === 1 && t.lifecycle === 'Failed')) {
      const db = new Database(path.join(DATA_DIR, TENANTS, LATE));
      provision(db, ordersOf(LATE));
      db.close();
      return true;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

async function main(): Promise<number> {
  fs.rmSync(DATA_DIR, { recursive: true, force: true });
  makePrivateFolder(path.join(DATA_DIR, TENANTS));
  for (const file of ACTIVE) createTenant(file, ordersOf(file), file !== LATE);
  createTenant(ARCHIVED, 3);

  const config = loadConfig({ ELASTIC_JOBS_DATA_DIR: DATA_DIR, SQLITE_TARGETS_ROOT: DATA_DIR, PORT: '0', LOG_LEVEL: 'error' }, 'local');
  const host = await startLocalHost(config, { scheduler: false });
  const out = process.stdout;
  try {
    out.write(`Elastic Jobs demo: local host at ${host.url}, state in ${path.relative(process.cwd(), DATA_DIR)}/\n\n`);
    const api = createApiClient(host.url);

    await api.post('credentials', { name: 'tenant-runner', username: 'job_runner', password: 'demo-only-password', allowedServers: [TENANTS] });
    await api.post('contents', { name: 'audit-orders', type: 'script', commandText: SCRIPT, comment: 'record every order in order_audit' });
    const collection = await api.post<{ id: string }>('targets', { type: 'customCollection', name: 'all-tenants' });
    for (const file of [...ACTIVE, ARCHIVED]) {
      const target = await api.post<{ id: string }>('targets', { type: 'database', engine: 'sqlite', serverName: TENANTS, databaseName: file });
      await api.post(`targets/${collection.id}/members`, { targetId: target.id, membership: file === ARCHIVED ? 'exclude' : 'include' });
    }
    await api.post('execution-policies', {
      name: 'demo-retries',
      jobTimeout: 'PT5M',
      initialRetryInterval: 'PT2S',
      maximumRetryInterval: 'PT10S',
      retryIntervalBackoffCoefficient: 2,
      maximumAttempts: 3,
      taskTimeout: 'PT30S',
    });
    await api.post('jobs', { name: 'audit-orders', contentName: 'audit-orders', credentialName: 'tenant-runner', targetId: collection.id, executionPolicyName: 'demo-retries', maxParallelism: 3 });
    const dryRun = await api.get<{ items: Array<{ databaseName: string }> }>(`targets/${collection.id}/databases`);
    out.write(`Defined over the API: credential, script (2 batches, GO), collection of ${dryRun.items.length} databases (${ARCHIVED} excluded), policy, job.\n\n`);

    const started = await api.post<JobExecution>('jobs/audit-orders/executions');
    const stopProvisioner = new AbortController();
    const provisioned = provisionLateTenantAfterFirstFailure(api, started.id, stopProvisioner.signal);
    const watched = await watchExecution(api, started.id, liveDisplayFor(out), { pollMs: 200, timeoutMs: 120_000, signal: new AbortController().signal });
    stopProvisioner.abort();
    const lateTenantProvisioned = await provisioned;

    const execution = await api.get<JobExecution>(`executions/${started.id}`, { includeChildren: true });
    const tasks = (await api.list<TaskExecution>(`executions/${started.id}/tasks`)).items;
    const children = [...(execution.children ?? [])].sort((a, b) => (a.target?.databaseName ?? '').localeCompare(b.target?.databaseName ?? ''));
    const nameOf = new Map(children.map((c) => [c.id, c.target?.databaseName ?? c.id]));
    const attemptsOf = (id: string) => tasks.filter((t) => t.jobExecutionId === id);

    out.write(`\nJob execution ${execution.id}: ${execution.lifecycle}\n\nChild job executions\n`);
    out.write(
      renderTable(children, [
        { header: 'DATABASE', value: (c) => c.target?.databaseName ?? '' },
        { header: 'LIFECYCLE', value: (c) => c.lifecycle },
        { header: 'ATTEMPTS', value: (c) => String(attemptsOf(c.id).length) },
      ]),
    );
    out.write('\nJob task executions (one per attempt)\n');
    const ordered = [...tasks].sort((a, b) => (nameOf.get(a.jobExecutionId) ?? '').localeCompare(nameOf.get(b.jobExecutionId) ?? '') || a.attempt - b.attempt);
    out.write(
      renderTable(ordered, [
        { header: 'DATABASE', value: (t) => nameOf.get(t.jobExecutionId) ?? '' },
        { header: 'ATTEMPT', value: (t) => String(t.attempt) },
        { header: 'LIFECYCLE', value: (t) => t.lifecycle },
        { header: 'MESSAGE', value: (t) => t.message ?? '' },
      ]),
    );

    const problems = expectationsNotMet(watched.outcome, execution, children, attemptsOf, lateTenantProvisioned);
    if (problems.length) {
      out.write(`\nThe demo did not end as expected:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
      return 1;
    }
    out.write(`\nAs expected: ${ACTIVE.length} tenants audited, ${LATE} retried after its first attempt failed, ${ARCHIVED} left alone.\n`);
    out.write('Next: `npm start` serves the same API at http://127.0.0.1:7071/api (README: a curl walk through every object).\n');
    return 0;
  } finally {
    await host.stop();
  }
}

function expectationsNotMet(
  outcome: string,
  execution: JobExecution,
  children: JobExecution[],
  attemptsOf: (id: string) => TaskExecution[],
  lateTenantProvisioned: boolean,
): string[] {
  const problems: string[] = [];
  if (outcome !== 'terminal' || execution.lifecycle !== 'Succeeded') problems.push(`the job ended ${execution.lifecycle}, not Succeeded`);
  const names = children.map((c) => c.target?.databaseName).sort();
  if (JSON.stringify(names) !== JSON.stringify(ACTIVE)) problems.push(`the job ran on ${names.join(', ')} instead of ${ACTIVE.join(', ')}`);
  if (!lateTenantProvisioned) problems.push(`${LATE} never showed a failed first attempt`);
  for (const child of children) {
    const file = child.target!.databaseName;
    const expected = file === LATE ? ['Failed', 'Succeeded'] : ['Succeeded'];
    const got = attemptsOf(child.id).sort((a, b) => a.attempt - b.attempt).map((t) => t.lifecycle);
    if (JSON.stringify(got) !== JSON.stringify(expected)) problems.push(`${file}: attempts ${got.join(', ')} instead of ${expected.join(', ')}`);
    const db = new Database(path.join(DATA_DIR, TENANTS, file), { readonly: true });
    const audited = (db.prepare('SELECT count(*) AS n FROM order_audit').get() as { n: number }).n;
    db.close();
    if (audited !== ordersOf(file)) problems.push(`${file}: ${audited} orders audited instead of ${ordersOf(file)}`);
  }
  const archive = new Database(path.join(DATA_DIR, TENANTS, ARCHIVED), { readonly: true });
  const touched = archive.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'order_audit'").get() as { n: number };
  archive.close();
  if (touched.n !== 0) problems.push(`${ARCHIVED} was changed although the collection excludes it`);
  return problems;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
