/**
 * Job executions: one parent per start, one child per database of the expansion. This is the
 * store's edge, the composition the rest of the code calls; the queries live in small modules
 * named for their intent (as graphile-worker's src/sql/ does):
 *   executions/executionRecords.ts  the row parsed, and lookups of whole rows
 *   executions/readModel.ts         the API's views, list and counts
 *   executions/lifecycleWrites.ts   start, mark, cancel request, children ended
 *   executions/expansionWrites.ts   children upserted, and the attempts they finished
 *   executions/stopSignals.ts       what running attempts poll to know they must stop
 *   executions/workQueue.ts         the fan-out's queue: claim and record in one statement, recovery
 * Ids are lower-cased once, here, on the way in; the modules lower-case ids they read back,
 * because SQL Server returns uniqueidentifier upper-case (DESIGN.md, SQL Server notes).
 * Every write is idempotent and none moves a terminal execution.
 */
import { NotFoundError } from '../../domain/errors';
import type { LifecycleCounts } from '../../domain/lifecycle';
import type { Page } from '../../domain/schemas/common';
import type { ExecutionListQuery, JobExecution, JobExecutionLifecycle } from '../../domain/schemas/execution';
import type { ControlDatabase } from '../connection';
import { activeExecutionsOfJob, childRecords, findExecution, unfinishedParents, type JobExecutionRecord } from './executions/executionRecords';
import { childAttempts, insertMissingChildren, type ChildAttempts, type ChildStep, type NewChild } from './executions/expansionWrites';
import { beginExpansion, endOpenChildren, insertParent, mark, requestCancel, type NewParentExecution } from './executions/lifecycleWrites';
import { childCountsOf, listExecutions, stepCountsOf, views } from './executions/readModel';
import { stopSignals, type StopSignal } from './executions/stopSignals';
import {
  claimedChildren,
  claimNext,
  earliestQueued,
  insertFinishedAttempt,
  openChildren,
  queueUnclaimed,
  releaseWave,
  setLanes,
  stopAtFailureLimit,
  waveChildren,
  type ClaimedChild,
  type ClaimRequest,
  type FinishedAttemptRow,
} from './executions/workQueue';

export { toRecord, type ExecutionPolicySnapshot, type JobExecutionRecord } from './executions/executionRecords';
export type { ChildAttempts, ChildStep, NewChild } from './executions/expansionWrites';
export type { NewParentExecution } from './executions/lifecycleWrites';
export { toView } from './executions/readModel';
export type { StopSignal } from './executions/stopSignals';
export type { ClaimedChild, ClaimRequest, FinishedAttemptRow, PreviousAttempt } from './executions/workQueue';

/** An id as the store keys it: SQL Server returns uniqueidentifier upper-case, URLs may carry any case. */
const key = (id: string) => id.toLowerCase();

