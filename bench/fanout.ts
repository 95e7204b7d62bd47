/**
 * The fan-out benchmark: how close a job over N real PostgreSQL databases comes to the ideal
 * makespan, against `xargs -P` of psql over the same databases in the same run; the engine's
 * own cost per target with a trivial script, against the bare driver in the same process; peak
 * memory; and the orchestrators' replay work per target at two sizes (it must stay flat).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createApiClient, type ApiClient } from '../src/cli/apiClient';
import { loadConfig } from '../src/config';
import type { JobExecution } from '../src/domain/schemas/execution';
import { startLocalHost, type LocalHost } from '../src/local/main';
import { createPostgresDriver } from '../src/targets/postgresDriver';
import { benchDatabases, PG_ADMIN_URL, pgServerName } from './databases';
import { measureReplayWork } from './replayWork';

const run = promisify(execFile);

export interface FanoutOptions {
  n: number;
  parallelism: number;
  sleepSeconds: number;
  overheadN: number;
  replaySizes: number[];
}

interface JobRun {
  makespanMs: number;
  execution: JobExecution;
}

async function withLocalHost<T>(work: (api: ApiClient, host: LocalHost) => Promise<T>): Promise<T> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ej-bench-'));
  const host = await startLocalHost(loadConfig({ ELASTIC_JOBS_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'error', DEFAULT_MAX_PARALLELISM: '1000' }, 'local'), {
    scheduler: false,
  });
  try {
    return await work(createApiClient(host.url), host);
  } finally {
    await host.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Defines the collection and job over the HTTP API, runs it, and times start to terminal. */
async function runJob(api: ApiClient, databases: string[], script: string, parallelism: number): Promise<JobRun> {
  await api.post('credentials', { name: 'bench', username: new URL(PG_ADMIN_URL).username || 'postgres', password: 'unused-with-trust-auth', allowedServers: ['127.0.0.1*', 'localhost*'] });
  await api.post('contents', { name: 'bench', type: 'script', commandText: script });
  const collection = await api.post<{ id: string }>('targets', { type: 'customCollection', name: 'bench' });
  for (const name of databases) {
    const target = await api.post<{ id: string }>('targets', { type: 'database', engine: 'postgres', serverName: pgServerName(), databaseName: name });
    await api.post(`targets/${collection.id}/members`, { targetId: target.id });
  }
  await api.post('execution-policies', { name: 'bench', jobTimeout: 'PT1H', initialRetryInterval: 'PT1S', maximumRetryInterval: 'PT5S', retryIntervalBackoffCoefficient: 2, maximumAttempts: 3 });
  await api.post('jobs', { name: 'bench', contentName: 'bench', credentialName: 'bench', targetId: collection.id, executionPolicyName: 'bench', maxParallelism: parallelism });

  const started = performance.now();
  const execution = await api.post<JobExecution>('jobs/bench/executions');
  let final: JobExecution | undefined;
  while (!final) {
    const res = await api.request<JobExecution>('GET', `executions/${execution.id}/wait`, { query: { timeout: 'PT3M' }, timeoutMs: 200_000 });
    if (res.status === 200) final = res.body;
  }
  const makespanMs = performance.now() - started;
  if (final.lifecycle !== 'Succeeded') throw new Error(`The benchmark job ended ${final.lifecycle}: ${final.lastMessage}`);
  return { makespanMs, execution: final };
}

/** The same trivial script through the bare driver, `parallelism` at a time: no control database, no orchestration. */
async function runDriverOnly(databases: string[], script: string, parallelism: number): Promise<number> {
  const driver = createPostgresDriver();
  const credential = { authentication: 'sql' as const, username: new URL(PG_ADMIN_URL).username || 'postgres', password: 'unused' };
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: parallelism }, async () => {
      while (next < databases.length) {
        const databaseName = databases[next++];
        await driver.run({ engine: 'postgres', serverName: pgServerName(), databaseName }, credential, { script, signal: new AbortController().signal, keepResultSets: 'none' });
      }
    }),
  );
  const elapsed = performance.now() - started;
  await driver.close();
  return elapsed;
}

