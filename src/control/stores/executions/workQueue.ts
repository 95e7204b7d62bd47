/**
 * The work queue of the fan-out (docs/engine.md): a job execution's children are its rows. A
 * child is queued while `not_before` is set; a lane claims the first ready one in ONE statement,
 * which also records the outcome of the child that lane ran before (so an attempt costs two
 * statements: this one, and the insert of its task execution, whole, when it ends). The claim
 * takes the row the way each engine's queue tables do:
 *   PostgreSQL  SELECT ... FOR UPDATE SKIP LOCKED in the UPDATE's subquery (as graphile-worker, pg-boss)
 *   SQL Server  WITH (UPDLOCK, READPAST, ROWLOCK) on the subquery's table (the queue-table idiom;
 *               Babelfish ignores the hints: the row's own guard keeps a claim single there)
 *   SQLite      one writer at a time: the statement is atomic by itself
 * The attempt in flight lives on the child's row (`running_*`), so a process that dies leaves a
 * claim its lane's next run finds and settles (recovery), never a second run under one number.
 * Ids taken are already lower-case (executionStore.ts lower-cases them at the store's edge).
 */
import { sql, type RawBuilder } from 'kysely';
import type { ChildAfterAttempt } from '../../../domain/childAfterAttempt';
import type { ControlDatabase } from '../../connection';
import type { JobExecutionTable, TaskExecutionTable } from '../../schema';
import { storableText } from '../../storableText';
import { classifySqlError, withControlRetry } from '../../sqlErrors';
import { TERMINAL, toRecord, type JobExecutionRecord } from './executionRecords';

/** A child a lane has claimed: its record, and the attempt it may now run. */
export interface ClaimedChild {
  child: JobExecutionRecord;
  /** The task execution id of this attempt: its session tag on the server, and its row once it ends. */
  taskId: string;
  attempt: number;
  /** ISO timestamp of the claim: the attempt's start. */
  startTime: string;
  /** The credential's updatedAt at the claim (null: the credential is gone). */
  credentialVersion: string | null;
}

/** The outcome of a lane's previous attempt, applied to its child by the next claim. */
export interface PreviousAttempt {
  childId: string;
  taskId: string;
  next: ChildAfterAttempt;
}

export interface ClaimRequest {
  parentId: string;
  lane: number;
  now: string;
  /** The id the claimed attempt will have (a fresh UUID; unused when nothing is claimed). */
  taskId: string;
  /** Recorded in the same statement: the child this lane ran last, and what it becomes. */
  previous?: PreviousAttempt;
  /** False: only record `previous` (the lane stops: budget spent, host stopping, deadline). */
  claim: boolean;
  /** The failure threshold: no claim once this many children ended Failed or TimedOut. */
  failureLimit?: number | null;
  /** The cap per server: no claim on a server (by normalized address) already running this many. */
  maxPerServer?: number | null;
  /** The step whose children are claimed (1-based); children from before steps (migration 0012) are step 1. */
  step?: number;
}

/** A child's step in SQL: its step_index, or 1 for children written before steps existed. */
const stepOf = (alias: string) => sql.raw(`COALESCE(${alias}.step_index, 1)`);

/** The claim statement's row: the child as it is after the statement. */
type ClaimRow = JobExecutionTable;

