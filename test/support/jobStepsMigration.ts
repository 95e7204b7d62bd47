/**
 * Migration 0012 (job steps) over a control database that already holds rows: a database
 * migrated to 0011 gets jobs (every column of 0001, 0010 and 0011 set), a trigger, a parent
 * execution with two children and a task execution; after 0012 every row is still there, word
 * for word, every foreign key still holds, and the steps are backfilled. Shared by the SQLite and
 * PostgreSQL suite (npm test) and the opt-in SQL Server suite.
 */
import { Migrator } from 'kysely';
import type { ControlDatabase } from '../../src/control/connection';
import { migrations } from '../../src/control/migrate';

const T0 = '2026-11-20T08:00:00.000Z';
export const TARGET_ID = 'a0000000-0000-4000-8000-0000000000aa';
export const PARENT_ID = 'b0000000-0000-4000-8000-000000000001';
const CHILD_IDS = ['b0000000-0000-4000-8000-000000000002', 'b0000000-0000-4000-8000-000000000003'];
const POLICY = { name: 'default', jobTimeout: 'P7D', initialRetryInterval: 'PT0.1S', maximumRetryInterval: 'PT30M', retryIntervalBackoffCoefficient: 2, maximumAttempts: 3, taskTimeout: null };
const DESTINATION = { engine: 'postgres', serverName: 'results', databaseName: 'r', schemaName: 'public', tableName: 't', credentialName: 'runner' };

function migrator(control: ControlDatabase) {
  return new Migrator({
    db: control.db,
    provider: { getMigrations: async () => migrations(control.dialect) },
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
  });
}

/** Rows of a table, ordered by the given columns. */
async function rowsOf(control: ControlDatabase, table: string, orderBy: string[]): Promise<Record<string, unknown>[]> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let q = (control.db as any).selectFrom(table).selectAll();
  for (const column of orderBy) q = q.orderBy(column);
  return (await q.execute()) as Record<string, unknown>[];
}

const PRESERVED: [string, string[]][] = [
  ['jobs', ['name']],
  ['triggers', ['jobName']],
  ['jobExecutions', ['id']],
  ['taskExecutions', ['id']],
];

export interface Before0012 {
  rows: Record<string, Record<string, unknown>[]>;
}

/** Migrates to 0011 and writes the rows; returns them as read back. */
export async function seedAt0011(control: ControlDatabase): Promise<Before0012> {
  const result = await migrator(control).migrateTo('0011_safety_rails');
  if (result.error) throw result.error;
  const db = control.db;
  await db.insertInto('credentials').values({ name: 'runner', username: 'u', authentication: 'sql', passwordSecret: 'x', allowedServers: '["*"]', createdAt: T0, updatedAt: T0 }).execute();
  await db.insertInto('contents').values({ name: 'script', type: 'script', latestVersion: 2, createdAt: T0 }).execute();
  for (const version of [1, 2]) {
    await db.insertInto('contentVersions').values({ contentName: 'script', version, commandText: `SELECT ${version}`, dacpacUri: null, dacpacQuerySecret: null, comment: null, createdAt: T0 }).execute();
  }
  await db
    .insertInto('targets')
    .values({ id: TARGET_ID, type: 'database', engine: 'postgres', serverName: 'srv', databaseName: 'db', elasticPoolName: null, shardMapName: null, credentialName: null, name: null, identityKey: 'database|postgres|srv:5432|db||', createdAt: T0 })
    .execute();
  const job = {
    contentVersion: null,
    credentialName: 'runner',
    targetId: TARGET_ID,
    executionPolicyName: 'default',
    maxParallelism: null,
    resultSetDestination: null,
    overlap: 'skip',
    captureOutput: 0,
    markedForDeletionAt: null,
    createdAt: T0,
    updatedAt: T0,
    enabled: 1,
    enabledAt: null,
    notifyUrl: null,
    notifyOn: null,
    notifySince: null,
    canary: null,
    failureThreshold: null,
    maxParallelismPerServer: null,
  };
  await db.insertInto('jobs').values({ ...job, name: 'plain', contentName: 'script' }).execute();
  await db
    .insertInto('jobs')
    .values({
      ...job,
      name: 'everything set',
      contentName: 'script',
      contentVersion: 1,
      maxParallelism: 7,
      resultSetDestination: JSON.stringify(DESTINATION),
      overlap: 'queue',
      captureOutput: 1,
      enabled: 0,
      enabledAt: T0,
      notifyUrl: 'https://hooks.example.com/x',
      notifyOn: '["Failed"]',
      notifySince: T0,
      canary: '{"targets":2}',
      failureThreshold: '{"count":3}',
      maxParallelismPerServer: 5,
    })
    .execute();
  await db.insertInto('schedules').values({ name: 'hourly', oneTime: 0, intervalUnit: 'hour', intervalCount: 1, cron: null, timeZone: null, startTime: T0, endTime: null, createdAt: T0, updatedAt: T0 }).execute();
  await db.insertInto('triggers').values({ jobName: 'plain', scheduleName: 'hourly', createdAt: T0 }).execute();
  const execution = {
    jobName: 'everything set',
    lifecycle: 'InProgress',
    targetId: TARGET_ID,
    contentName: 'script',
    contentVersion: 1,
    credentialName: 'runner',
    executionPolicy: JSON.stringify(POLICY),
    maxParallelism: 7,
    resultSetDestination: JSON.stringify(DESTINATION),
    captureOutput: 1,
    scheduleName: null,
    createdAt: T0,
    startTime: T0,
    endTime: null,
    lastMessage: null,
    cancelRequested: 0,
    updatedAt: T0,
  };
  await db.insertInto('jobExecutions').values({ ...execution, id: PARENT_ID, parentId: null, targetEngine: null, targetServer: null, targetDatabase: null, lanes: 1 }).execute();
  for (const [i, id] of CHILD_IDS.entries()) {
    await db
      .insertInto('jobExecutions')
      .values({ ...execution, id, parentId: PARENT_ID, targetId: null, targetEngine: 'postgres', targetServer: 'srv', targetDatabase: `db${i}`, foundBy: 'named', wave: 1, serverKey: 'srv:5432' })
      .execute();
  }
  await db.insertInto('taskExecutions').values({ id: 'c0000000-0000-4000-8000-000000000001', jobExecutionId: CHILD_IDS[0], attempt: 1, lifecycle: 'Succeeded', message: null, output: null, startTime: T0, endTime: T0, outcome: 'Succeeded', retryable: 0 }).execute();

  const rows: Before0012['rows'] = {};
  for (const [table, order] of PRESERVED) rows[table] = await rowsOf(control, table, order);
  return { rows };
}

/** Runs 0012 (and any later migration). */
export async function migrateRest(control: ControlDatabase): Promise<void> {
  const result = await migrator(control).migrateToLatest();
  if (result.error) throw result.error;
}

/** Every row written before 0012, as read back after it (the new job_executions columns left out). */
export async function preservedRows(control: ControlDatabase): Promise<Before0012['rows']> {
  const rows: Before0012['rows'] = {};
  for (const [table, order] of PRESERVED) {
    rows[table] = (await rowsOf(control, table, order)).map((r) => {
      if (table !== 'jobExecutions') return r;
      const { stepIndex: _i, stepName: _n, ...rest } = r;
      return rest;
    });
  }
  return rows;
}

export { rowsOf, DESTINATION, CHILD_IDS, T0 };