export function executionStore(control: ControlDatabase) {
  /** The execution; NotFoundError (404) naming the id as the caller spelled it. */
  async function get(id: string): Promise<JobExecutionRecord> {
    const record = await findExecution(control, key(id));
    if (!record) throw new NotFoundError('Job execution', id);
    return record;
  }

  return {
    /** Writes a parent `Created`; 409 when the id exists (a scheduled fire claimed twice). */
    insertParent: (p: NewParentExecution): Promise<JobExecutionRecord> => insertParent(control, { ...p, id: key(p.id), targetId: key(p.targetId) }),

    find: (id: string): Promise<JobExecutionRecord | undefined> => findExecution(control, key(id)),

    get,

    /** The API view: a parent with its children's counts (and the children themselves on request), a child with its attempts. */
    async view(id: string, options: { includeChildren?: boolean } = {}): Promise<JobExecution> {
      const record = await get(id);
      const [view] = await views(control, [record]);
      if (options.includeChildren && record.parentId === null) view.children = await views(control, await childRecords(control, record.id));
      return view;
    },

    views: (records: JobExecutionRecord[]): Promise<JobExecution[]> => views(control, records),

    /** Newest first. By default only top-level executions that are still active. */
    list: (query: ExecutionListQuery): Promise<Page<JobExecution>> =>
      listExecutions(control, {
        ...query,
        ...(query.parentId !== undefined ? { parentId: key(query.parentId) } : {}),
        ...(query.targetId !== undefined ? { targetId: key(query.targetId) } : {}),
      }),

    /**
     * Cancels in one transaction: queued children end Canceled at once, the execution and its
     * running children are flagged (they end once stopped). Returns the instances to raise
     * `cancel` to (a parent and its lanes) and whether the execution had already ended (then
     * nothing changed). NotFoundError (404) when there is none.
     */
    async requestCancel(id: string, now: string): Promise<{ execution: JobExecutionRecord; instanceIds: string[]; alreadyEnded: boolean }> {
      const requested = await requestCancel(control, key(id), now);
      if (!requested) throw new NotFoundError('Job execution', id);
      return requested;
    },

    /** First expansion only: start_time, InProgress. Later calls leave start_time (the job timeout counts from the first). */
    async beginExpansion(id: string, now: string): Promise<JobExecutionRecord> {
      await beginExpansion(control, key(id), now);
      return get(id);
    },

    /** One child per database, inserted only where missing; a refused database is written already Failed, with the reason. */
    insertMissingChildren: (parent: JobExecutionRecord, children: NewChild[], now: string, step?: ChildStep): Promise<void> =>
      insertMissingChildren(control, { ...parent, id: key(parent.id), targetId: parent.targetId === null ? null : key(parent.targetId) }, children, now, step),

    /** The children and the attempts each has finished: what a (re)started job orchestration resumes from. */
    childAttempts: (parentId: string): Promise<ChildAttempts[]> => childAttempts(control, key(parentId)),

    children: (parentId: string): Promise<JobExecutionRecord[]> => childRecords(control, key(parentId)),

    /** The parent's children per lifecycle: all of them, or those of one step. */
    async childCounts(parentId: string, step?: number): Promise<LifecycleCounts> {
      if (step !== undefined) return (await stepCountsOf(control, key(parentId))).get(step) ?? {};
      return (await childCountsOf(control, [key(parentId)])).get(key(parentId))!;
    },

    /** The parent's children per step (1-based) and lifecycle. */
    stepCounts: (parentId: string): Promise<Map<number, LifecycleCounts>> => stepCountsOf(control, key(parentId)),

    /**
     * Sets a lifecycle (and the message, when given); end_time for a terminal one, start_time on
     * the first InProgress. Never moves a terminal execution. True when the row moved.
     */
    mark: (id: string, lifecycle: JobExecutionLifecycle, message: string | null | undefined, now: string): Promise<boolean> =>
      mark(control, key(id), lifecycle, message, now),


    /**
     * Ends every child of the parent that is not terminal (cancel, job timeout, or a child left
     * without an outcome), and their open task executions with them, in one transaction.
     */
    endOpenChildren: (parentId: string, lifecycle: 'TimedOut' | 'Canceled' | 'Failed', message: string, now: string): Promise<void> =>
      endOpenChildren(control, key(parentId), lifecycle, message, now),

    /** Whether an attempt on this child must stop: its own or its parent's cancel flag, or the child already ended (job timeout). */
    async stopSignal(childId: string): Promise<StopSignal | undefined> {
      return (await stopSignals(control, [key(childId)])).get(key(childId));
    },

    /** The stop signals of many running children in one query per chunk: one poll serves every attempt of the process. */
    stopSignals: (childIds: string[]): Promise<Map<string, StopSignal>> => stopSignals(control, [...new Set(childIds.map(key))]),

    /**
     * The work queue (docs/engine.md): records a lane's previous attempt on its child and claims
     * the next ready child of the parent, in one statement.
     */
    claimNext: (r: ClaimRequest): Promise<ClaimedChild | undefined> =>
      claimNext(control, {
        ...r,
        parentId: key(r.parentId),
        taskId: key(r.taskId),
        ...(r.previous ? { previous: { ...r.previous, childId: key(r.previous.childId), taskId: key(r.previous.taskId) } } : {}),
      }),

    /** When the parent's earliest queued child is ready (null: none queued). */
    earliestQueued: (parentId: string, step?: number): Promise<string | null> => earliestQueued(control, key(parentId), step),

    /** Children claimed and not recorded, by one lane or by any: what a restarted lane or job orchestration settles. */
    claimedChildren: (parentId: string, lane?: number): Promise<ClaimedChild[]> => claimedChildren(control, key(parentId), lane),

    /** Writes an ended attempt's task execution; false when that attempt already has one (settled as interrupted). */
    insertFinishedAttempt: (row: FinishedAttemptRow): Promise<boolean> => insertFinishedAttempt(control, { ...row, id: key(row.id), jobExecutionId: key(row.jobExecutionId) }),

    /** Queues the children an execution from before the work queue left running or waiting; returns how many. */
    queueUnclaimed: (parentId: string, now: string): Promise<number> => queueUnclaimed(control, key(parentId), now),

    /** The parent's children not ended: queued or claimed (`open`), and held back behind a canary (`held`). */
    openChildren: (parentId: string, step?: number): Promise<{ open: number; held: number; total: number }> => openChildren(control, key(parentId), step),

    /** Once `limit` children failed, ends those no lane holds (Skipped, or Failed when waiting for a retry); returns how many. */
    stopAtFailureLimit: (parentId: string, limit: number, now: string, step?: number): Promise<number> => stopAtFailureLimit(control, key(parentId), limit, now, step),

    /** The children of a wave (0: the canary), in server then database order. */
    waveChildren: (parentId: string, wave: number, step?: number) => waveChildren(control, key(parentId), wave, step),

    /** Queues a wave held back behind the canary, or with `skipMessage` ends it Skipped; returns how many. */
    releaseWave: (parentId: string, wave: number, now: string, skipMessage?: string, step?: number): Promise<number> =>
      releaseWave(control, key(parentId), wave, now, skipMessage, step),

    /** Records the parent's lane count (a cancel is raised to each lane). */
    setLanes: (parentId: string, lanes: number, now: string, step?: number): Promise<void> => setLanes(control, key(parentId), lanes, now, step),

    /** Parents not terminal, oldest first: what a local host resumes after a restart. */
    listUnfinishedParents: (): Promise<JobExecutionRecord[]> => unfinishedParents(control),

    /** The active (not terminal) parent executions of a job, oldest first: for the scheduler's overlap policy and job deletion. */
    activeExecutionsOfJob: (jobName: string): Promise<JobExecutionRecord[]> => activeExecutionsOfJob(control, jobName),
  };
}

export type ExecutionStore = ReturnType<typeof executionStore>;