function claimStatement({ dialect }: ControlDatabase, r: ClaimRequest): RawBuilder<ClaimRow> {
  const prevId = r.previous?.childId ?? '';
  const prevTask = r.previous?.taskId ?? '';
  const next = r.previous?.next;
  const isPrev = sql`id = ${prevId}`;
  const prevEnds = next !== undefined && next.notBefore === null;
  // The message a record keeps when it has none to say (a success after failed attempts).
  const prevMessage = next?.message === undefined ? sql`last_message` : sql`${next.message === null ? null : storableText(next.message)}`;
  const inStep = (alias: string) => (r.step === undefined ? sql`` : sql`AND ${stepOf(alias)} = ${r.step}`);
  const rails = [
    // The previous attempt this statement records counts already: a failure that reaches the limit starts nothing more, not even here.
    r.failureLimit
      ? sql`AND (SELECT COUNT(*) FROM job_executions f WHERE f.parent_id = ${r.parentId} ${inStep('f')} AND f.lifecycle IN ('Failed', 'TimedOut')) < ${r.failureLimit - (next?.lifecycle === 'Failed' || next?.lifecycle === 'TimedOut' ? 1 : 0)}`
      : sql``,
    r.maxPerServer
      ? sql`AND (SELECT COUNT(*) FROM job_executions s WHERE s.parent_id = ${r.parentId} AND s.running_task_id IS NOT NULL AND s.server_key = q.server_key) < ${r.maxPerServer}`
      : sql``,
  ];
  const ready = sql`q.parent_id = ${r.parentId} AND q.not_before <= ${r.now} AND q.cancel_requested = 0 ${inStep('q')} ${rails[0]} ${rails[1]}`;
  const order = sql`ORDER BY q.not_before, q.target_server, q.target_database`;
  const nextReady =
    dialect === 'postgres'
      ? sql`(SELECT q.id FROM job_executions q WHERE ${ready} ${order} LIMIT 1 FOR UPDATE SKIP LOCKED)`
      : dialect === 'mssql'
        ? sql`(SELECT TOP (1) q.id FROM job_executions q WITH (UPDLOCK, READPAST, ROWLOCK) WHERE ${ready} ${order})`
        : sql`(SELECT q.id FROM job_executions q WHERE ${ready} ${order} LIMIT 1)`;
  const previousGuard = sql`(${isPrev} AND running_task_id = ${prevTask})`;
  // The readiness is checked again on the row itself: an engine that ignores the table hints
  // (Babelfish does, babelfishpg_tsql.escape_hatch_table_hints) waits for the row another lane
  // locked and, without this, would claim it a second time once that lane commits.
  const where = r.claim ? sql`${previousGuard} OR (id = ${nextReady} AND not_before <= ${r.now} AND cancel_requested = 0)` : previousGuard;
  const nextAttempt = sql`(SELECT COALESCE(MAX(t.attempt), 0) + 1 FROM task_executions t WHERE t.job_execution_id = job_executions.id)`;
  const credentialVersion = sql`(SELECT c.updated_at FROM credentials c WHERE c.name = job_executions.credential_name)`;
  const set = sql`
    lifecycle = CASE WHEN ${isPrev} THEN ${next?.lifecycle ?? 'InProgress'} ELSE 'InProgress' END,
    last_message = CASE WHEN ${isPrev} THEN ${prevMessage} ELSE last_message END,
    end_time = CASE WHEN ${isPrev} THEN ${prevEnds ? r.now : null} ELSE end_time END,
    start_time = CASE WHEN ${isPrev} THEN start_time ELSE COALESCE(start_time, ${r.now}) END,
    not_before = CASE WHEN ${isPrev} THEN ${next?.notBefore ?? null} ELSE NULL END,
    lane = CASE WHEN ${isPrev} THEN lane ELSE ${r.lane} END,
    running_task_id = CASE WHEN ${isPrev} THEN NULL ELSE ${r.taskId} END,
    running_attempt = CASE WHEN ${isPrev} THEN NULL ELSE ${nextAttempt} END,
    running_start_time = CASE WHEN ${isPrev} THEN NULL ELSE ${r.now} END,
    running_credential_version = CASE WHEN ${isPrev} THEN NULL ELSE ${credentialVersion} END,
    updated_at = ${r.now}`;
  if (dialect === 'mssql') return sql<ClaimRow>`UPDATE job_executions WITH (ROWLOCK) SET ${set} OUTPUT inserted.* WHERE ${where}`;
  return sql<ClaimRow>`UPDATE job_executions SET ${set} WHERE ${where} RETURNING *`;
}

function toClaimed(row: ClaimRow): ClaimedChild {
  return {
    child: toRecord(row),
    taskId: row.runningTaskId!.toLowerCase(),
    attempt: Number(row.runningAttempt),
    startTime: row.runningStartTime!,
    credentialVersion: row.runningCredentialVersion ?? null,
  };
}

/**
 * Records the lane's previous attempt on its child (when given) and claims the next ready child
 * of the parent (when `claim`), in one statement; returns the child claimed, if any. A previous
 * child whose claim is no longer this attempt's (a recovery settled it meanwhile) is left alone.
 * A transient fault is retried; a claim that landed before the fault (its answer lost) is found
 * again by its task id rather than a second child claimed, and a record alone is idempotent (its
 * guard no longer matches once applied).
 */
export async function claimNext(control: ControlDatabase, request: ClaimRequest): Promise<ClaimedChild | undefined> {
  const statement = claimStatement(control, request);
  // A cap per server counts the claims of other lanes: on a server database the count and the
  // claim are made one at a time per parent (a lock scoped to the parent, for the transaction),
  // or two lanes could both see room for one more. SQLite writes one statement at a time anyway.
  const serialized = request.claim && Boolean(request.maxPerServer) && control.dialect !== 'sqlite';
  const run = () =>
    serialized
      ? control.db.transaction().execute(async (trx) => {
          if (control.dialect === 'postgres') await sql`SELECT pg_advisory_xact_lock(hashtextextended(${request.parentId}, 0))`.execute(trx);
          else await sql`EXEC sp_getapplock @Resource = ${`elastic-jobs:${request.parentId}`}, @LockMode = 'Exclusive', @LockOwner = 'Transaction'`.execute(trx);
          return statement.execute(trx);
        })
      : statement.execute(control.db);
  for (let attempt = 1; ; attempt++) {
    try {
      const { rows } = await run();
      const claimed = rows.find((row) => row.id.toLowerCase() !== request.previous?.childId);
      return claimed && toClaimed(claimed);
    } catch (error) {
      if (classifySqlError(error) !== 'transient' || attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** (attempt - 1)));
      const landed = await withControlRetry(() => control.db.selectFrom('jobExecutions').selectAll().where('runningTaskId', '=', request.taskId).executeTakeFirst());
      // One statement: when the claim landed, so did the record of the previous attempt.
      if (landed) return toClaimed(landed);
    }
  }
}

