/**
 * The real routes, stores and scheduler on a real control database, with an orchestration client
 * that only records the executions it was asked to start (the orchestration runtime is not what
 * these tests check), a manual clock, and builders that create jobs, schedules and triggers
 * through the API as a user would.
 */
import crypto from 'node:crypto';
import { executionStore } from '../../../src/control/stores/executionStore';
import type { JobExecutionTable, TaskExecutionTable } from '../../../src/control/schema';
import type { JobExecutionLifecycle } from '../../../src/domain/schemas/execution';
import type { OrchestrationClient } from '../../../src/execution/orchestrationClient';
import { createLogger } from '../../../src/logging';
import { runHousekeeping } from '../../../src/scheduler/housekeeping';
import { runSchedulerTick, type SchedulerTickReport } from '../../../src/scheduler/schedulerTick';
import { createServices, type Services } from '../../../src/services';
import { createApiHarness, type ApiHarness } from '../../support/apiHarness';
import { ManualClock } from '../../support/clock';
import type { TestDialect } from '../../support/controlDatabases';

export interface SchedulerHarness {
  api: ApiHarness;
  clock: ManualClock;
  /** Execution ids the orchestration runtime was asked to start, by any Services of this harness. */
  started: string[];
  /** Makes the next orchestration start fail, as a host whose runtime is down. */
  failNextStart(error: Error): void;
  job(name: string, overlap?: 'skip' | 'queue' | 'allow'): Promise<void>;
  schedule(body: Record<string, unknown>): Promise<void>;
  trigger(jobName: string, scheduleName: string): Promise<void>;
  tick(services?: Services): Promise<SchedulerTickReport>;
  housekeeping(): ReturnType<typeof runHousekeeping>;
  /** Another Services on the same control database: a second host instance. */
  anotherInstance(): Promise<Services>;
  /** Ends an execution as its orchestration would. */
  finish(executionId: string, lifecycle?: JobExecutionLifecycle): Promise<void>;
  executionsOf(jobName: string): Promise<JobExecutionTable[]>;
  firesOf(jobName: string): Promise<{ fireTime: string; status: string; executionId: string | null; message: string | null }[]>;
  close(): Promise<void>;
}

export async function createSchedulerHarness(dialect: TestDialect, start = '2026-11-25T20:00:00.000Z'): Promise<SchedulerHarness> {
  const clock = new ManualClock(start);
  const started: string[] = [];
  let failure: Error | undefined;
  const client: OrchestrationClient = {
    async startJobExecution(id) {
      const error = failure;
      failure = undefined;
      if (error) throw error;
      started.push(id);
    },
    async raiseCancel() {},
  };
  const api = await createApiHarness(dialect, { clock, orchestrations: () => () => client });
  const others: Services[] = [];
  let target: string | undefined;

  const ok = async (method: string, path: string, body?: unknown) => {
    const res = await api.call(method, path, body === undefined ? {} : { body });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
    return res.body;
  };

  return {
    api,
    clock,
    started,
    failNextStart(error) {
      failure = error;
    },
    async job(name, overlap = 'skip') {
      if (!target) {
        await ok('POST', 'credentials', { name: 'runner', username: 'u', password: 'runner-p4ss', allowedServers: ['*.example'] });
        await ok('POST', 'contents', { name: 'script', type: 'script', commandText: 'SELECT 1' });
        target = (await ok('POST', 'targets', { type: 'database', serverName: 'db.example', databaseName: 'orders' })).id;
      }
      await ok('POST', 'jobs', { name, contentName: 'script', credentialName: 'runner', targetId: target, overlap });
    },
    async schedule(body) {
      await ok('POST', 'schedules', body);
    },
    async trigger(jobName, scheduleName) {
      await ok('POST', 'triggers', { jobName, scheduleName });
    },
    tick(services = api.services) {
      return runSchedulerTick(services, { now: clock.now() });
    },
    housekeeping() {
      return runHousekeeping(api.services, { now: clock.now() });
    },
    async anotherInstance() {
      const services = await createServices(api.services.config, { clock, logger: createLogger('silent'), orchestrations: () => () => client });
      others.push(services);
      return services;
    },
    async finish(executionId, lifecycle = 'Succeeded') {
      await executionStore(api.services.control).mark(executionId, lifecycle, null, clock.now().toISOString());
    },
    executionsOf(jobName) {
      return api.services.control.db.selectFrom('jobExecutions').selectAll().where('jobName', '=', jobName).orderBy('createdAt').orderBy('id').execute();
    },
    firesOf(jobName) {
      return api.services.control.db
        .selectFrom('triggerFires')
        .select(['fireTime', 'status', 'executionId', 'message'])
        .where('jobName', '=', jobName)
        .orderBy('fireTime')
        .execute();
    },
    async close() {
      for (const s of others) await s.close();
      await api.close();
    },
  };
}

