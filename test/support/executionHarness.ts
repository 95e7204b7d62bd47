import { executionStore } from '../../src/control/stores/executionStore';
import type { JobExecutionLifecycle } from '../../src/domain/schemas/execution';
/**
 * An API harness for execution tests: the real routes, stores and PostgreSQL target driver, with
 * an orchestration client that only records what it was asked (the orchestrators are not what
 * these tests check; the activities are called directly), a driver wrapper that records every
 * connection it was asked to make, and builders that create credentials, contents, targets and
 * jobs through the API as a user would.
 */
import type { OrchestrationClient } from '../../src/execution/orchestrationClient';
import { createActivities, type Activities, type ActivityOptions } from '../../src/execution/activities';
import type { ConnectionCredential, DatabaseRef, TargetDriver } from '../../src/targets/driver';
import { createPostgresDriver } from '../../src/targets/postgresDriver';
import type { TargetDrivers } from '../../src/targets/registry';
import type { Engine } from '../../src/domain/schemas/common';
import { createApiHarness, type ApiHarness } from './apiHarness';
import type { TestDialect } from './controlDatabases';
import { ManualClock } from './clock';
import { pgServerName } from './postgres';

export const TARGET_PASSWORD = 'Tr1cky-Passw0rd-for-targets';

export interface RecordedOrchestrations {
  started: string[];
  cancelled: string[][];
  /** Makes the next startJobExecution fail, as a host whose orchestration runtime is down. */
  failNextStart?: Error;
}

export interface DriverCall {
  method: 'run' | 'listDatabases' | 'listElasticPoolDatabases' | 'readShardMap';
  serverName: string;
  databaseName?: string;
}

export interface ExecutionHarness {
  api: ApiHarness;
  clock: ManualClock;
  orchestrations: RecordedOrchestrations;
  driverCalls: DriverCall[];
  activities: Activities;
  /** Creates a job (and what it needs) through the API; returns the job name. */
  job(spec: JobSpec): Promise<string>;
  credential(name: string, allowedServers: string[]): Promise<void>;
  content(name: string, commandText: string): Promise<void>;
  databaseTarget(databaseName: string, serverName?: string, engine?: Engine): Promise<string>;
  collection(name: string, members: { id: string; membership?: 'include' | 'exclude' }[]): Promise<string>;
  /** POST /jobs/{name}/executions; returns the parent execution id. */
  start(jobName: string): Promise<string>;
  /** Sets an execution's lifecycle through the store, as a lane's record would; returns the lifecycle it has after (a terminal one never moves). */
  mark(executionId: string, lifecycle: JobExecutionLifecycle, message?: string | null): Promise<{ lifecycle: JobExecutionLifecycle }>;
  close(): Promise<void>;
}

export interface JobSpec {
  name: string;
  targetId: string;
  script?: string;
  credentialName?: string;
  allowedServers?: string[];
  executionPolicyName?: string;
  captureOutput?: boolean;
  maxParallelism?: number;
  resultSetDestination?: Record<string, unknown>;
}

function recordingDriver(inner: TargetDriver, calls: DriverCall[]): TargetDriver {
  return {
    engine: inner.engine,
    run(database: DatabaseRef, credential: ConnectionCredential, options) {
      calls.push({ method: 'run', serverName: database.serverName, databaseName: database.databaseName });
      return inner.run(database, credential, options);
    },
    listDatabases(serverName, credential) {
      calls.push({ method: 'listDatabases', serverName });
      return inner.listDatabases(serverName, credential);
    },
    readShardMap(manager, shardMapName, credential) {
      calls.push({ method: 'readShardMap', serverName: manager.serverName, databaseName: manager.databaseName });
      return inner.readShardMap(manager, shardMapName, credential);
    },
    withSession: inner.withSession?.bind(inner),
    stopEarlierSessions: (database, credential, tags, options) => inner.stopEarlierSessions(database, credential, tags, options),
    close: () => inner.close(),
  };
}

