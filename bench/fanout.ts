/**
 * The fan-out benchmark: how close a job over N real PostgreSQL databases comes to the floor
 * (the bare driver running the same script over the same databases with the same P lanes in
 * this process), to the ideal makespan, and to `xargs -P` of psql; the engine's own cost per
 * target with a trivial script; the statements sent to the control database per attempt; peak
 * memory of the host and its child processes during a run of many SQLite targets; and the
 * orchestrators' replay work per target at two sizes (it must stay flat).
 *
 * The figures a script reads are printed last, one per line as `name: value` (the names of the
 * engine throughput issue); the lines before them say how each was measured.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { createApiClient, type ApiClient } from '../src/cli/apiClient';
import { loadConfig } from '../src/config';
import type { JobExecution } from '../src/domain/schemas/execution';
import { startLocalHost, type LocalHost } from '../src/local/main';
import { createPostgresDriver } from '../src/targets/postgresDriver';
import { countControlStatements } from './controlStatements';
import { benchDatabases, PG_ADMIN_URL, pgServerName, withBenchControlDatabase } from './databases';
import { sampleProcessTreeRss } from './processTreeRss';
import { measureReplayWork } from './replayWork';

const run = promisify(execFile);

export interface FanoutOptions {
  n: number;
  parallelism: number;
  sleepSeconds: number;
  overheadN: number;
  replaySizes: number[];
  /** SQLite target files for the peak-memory run (0: no such run). */
  rssN: number;
}

interface JobRun {
  makespanMs: number;
  execution: JobExecution;
  /** Task executions (attempts) the run recorded, summed over its children. */
  attempts: number;
  /** Statements sent to the control database from the start request to the terminal answer. */
  controlStatements: number;
  /** Peak resident memory of this process (the host) and every process it started, during the run. */
  peakRssMiB: number;
  /** That tree's resident memory when the run started (the benchmark's own process included: the host runs in it). */
  startRssMiB: number;
  /** The most processes of that tree seen at once. */
  processes: number;
}

