/**
 * Lifecycle writes of job executions: a parent's start, its expansion's start, a lifecycle set,
 * a cancel request, and the children ended together. Every one is idempotent and
 * none moves a terminal execution: Durable runs activities at least once, a replayed job
 * orchestration runs them again, and a cancel or timeout may race an attempt that is just
 * finishing. Ids taken are already lower-case (executionStore.ts lower-cases them at the
 * store's edge).
 */
import type { Kysely } from 'kysely';
import { laneInstanceId } from '../../../domain/lanePlan';
import { isTerminal, OPEN_TASK_LIFECYCLES } from '../../../domain/lifecycle';
import type { JobExecutionLifecycle } from '../../../domain/schemas/execution';
import type { ResultSetDestination } from '../../../domain/schemas/job';
import type { SafetyRails } from '../../../domain/safetyRails';
import type { ControlDatabase } from '../../connection';
import type { ControlSchema, JobExecutionTable } from '../../schema';
import { storableText } from '../../storableText';
import { withControlRetry } from '../../sqlErrors';
import { insertExecutionSteps, type ExecutionStepSnapshot } from '../executionStepStore';
import { snapshotColumns, TERMINAL, toRecord, type ExecutionPolicySnapshot, type JobExecutionRecord } from './executionRecords';

/** A parent execution to write; `id` and `targetId` lower-case. */
export interface NewParentExecution {
  id: string;
  jobName: string;
  targetId: string;
  contentName: string;
  contentVersion: number;
  credentialName: string;
  executionPolicy: ExecutionPolicySnapshot;
  maxParallelism: number;
  resultSetDestination: ResultSetDestination | null;
  captureOutput: boolean;
  scheduleName: string | null;
  lastMessage: string | null;
  /** The job's safety rails at start (migration 0011). */
  safetyRails: SafetyRails;
  /** A rerun: the execution it re-runs, and which of its databases (by their lifecycle there). */
  rerunOf: string | null;
  rerunLifecycles: JobExecutionLifecycle[] | null;
  /**
   * Every step of the job as snapshotted at start (migration 0012), written with the parent.
   * Left out (a parent written straight through the store, as tests do): one step, `main`, from
   * the parent's own snapshot, as the migration gave every parent before it.
   */
  steps?: ExecutionStepSnapshot[];
  now: string;
}

/** The one step of a parent written without its steps: its own snapshot. */
function stepOfParent(p: NewParentExecution): ExecutionStepSnapshot {
  return {
    stepIndex: 1,
    stepName: 'main',
    contentName: p.contentName,
    contentVersion: p.contentVersion,
    credentialName: p.credentialName,
    targetId: p.targetId,
    executionPolicy: p.executionPolicy,
    maxParallelism: p.maxParallelism,
    resultSetDestination: p.resultSetDestination,
    captureOutput: p.captureOutput,
    onFailure: 'stopJob',
  };
}

/** Writes a parent `Created` with its step snapshots, in one transaction; ConflictError (409) when the id exists (a scheduled fire claimed twice). */
export async function insertParent({ db }: ControlDatabase, p: NewParentExecution): Promise<JobExecutionRecord> {
  const row: JobExecutionTable = {
    id: p.id,
    jobName: p.jobName,
    parentId: null,
    lifecycle: 'Created',
    targetId: p.targetId,
    targetEngine: null,
    targetServer: null,
    targetDatabase: null,
    ...snapshotColumns(p),
    createdAt: p.now,
    startTime: null,
    endTime: null,
    lastMessage: p.lastMessage,
    cancelRequested: 0,
    updatedAt: p.now,
    safetyRails: JSON.stringify(p.safetyRails),
    rerunOf: p.rerunOf,
    rerunLifecycles: p.rerunLifecycles === null ? null : JSON.stringify(p.rerunLifecycles),
  };
  const steps = p.steps ?? [stepOfParent(p)];
  await withControlRetry(
    () =>
      db.transaction().execute(async (trx) => {
        await trx.insertInto('jobExecutions').values(row).execute();
        await insertExecutionSteps(trx, row.id, steps);
      }),
    { conflictMessage: `Job execution ${row.id} already exists.` },
  );
  return toRecord(row);
}

/** First expansion only: start_time, InProgress. Later calls leave start_time (the job timeout counts from the first). */
export async function beginExpansion({ db }: ControlDatabase, id: string, now: string): Promise<void> {
  await withControlRetry(() =>
    db
      .updateTable('jobExecutions')
      .set((eb) => ({ lifecycle: 'InProgress', startTime: eb.fn.coalesce('startTime', eb.val(now)), updatedAt: now }))
      .where('id', '=', id)
      .where('lifecycle', 'in', ['Created', 'InProgress'])
      .execute(),
  );
}