/** The earliest time a child of the parent is queued for (null: nothing queued): when a lane with nothing ready looks again. */
export async function earliestQueued({ db }: ControlDatabase, parentId: string, step?: number): Promise<string | null> {
  const row = await withControlRetry(() =>
    db
      .selectFrom('jobExecutions')
      .select((eb) => eb.fn.min('notBefore').as('first'))
      .where('parentId', '=', parentId)
      .where('notBefore', 'is not', null)
      .where('cancelRequested', '=', 0)
      .$if(step !== undefined, (q) => q.where(sql<boolean>`${stepOf('job_executions')} = ${step}`))
      .executeTakeFirst(),
  );
  return (row?.first as string | null | undefined) ?? null;
}

/**
 * Children claimed and not yet recorded: by one lane (what that lane's next run settles before
 * it claims), or by any lane of the parent (what a job orchestration that starts again settles).
 */
export async function claimedChildren({ db }: ControlDatabase, parentId: string, lane?: number): Promise<ClaimedChild[]> {
  const rows = await withControlRetry(() =>
    db
      .selectFrom('jobExecutions')
      .selectAll()
      .where('parentId', '=', parentId)
      .where('runningTaskId', 'is not', null)
      .$if(lane !== undefined, (q) => q.where('lane', '=', lane!))
      .execute(),
  );
  return rows.map(toClaimed);
}

/** One attempt's task execution, written whole when the attempt ends. */
export type FinishedAttemptRow = Omit<TaskExecutionTable, 'jobExecutionId'> & { jobExecutionId: string };

/**
 * Writes an attempt's task execution once it ended; false when a row of that attempt is already
 * there (the attempt was settled as interrupted while it ran: the record on file stands).
 */
export async function insertFinishedAttempt({ db }: ControlDatabase, row: FinishedAttemptRow): Promise<boolean> {
  try {
    await withControlRetry(() => db.insertInto('taskExecutions').values({ ...row, message: storableText(row.message) }).execute());
    return true;
  } catch (error) {
    if (classifySqlError(error) === 'unique' || (error instanceof Error && error.name === 'ConflictError')) return false;
    throw error;
  }
}

/**
 * Children of an execution started before the work queue (migration 0009) that the old engine
 * left running (InProgress, no claim on record) or waiting, queued now; their open attempts
 * were closed first. Returns how many were queued.
 */
export async function queueUnclaimed({ db }: ControlDatabase, parentId: string, now: string): Promise<number> {
  const result = await withControlRetry(() =>
    db
      .updateTable('jobExecutions')
      .set((eb) => ({
        notBefore: now,
        lifecycle: eb.case().when('lifecycle', '=', 'InProgress').then('WaitingForRetry').else(eb.ref('lifecycle')).end(),
        updatedAt: now,
      }))
      .where('parentId', '=', parentId)
      .where('notBefore', 'is', null)
      .where('runningTaskId', 'is', null)
      .where('lifecycle', 'in', ['Created', 'InProgress', 'WaitingForRetry'])
      // Written by this engine: a child held back behind a canary has a wave and waits for it.
      .where('wave', 'is', null)
      .executeTakeFirst(),
  );
  return Number(result.numUpdatedRows);
}

/** Records the step a parent runs and how many lanes run it: a cancel is raised to each of them. */
export async function setLanes({ db }: ControlDatabase, parentId: string, lanes: number, now: string, step?: number): Promise<void> {
  await withControlRetry(() =>
    db
      .updateTable('jobExecutions')
      .set({ lanes, updatedAt: now, ...(step !== undefined ? { stepIndex: step } : {}) })
      .where('id', '=', parentId)
      .execute(),
  );
}

/** Why children end when a failure threshold is reached, as they end. */
export function thresholdMessage(limit: number): string {
  return `not started: failure threshold reached after ${limit} failures`;
}

/**
 * Once `limit` children of the parent ended Failed or TimedOut, ends every child no lane holds
 * and that has not ended: never started ones Skipped, ones waiting for a retry Failed (an
 * attempt of theirs failed already), both saying why. The count is in the statements, so a
 * call before the limit changes nothing. Returns how many ended.
 */