async function withLocalHost<T>(work: (api: ApiClient, host: LocalHost, dataDir: string) => Promise<T>, controlDb?: string): Promise<T> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ej-bench-'));
  const env: Record<string, string> = { ELASTIC_JOBS_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'error', DEFAULT_MAX_PARALLELISM: '1000' };
  if (controlDb) env.CONTROL_DB = controlDb;
  const host = await startLocalHost(loadConfig(env, 'local'), {
    scheduler: false,
  });
  try {
    return await work(createApiClient(host.url), host, dataDir);
  } finally {
    await host.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The credential, content, policy and job `bench` over the HTTP API, on the target given. */
async function defineJob(api: ApiClient, targetId: string, script: string, parallelism: number): Promise<void> {
  await api.post('contents', { name: 'bench', type: 'script', commandText: script });
  await api.post('execution-policies', { name: 'bench', jobTimeout: 'PT1H', initialRetryInterval: 'PT1S', maximumRetryInterval: 'PT5S', retryIntervalBackoffCoefficient: 2, maximumAttempts: 3 });
  await api.post('jobs', { name: 'bench', contentName: 'bench', credentialName: 'bench', targetId, executionPolicyName: 'bench', maxParallelism: parallelism });
}

/** Starts job `bench` and times the start request to the terminal answer, counting control statements and sampling memory meanwhile. */
async function timeJob(api: ApiClient): Promise<JobRun> {
  const statements = countControlStatements();
  const before = statements();
  const memory = sampleProcessTreeRss();
  const started = performance.now();
  const execution = await api.post<JobExecution>('jobs/bench/executions');
  let final: JobExecution | undefined;
  while (!final) {
    const res = await api.request<JobExecution>('GET', `executions/${execution.id}/wait`, { query: { timeout: 'PT3M' }, timeoutMs: 200_000 });
    if (res.status === 200) final = res.body;
  }
  const makespanMs = performance.now() - started;
  const controlStatements = statements() - before;
  const { peakMiB, startMiB, processes } = memory.stop();
  if (final.lifecycle !== 'Succeeded') throw new Error(`The benchmark job ended ${final.lifecycle}: ${final.lastMessage}`);
  const withChildren = await api.get<JobExecution>(`executions/${execution.id}`, { includeChildren: 'true' });
  const attempts = (withChildren.children ?? []).reduce((sum, child) => sum + (child.attempts ?? 0), 0);
  return { makespanMs, execution: final, attempts, controlStatements, peakRssMiB: peakMiB, startRssMiB: startMiB, processes };
}

/** A job over these PostgreSQL databases (a custom collection of one target each), defined over the HTTP API and timed. */
async function runPostgresJob(api: ApiClient, databases: string[], script: string, parallelism: number): Promise<JobRun> {
  await api.post('credentials', { name: 'bench', username: new URL(PG_ADMIN_URL).username || 'postgres', password: 'unused-with-trust-auth', allowedServers: ['127.0.0.1*', 'localhost*'] });
  const collection = await api.post<{ id: string }>('targets', { type: 'customCollection', name: 'bench' });
  for (const name of databases) {
    const target = await api.post<{ id: string }>('targets', { type: 'database', engine: 'postgres', serverName: pgServerName(), databaseName: name });
    await api.post(`targets/${collection.id}/members`, { targetId: target.id });
  }
  await defineJob(api, collection.id, script, parallelism);
  return timeJob(api);
}

/** A job over `n` SQLite files of one folder (a server target, enumerated at expansion): cheap to set up at N=10,000. */
async function runSqliteJob(api: ApiClient, dataDir: string, n: number, script: string, parallelism: number): Promise<JobRun> {
  const folder = path.join(dataDir, 'sqlite', 'bench');
  fs.mkdirSync(folder, { recursive: true });
  for (let i = 1; i <= n; i++) {
    const db = new Database(path.join(folder, `t${String(i).padStart(5, '0')}.db`));
    db.pragma('user_version = 1');
    db.close();
  }
  await api.post('credentials', { name: 'bench', username: 'bench', password: 'unused-by-sqlite', allowedServers: ['bench'] });
  const server = await api.post<{ id: string }>('targets', { type: 'server', engine: 'sqlite', serverName: 'bench', credentialName: 'bench' });
  await defineJob(api, server.id, script, parallelism);
  return timeJob(api);
}

/** The same script through the bare driver, `parallelism` lanes at a time, in this process: no control database, no orchestration. */
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
const ratio = (a: number, b: number) => (a / b).toFixed(2);
const perAttempt = (r: JobRun) => (r.attempts === 0 ? NaN : r.controlStatements / r.attempts);

export async function fanout(options: FanoutOptions, print: (line: string) => void): Promise<void> {
  const { n, parallelism: p, sleepSeconds, overheadN, rssN } = options;
  print(`fanout: N=${n}, maxParallelism=${p}, script SELECT pg_sleep(${sleepSeconds}); overhead at N=${overheadN} with SELECT 1; replay at N=${options.replaySizes.join(', ')}; peak memory over ${rssN} SQLite targets`);
  print(`machine: ${os.cpus().length} cores, node ${process.version}, PostgreSQL ${pgServerName()}, control database: embedded SQLite`);
  const figures: [string, string][] = [];
  let memoryFigure: [string, string] | undefined;

  const databases = await benchDatabases(Math.max(n, overheadN), print);

  // 0. Peak memory of the host and every process it starts, sampled during a run of rssN SQLite targets:
  // first, while this process (which hosts the host) holds nothing of the other runs.
  if (rssN > 0) {
    const sqlite = await withLocalHost((api, _host, dataDir) => runSqliteJob(api, dataDir, rssN, 'SELECT 1', p));
    print('');
    print(
      `SQLite SELECT 1 over N=${rssN}: ${ms(sqlite.makespanMs)}, ${sqlite.attempts} attempts; resident memory of this process (the host runs in it) ` +
        `and its children ${sqlite.startRssMiB.toFixed(0)} MiB at the start, ${sqlite.peakRssMiB.toFixed(0)} MiB at the peak, up to ${sqlite.processes} processes, sampled every 100 ms`,
    );
    memoryFigure = [`peak RSS MiB at N=${rssN}`, sqlite.peakRssMiB.toFixed(0)];
  }

  // 1. Makespan against the floor (bare driver, same lanes), the ideal, and xargs -P psql.
  const sleepScript = `SELECT pg_sleep(${sleepSeconds})`;
  const job = await withLocalHost((api) => runPostgresJob(api, databases.slice(0, n), sleepScript, p));
  const floor = await runDriverOnly(databases.slice(0, n), sleepScript, p);
  // The same job with the control database on PostgreSQL (networked, as Azure's is): a fresh database per run.
  const pgControl = await withBenchControlDatabase((url) => withLocalHost((api) => runPostgresJob(api, databases.slice(0, n), sleepScript, p), url));
  const xargs = await runXargsBaseline(databases.slice(0, n), sleepScript, p);
  const ideal = Math.ceil(n / p) * sleepSeconds * 1000;
  print('');
  print(`makespan (start request to terminal, over HTTP)   ${ms(job.makespanMs)}`);
  print(`floor: bare driver, ${p} lanes, same process      ${ms(floor)}`);
  print(`ideal ceil(N/P)*t                                 ${ms(ideal)}`);
  print(`xargs -P ${p} psql -c (reference only)               ${ms(xargs)}`);
  print(`makespan with the control database on PostgreSQL ${ms(pgControl.makespanMs)}`);
  print(`control statements ${job.controlStatements} for ${job.attempts} attempts (every statement run on control.db, transactions' begin/commit and the benchmark's own wait poll included)`);
  figures.push(
    ['makespan/floor', ratio(job.makespanMs, floor)],
    ['makespan/floor pg-control', ratio(pgControl.makespanMs, floor)],
    ['makespan/ideal', ratio(job.makespanMs, ideal)],
    ['makespan/xargs', ratio(job.makespanMs, xargs)],
  );

  // 2. The engine's own cost per target: the same trivial script through the engine and through the bare driver.
  const trivial = 'SELECT 1';
  const engine = await withLocalHost((api) => runPostgresJob(api, databases.slice(0, overheadN), trivial, p));
  const bare = await runDriverOnly(databases.slice(0, overheadN), trivial, p);
  const perTarget = (engine.makespanMs - bare) / overheadN;
  print('');
  print(`SELECT 1 over N=${overheadN}: engine ${ms(engine.makespanMs)}, bare driver (same P, same process) ${ms(bare)}`);
  print(`engine wall time per target (engine / N)          ${(engine.makespanMs / overheadN).toFixed(2)} ms`);
  print(`control statements ${engine.controlStatements} for ${engine.attempts} attempts: ${perAttempt(engine).toFixed(1)} per attempt`);
  figures.push(['overhead ms per target', perTarget.toFixed(2)]);
  // Both runs counted: the sleep run's and the SELECT 1 run's statements over their attempts.
  figures.push(['control round trips per attempt', ((job.controlStatements + engine.controlStatements) / (job.attempts + engine.attempts)).toFixed(1)]);

  // 3. Replay work of the orchestrators, per target, at two sizes (Durable replays whole histories).
  print('');
  for (const size of options.replaySizes) {
    const work = await measureReplayWork(size, p);
    print(
      `replay N=${size}: ${work.eventsReplayed} events replayed in ${work.episodes} episodes ` +
        `(job ${work.byOrchestrator.job.toFixed(2)}, lane ${work.byOrchestrator.lane.toFixed(2)} per target; ${work.generations} lane generations), ${ms(work.elapsedMs)}`,
    );
    figures.push([`replay events per target N=${size}`, work.eventsPerTarget.toFixed(1)]);
  }

  if (memoryFigure) figures.push(memoryFigure);
  print('');
  for (const [name, value] of figures) print(`${name}: ${value}`);
}
