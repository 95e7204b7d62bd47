/**
 * A job execution row as the rest of the code sees it, and the lookups that return whole rows.
 * Every id these functions take is already lower-case: executionStore.ts, the store's edge,
 * lower-cases what callers pass; every id they return is lower-cased here, because tedious
 * returns SQL Server's uniqueidentifier upper-case (DESIGN.md, SQL Server notes).
 */
import { ACTIVE_JOB_LIFECYCLES, TERMINAL_JOB_LIFECYCLES } from '../../../domain/lifecycle';
import type { JobExecutionLifecycle } from '../../../domain/schemas/execution';
import type { ExecutionPolicy } from '../../../domain/schemas/executionPolicy';
import type { ResultSetDestination } from '../../../domain/schemas/job';
import type { TargetDatabase } from '../../../domain/schemas/target';
import type { FoundBy } from '../../../domain/missingDatabase';
import { NO_RAILS, type SafetyRails } from '../../../domain/safetyRails';
import type { ControlDatabase } from '../../connection';
import type { JobExecutionTable } from '../../schema';
import { withControlRetry } from '../../sqlErrors';

/** The execution policy as it was when the execution started. */
export type ExecutionPolicySnapshot = Omit<ExecutionPolicy, 'createdAt' | 'updatedAt'>;

/** A job execution row, parsed. */
export interface JobExecutionRecord {
  id: string;
  jobName: string;
  parentId: string | null;
  lifecycle: JobExecutionLifecycle;
  targetId: string | null;
  /** The database of a child; null for a parent. */
  target: TargetDatabase | null;
  contentName: string;
  contentVersion: number;
  credentialName: string;
  executionPolicy: ExecutionPolicySnapshot;
  maxParallelism: number | null;
  resultSetDestination: ResultSetDestination | null;
  captureOutput: boolean;
  scheduleName: string | null;
  createdAt: string;
  startTime: string | null;
  endTime: string | null;
  lastMessage: string | null;
  cancelRequested: boolean;
  updatedAt: string;
  /** How a child's database was found at expansion; null on parents and on children from before migration 0007. */
  foundBy: FoundBy | null;
  /** A child in the work queue (docs/engine.md): ready from this time on; null while claimed or ended. */
  notBefore: string | null;
  /** A child's attempt in flight, claimed by a lane and not yet recorded: its number, task execution id and start. */
  running: { attempt: number; taskId: string; startTime: string } | null;
  /** A parent's lane orchestrations (null before it fanned out). */
  lanes: number | null;
  /** A parent's safety rails, as its job had them at start (none before migration 0011). */
  safetyRails: SafetyRails;
  /** A rerun parent: the execution it re-runs and which of its databases (by lifecycle there). */
  rerunOf: string | null;
  rerunLifecycles: JobExecutionLifecycle[] | null;
  /** A child's wave: 0 the canary, 1 the others (null before migration 0011). */
  wave: number | null;
  /** A child's step (migration 0012; null before it, read as step 1 `main`); on a parent, the step it has reached. */
  stepIndex: number | null;
  stepName: string | null;
}

/** The terminal lifecycles, as the list a `not in` guard takes: no write here moves a terminal execution. */
export const TERMINAL = [...TERMINAL_JOB_LIFECYCLES];

type ExecutionSnapshot = Pick<
  JobExecutionRecord,
  'contentName' | 'contentVersion' | 'credentialName' | 'executionPolicy' | 'maxParallelism' | 'resultSetDestination' | 'captureOutput' | 'scheduleName'
>;

/** What a job execution snapshots of its job at start, as columns; a child carries its parent's. */
export function snapshotColumns(s: ExecutionSnapshot) {
  return {
    contentName: s.contentName,
    contentVersion: s.contentVersion,
    credentialName: s.credentialName,
    executionPolicy: JSON.stringify(s.executionPolicy),
    maxParallelism: s.maxParallelism,
    resultSetDestination: s.resultSetDestination === null ? null : JSON.stringify(s.resultSetDestination),
    captureOutput: s.captureOutput ? 1 : 0,
    scheduleName: s.scheduleName,
  };
}