export async function createExecutionHarness(dialect: TestDialect, options: ActivityOptions & { clock?: ManualClock } = {}): Promise<ExecutionHarness> {
  const clock = options.clock ?? new ManualClock();
  const orchestrations: RecordedOrchestrations = { started: [], cancelled: [] };
  const driverCalls: DriverCall[] = [];
  const postgres = recordingDriver(createPostgresDriver({ connectTimeoutMs: 3_000, cancelGraceMs: 2_000 }), driverCalls);
  const drivers: TargetDrivers = {
    driverFor(engine) {
      if (engine !== 'postgres') throw new Error(`These tests run only postgres targets (asked for ${engine}).`);
      return postgres;
    },
    close: () => postgres.close(),
  };
  const client: OrchestrationClient = {
    async startJobExecution(id) {
      const failure = orchestrations.failNextStart;
      orchestrations.failNextStart = undefined;
      if (failure) throw failure;
      orchestrations.started.push(id);
    },
    async raiseCancel(ids) {
      orchestrations.cancelled.push(ids);
    },
  };
  const api = await createApiHarness(dialect, { clock, drivers, orchestrations: () => () => client });
  const activities = createActivities(api.services, { cancelPollMs: options.cancelPollMs ?? 100 });

  const expectStatus = async (method: string, path: string, body: unknown, status: number) => {
    const res = await api.call(method, path, { body });
    if (res.status !== status) throw new Error(`${method} ${path} answered ${res.status}: ${res.text}`);
    return res;
  };
  const credentials = new Set<string>();
  const contents = new Set<string>();

  const harness: ExecutionHarness = {
    api,
    clock,
    orchestrations,
    driverCalls,
    activities,
    async credential(name, allowedServers) {
      await expectStatus('POST', 'credentials', { name, username: 'postgres', password: TARGET_PASSWORD, allowedServers }, 201);
      credentials.add(name);
    },
    async content(name, commandText) {
      await expectStatus('POST', 'contents', { name, type: 'script', commandText }, 201);
      contents.add(name);
    },
    async databaseTarget(databaseName, serverName = pgServerName(), engine = 'postgres') {
      const res = await api.call('POST', 'targets', { body: { type: 'database', engine, serverName, databaseName } });
      if (res.status === 201) return res.body.id as string;
      const existing = /([0-9a-f-]{36})/.exec(res.body?.detail ?? '');
      if (res.status === 409 && existing) return existing[1];
      throw new Error(`POST targets answered ${res.status}: ${res.text}`);
    },
    async collection(name, members) {
      const res = await expectStatus('POST', 'targets', { type: 'customCollection', name }, 201);
      for (const m of members) await expectStatus('POST', `targets/${res.body.id}/members`, { targetId: m.id, membership: m.membership ?? 'include' }, 201);
      return res.body.id as string;
    },
    async job(spec) {
      const credentialName = spec.credentialName ?? `${spec.name}-cred`;
      if (!credentials.has(credentialName)) await harness.credential(credentialName, spec.allowedServers ?? ['127.0.0.1*', 'localhost*']);
      const contentName = `${spec.name}-script`;
      await harness.content(contentName, spec.script ?? 'SELECT 1');
      const body: Record<string, unknown> = { name: spec.name, contentName, credentialName, targetId: spec.targetId };
      if (spec.executionPolicyName) body.executionPolicyName = spec.executionPolicyName;
      if (spec.captureOutput !== undefined) body.captureOutput = spec.captureOutput;
      if (spec.maxParallelism !== undefined) body.maxParallelism = spec.maxParallelism;
      if (spec.resultSetDestination) body.resultSetDestination = spec.resultSetDestination;
      await expectStatus('POST', 'jobs', body, 201);
      return spec.name;
    },
    async start(jobName) {
      const res = await expectStatus('POST', `jobs/${encodeURIComponent(jobName)}/executions`, undefined, 202);
      return res.body.id as string;
    },
    async mark(executionId, lifecycle, message) {
      const executions = executionStore(api.services.control);
      await executions.mark(executionId, lifecycle, message, clock.now().toISOString());
      return { lifecycle: (await executions.get(executionId)).lifecycle };
    },
    close: () => api.close(),
  };
  return harness;
}

/** Rows of a control table, for "writes nothing" and "one row" assertions. */
export async function countRows(api: ApiHarness, table: 'jobExecutions' | 'taskExecutions'): Promise<number> {
  const row = await api.services.control.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}