async function runXargsBaseline(databases: string[], script: string, parallelism: number): Promise<number> {
  const url = new URL(PG_ADMIN_URL);
  const list = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ej-bench-')), 'databases.txt');
  fs.writeFileSync(list, databases.join('\n') + '\n');
  const psql = `psql -h ${url.hostname} -p ${url.port || '5432'} -U ${url.username || 'postgres'} -qAtX -d {} -c "${script}"`;
  const started = performance.now();
  await run('sh', ['-c', `xargs -P ${parallelism} -I{} ${psql} < ${list} > /dev/null`], { maxBuffer: 64 * 1024 * 1024 });
  return performance.now() - started;
}

const ms = (v: number) => `${v.toFixed(0)} ms`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(3)}x`;

export async function fanout(options: FanoutOptions, print: (line: string) => void): Promise<void> {
  const { n, parallelism: p, sleepSeconds, overheadN } = options;
  print(`fanout: N=${n}, maxParallelism=${p}, script SELECT pg_sleep(${sleepSeconds}); overhead at N=${overheadN} with SELECT 1; replay at N=${options.replaySizes.join(', ')}`);
  print(`machine: ${os.cpus().length} cores, node ${process.version}, PostgreSQL ${pgServerName()}, control database: embedded SQLite`);

  const databases = await benchDatabases(Math.max(n, overheadN), print);

  // 1. Makespan against the ideal and against xargs -P psql.
  const sleepScript = `SELECT pg_sleep(${sleepSeconds})`;
  const job = await withLocalHost((api) => runJob(api, databases.slice(0, n), sleepScript, p));
  const xargs = await runXargsBaseline(databases.slice(0, n), sleepScript, p);
  const ideal = Math.ceil(n / p) * sleepSeconds * 1000;
  print('');
  print(`makespan (start request to terminal, over HTTP)   ${ms(job.makespanMs)}`);
  print(`ideal ceil(N/P)*t                                 ${ms(ideal)}`);
  print(`ratio to ideal                                    ${ratio(job.makespanMs, ideal)}   (goal <= 1.10)`);
  print(`baseline xargs -P ${p} psql -c                       ${ms(xargs)}`);
  print(`ratio to baseline (engine / xargs)                ${ratio(job.makespanMs, xargs)}   (goal < 1)`);

  // 2. The engine's own cost per target: the same trivial script through the engine and through the bare driver.
  const trivial = 'SELECT 1';
  const engine = await withLocalHost((api) => runJob(api, databases.slice(0, overheadN), trivial, p));
  const bare = await runDriverOnly(databases.slice(0, overheadN), trivial, p);
  const perTarget = (engine.makespanMs - bare) / overheadN;
  print('');
  print(`SELECT 1 over N=${overheadN}: engine ${ms(engine.makespanMs)}, bare driver (same P, same process) ${ms(bare)}`);
  print(`engine overhead per target ((engine - bare) / N)  ${perTarget.toFixed(2)} ms   (goal <= 2 ms)`);
  print(`engine wall time per target (engine / N)          ${(engine.makespanMs / overheadN).toFixed(2)} ms`);

  // 3. Replay work of the orchestrators, per target, at two sizes (Durable replays whole histories).
  print('');
  const replay = [];
  for (const size of options.replaySizes) {
    const work = await measureReplayWork(size, p);
    replay.push(work);
    print(
      `replay N=${size}: ${work.eventsReplayed} events replayed in ${work.episodes} episodes, ${work.eventsPerTarget.toFixed(1)} per target ` +
        `(job ${work.byOrchestrator.job.toFixed(2)}, batch ${work.byOrchestrator.batch.toFixed(1)}, target ${work.byOrchestrator.target.toFixed(1)}), ${ms(work.elapsedMs)}`,
    );
  }
  if (replay.length >= 2) {
    const first = replay[0];
    const last = replay[replay.length - 1];
    print(`replay work per target, N=${last.n} vs N=${first.n}          ${ratio(last.eventsPerTarget, first.eventsPerTarget)}   (goal: flat, ~1x)`);
  }
  print('');
  print(`peak RSS of this process                          ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
}