/** A row as read from any dialect (ids in any case, counts and flags as numbers or strings) to a record with lower-case ids. */
export function toRecord(row: JobExecutionTable): JobExecutionRecord {
  return {
    id: row.id.toLowerCase(),
    jobName: row.jobName,
    parentId: row.parentId === null ? null : row.parentId.toLowerCase(),
    lifecycle: row.lifecycle as JobExecutionLifecycle,
    targetId: row.targetId === null ? null : row.targetId.toLowerCase(),
    target:
      row.targetServer === null || row.targetDatabase === null
        ? null
        : { engine: (row.targetEngine ?? 'sqlserver') as TargetDatabase['engine'], serverName: row.targetServer, databaseName: row.targetDatabase },
    contentName: row.contentName,
    contentVersion: Number(row.contentVersion),
    credentialName: row.credentialName,
    executionPolicy: JSON.parse(row.executionPolicy) as ExecutionPolicySnapshot,
    maxParallelism: row.maxParallelism === null ? null : Number(row.maxParallelism),
    resultSetDestination: row.resultSetDestination === null ? null : (JSON.parse(row.resultSetDestination) as ResultSetDestination),
    captureOutput: Number(row.captureOutput) === 1,
    scheduleName: row.scheduleName,
    createdAt: row.createdAt,
    startTime: row.startTime,
    endTime: row.endTime,
    lastMessage: row.lastMessage,
    cancelRequested: Number(row.cancelRequested) === 1,
    updatedAt: row.updatedAt,
    foundBy: row.foundBy === 'named' || row.foundBy === 'enumerated' ? row.foundBy : null,
    notBefore: row.notBefore ?? null,
    running:
      row.runningTaskId && row.runningAttempt !== null && row.runningAttempt !== undefined
        ? { attempt: Number(row.runningAttempt), taskId: row.runningTaskId.toLowerCase(), startTime: row.runningStartTime ?? row.updatedAt }
        : null,
    lanes: row.lanes === null || row.lanes === undefined ? null : Number(row.lanes),
    safetyRails: row.safetyRails ? { ...NO_RAILS, ...(JSON.parse(row.safetyRails) as Partial<SafetyRails>) } : NO_RAILS,
    rerunOf: row.rerunOf ? row.rerunOf.toLowerCase() : null,
    rerunLifecycles: row.rerunLifecycles ? (JSON.parse(row.rerunLifecycles) as JobExecutionLifecycle[]) : null,
    wave: row.wave === null || row.wave === undefined ? null : Number(row.wave),
    stepIndex: row.stepIndex === null || row.stepIndex === undefined ? null : Number(row.stepIndex),
    stepName: row.stepName ?? null,
  };
}

/** The execution with this (lower-case) id, or undefined. */
export async function findExecution({ db }: ControlDatabase, id: string): Promise<JobExecutionRecord | undefined> {
  const row = await withControlRetry(() => db.selectFrom('jobExecutions').selectAll().where('id', '=', id).executeTakeFirst());
  return row && toRecord(row);
}

/** The children of a parent, ordered by database (engine, server, database). */
export async function childRecords({ db }: ControlDatabase, parentId: string): Promise<JobExecutionRecord[]> {
  const rows = await withControlRetry(() =>
    db
      .selectFrom('jobExecutions')
      .selectAll()
      .where('parentId', '=', parentId)
      .orderBy('targetEngine')
      .orderBy('targetServer')
      .orderBy('targetDatabase')
      .execute(),
  );
  return rows.map(toRecord);
}

/** Parents not terminal, oldest first: what a local host resumes after a restart. */
export async function unfinishedParents({ db }: ControlDatabase): Promise<JobExecutionRecord[]> {
  const rows = await withControlRetry(() =>
    db.selectFrom('jobExecutions').selectAll().where('parentId', 'is', null).where('lifecycle', 'in', [...ACTIVE_JOB_LIFECYCLES]).orderBy('createdAt').orderBy('id').execute(),
  );
  return rows.map(toRecord);
}

/** The active (not terminal) parent executions of a job, oldest first: for the scheduler's overlap policy and job deletion. */
export async function activeExecutionsOfJob({ db }: ControlDatabase, jobName: string): Promise<JobExecutionRecord[]> {
  const rows = await withControlRetry(() =>
    db
      .selectFrom('jobExecutions')
      .selectAll()
      .where('jobName', '=', jobName)
      .where('parentId', 'is', null)
      .where('lifecycle', 'in', [...ACTIVE_JOB_LIFECYCLES])
      .orderBy('createdAt')
      .orderBy('id')
      .execute(),
  );
  return rows.map(toRecord);
}