/**
 * Sets a lifecycle (and the message, when given); end_time for a terminal one, start_time on
 * the first InProgress. Never moves a terminal execution. True when the row moved.
 */
export async function mark({ db }: ControlDatabase, id: string, lifecycle: JobExecutionLifecycle, message: string | null | undefined, now: string): Promise<boolean> {
  const result = await withControlRetry(() =>
    db
      .updateTable('jobExecutions')
      .set((eb) => ({
        lifecycle,
        updatedAt: now,
        ...(message !== undefined ? { lastMessage: storableText(message) } : {}),
        // An ended execution leaves the work queue.
        ...(isTerminal(lifecycle) ? { endTime: now, notBefore: null } : {}),
        ...(lifecycle === 'InProgress' ? { startTime: eb.fn.coalesce('startTime', eb.val(now)) } : {}),
      }))
      .where('id', '=', id)
      .where('lifecycle', 'not in', TERMINAL)
      .executeTakeFirst(),
  );
  return Number(result.numUpdatedRows) > 0;
}

/** The message of a child a cancel ended while it was queued (no statement of it was running). */
export const CANCELED_WHILE_QUEUED = 'The execution was canceled before this database started.';

/**
 * Cancels the execution, in one transaction: its queued children (not claimed by a lane, so no
 * statement of theirs runs) end Canceled now; the execution and every child still running are
 * flagged, and end once their attempts have stopped their statements (terminal means stopped).
 * Returns the orchestration instances to raise `cancel` to: a parent's and its lanes' (src/domain/
 * lanePlan.ts), so a lane asleep until a retry wakes; none for a child (its lane reads the flag).
 * Undefined when there is no such execution; a terminal one is left as it is.
 */
export async function requestCancel(
  { db }: ControlDatabase,
  id: string,
  now: string,
): Promise<{ execution: JobExecutionRecord; instanceIds: string[]; alreadyEnded: boolean } | undefined> {
  return withControlRetry(() =>
    db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('jobExecutions').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) return undefined;
      if (isTerminal(row.lifecycle)) return { execution: toRecord(row), instanceIds: [], alreadyEnded: true };
      const tree = (q: Kysely<ControlSchema>) =>
        q.updateTable('jobExecutions').where((eb) => eb.or([eb('id', '=', id), eb('parentId', '=', id)])).where('lifecycle', 'not in', TERMINAL);
      await tree(trx)
        .where('notBefore', 'is not', null)
        .where('parentId', 'is not', null)
        .set({ lifecycle: 'Canceled', lastMessage: CANCELED_WHILE_QUEUED, endTime: now, notBefore: null, cancelRequested: 1, updatedAt: now })
        .execute();
      await tree(trx).set({ cancelRequested: 1, updatedAt: now }).execute();
      const updated = await trx.selectFrom('jobExecutions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      const execution = toRecord(updated);
      const laneNumbers = Array.from({ length: execution.lanes ?? 0 }, (_, lane) => lane);
      // The lanes of the step it runs (and of that step's canary).
      const step = execution.stepIndex ?? 1;
      const lanes =
        execution.parentId === null
          ? [
              ...(execution.safetyRails.canary ? laneNumbers.map((lane) => laneInstanceId(id, lane, true, step)) : []),
              ...laneNumbers.map((lane) => laneInstanceId(id, lane, false, step)),
            ]
          : [];
      return { execution, instanceIds: execution.parentId === null ? [id, ...lanes] : [], alreadyEnded: false };
    }),
  );
}

/**
 * Ends every child of the parent that is not terminal (cancel, job timeout, or a child left
 * without an outcome), and their open task executions with them, in one transaction.
 */
export async function endOpenChildren({ db }: ControlDatabase, parentId: string, lifecycle: 'TimedOut' | 'Canceled' | 'Failed', message: string, now: string): Promise<void> {
  await withControlRetry(() =>
    db.transaction().execute(async (trx) => {
      await trx
        .updateTable('taskExecutions')
        .set({ lifecycle, message, endTime: now, outcome: lifecycle, retryable: 0 })
        .where('lifecycle', 'in', [...OPEN_TASK_LIFECYCLES])
        .where('jobExecutionId', 'in', (eb) => eb.selectFrom('jobExecutions').select('id').where('parentId', '=', parentId).where('lifecycle', 'not in', TERMINAL))
        .execute();
      await trx
        .updateTable('jobExecutions')
        .set({ lifecycle, lastMessage: message, endTime: now, notBefore: null, updatedAt: now })
        .where('parentId', '=', parentId)
        .where('lifecycle', 'not in', TERMINAL)
        .execute();
    }),
  );
}