export async function stopAtFailureLimit({ db }: ControlDatabase, parentId: string, limit: number, now: string, step?: number): Promise<number> {
  const inStep = (alias: string) => (step === undefined ? sql`` : sql`AND ${stepOf(alias)} = ${step}`);
  const reached = sql<boolean>`(SELECT COUNT(*) FROM job_executions f WHERE f.parent_id = ${parentId} ${inStep('f')} AND f.lifecycle IN ('Failed', 'TimedOut')) >= ${limit}`;
  const end = (from: string, lifecycle: 'Skipped' | 'Failed', message: string) =>
    withControlRetry(() =>
      db
        .updateTable('jobExecutions')
        .set({ lifecycle, lastMessage: message, endTime: now, notBefore: null, updatedAt: now })
        .where('parentId', '=', parentId)
        .where('lifecycle', '=', from)
        .where('runningTaskId', 'is', null)
        .$if(step !== undefined, (q) => q.where(sql<boolean>`${stepOf('job_executions')} = ${step}`))
        .where(reached)
        .executeTakeFirst(),
    );
  const skipped = await end('Created', 'Skipped', thresholdMessage(limit));
  const failed = await end('WaitingForRetry', 'Failed', `not retried: failure threshold reached after ${limit} failures`);
  return Number(skipped.numUpdatedRows) + Number(failed.numUpdatedRows);
}

/** The children of a wave, with their lifecycle and database: what the end of a canary wave is judged on. */
export async function waveChildren({ db }: ControlDatabase, parentId: string, wave: number, step?: number): Promise<{ lifecycle: string; serverName: string; databaseName: string }[]> {
  const rows = await withControlRetry(() =>
    db
      .selectFrom('jobExecutions')
      .select(['lifecycle', 'targetServer', 'targetDatabase'])
      .where('parentId', '=', parentId)
      .where('wave', '=', wave)
      .$if(step !== undefined, (q) => q.where(sql<boolean>`${stepOf('job_executions')} = ${step}`))
      .orderBy('targetServer')
      .orderBy('targetDatabase')
      .execute(),
  );
  return rows.map((r) => ({ lifecycle: r.lifecycle, serverName: r.targetServer ?? '', databaseName: r.targetDatabase ?? '' }));
}

/**
 * The children of a wave held back (written unqueued behind a canary): queued now, or, with
 * `skipMessage`, ended Skipped with it. Idempotent. Returns how many moved.
 */
export async function releaseWave({ db }: ControlDatabase, parentId: string, wave: number, now: string, skipMessage?: string, step?: number): Promise<number> {
  const result = await withControlRetry(() =>
    db
      .updateTable('jobExecutions')
      .set(skipMessage === undefined ? { notBefore: now, updatedAt: now } : { lifecycle: 'Skipped', lastMessage: skipMessage, endTime: now, updatedAt: now })
      .where('parentId', '=', parentId)
      .where('wave', '=', wave)
      .where('lifecycle', '=', 'Created')
      .where('notBefore', 'is', null)
      .where('runningTaskId', 'is', null)
      .$if(step !== undefined, (q) => q.where(sql<boolean>`${stepOf('job_executions')} = ${step}`))
      .executeTakeFirst(),
  );
  return Number(result.numUpdatedRows);
}

/**
 * A parent's children (of one step, when given): `open` (not ended: queued, or claimed by a
 * lane), `held` (held back behind a canary, not queued yet) and `total` (every one, ended or
 * not). What the lanes of the next wave and a failure threshold's percentage are planned from.
 */
export async function openChildren({ db }: ControlDatabase, parentId: string, step?: number): Promise<{ open: number; held: number; total: number }> {
  const row = await withControlRetry(() =>
    db
      .selectFrom('jobExecutions')
      .select([
        sql<number | string>`COUNT(*)`.as('total'),
        sql<number | string | null>`SUM(CASE WHEN lifecycle IN ('Created', 'InProgress', 'WaitingForRetry', 'WaitingForChildJobExecutions') THEN 1 ELSE 0 END)`.as('active'),
        sql<number | string | null>`SUM(CASE WHEN not_before IS NULL AND running_task_id IS NULL AND lifecycle = 'Created' AND wave IS NOT NULL THEN 1 ELSE 0 END)`.as('held'),
      ])
      .where('parentId', '=', parentId)
      .$if(step !== undefined, (q) => q.where(sql<boolean>`${stepOf('job_executions')} = ${step}`))
      .executeTakeFirst(),
  );
  const held = Number(row?.held ?? 0);
  return { open: Number(row?.active ?? 0) - held, held, total: Number(row?.total ?? 0) };
}