/** Finished history written straight to the tables (hundreds of rows; the start path is not what is tested). */
export async function insertHistory(
  { services }: { services: Services },
  jobName: string,
  spec: { parents: number; createdAt: string; lifecycle?: JobExecutionLifecycle; childrenEach?: number },
): Promise<string[]> {
  const parents: JobExecutionTable[] = [];
  const children: JobExecutionTable[] = [];
  const tasks: TaskExecutionTable[] = [];
  const lifecycle = spec.lifecycle ?? 'Succeeded';
  const ended = ['Succeeded', 'SucceededWithSkipped', 'Failed', 'TimedOut', 'Canceled', 'Skipped'].includes(lifecycle);
  const row = (id: string, parentId: string | null, database: string | null): JobExecutionTable => ({
    id,
    jobName,
    parentId,
    lifecycle,
    targetId: null,
    targetEngine: database ? 'sqlserver' : null,
    targetServer: database ? 'db.example' : null,
    targetDatabase: database,
    contentName: 'script',
    contentVersion: 1,
    credentialName: 'runner',
    executionPolicy: '{}',
    maxParallelism: 10,
    resultSetDestination: null,
    captureOutput: 0,
    scheduleName: null,
    createdAt: spec.createdAt,
    startTime: spec.createdAt,
    endTime: ended ? spec.createdAt : null,
    lastMessage: null,
    cancelRequested: 0,
    updatedAt: spec.createdAt,
  });
  for (let p = 0; p < spec.parents; p++) {
    const parent = row(crypto.randomUUID(), null, null);
    parents.push(parent);
    for (let c = 0; c < (spec.childrenEach ?? 1); c++) {
      const child = row(crypto.randomUUID(), parent.id, `db${c}`);
      children.push(child);
      tasks.push({ id: crypto.randomUUID(), jobExecutionId: child.id, attempt: 1, lifecycle: 'Succeeded', message: null, output: null, startTime: spec.createdAt, endTime: spec.createdAt, outcome: 'Succeeded', retryable: 0 });
    }
  }
  const { db } = services.control;
  const chunk = <T>(items: T[]) => Array.from({ length: Math.ceil(items.length / 50) }, (_, i) => items.slice(i * 50, i * 50 + 50));
  for (const part of chunk(parents)) await db.insertInto('jobExecutions').values(part).execute();
  for (const part of chunk(children)) await db.insertInto('jobExecutions').values(part).execute();
  for (const part of chunk(tasks)) await db.insertInto('taskExecutions').values(part).execute();
  return parents.map((p) => p.id);
}

export async function countOf(api: ApiHarness, table: 'jobExecutions' | 'taskExecutions' | 'triggerFires' | 'triggers' | 'jobs'): Promise<number> {
  const row = await api.services.control.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** A time 20:mm:ss on the harnesses' day (a tick's moment; 10 s after the minute by default). */
export const at = (minute: number, second = 10) => `2026-11-25T20:${String(minute).padStart(2, '0')}:${String(second).padStart(2, '0')}.000Z`;
/** The fire time of an every-minute schedule at 20:mm. */
export const fire = (minute: number) => `2026-11-25T20:${String(minute).padStart(2, '0')}:00.000Z`;
