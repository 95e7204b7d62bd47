/**
 * Task executions: one row per attempt of a child execution, unique by (child, attempt), written
 * whole when the attempt ends (the attempt in flight lives on its child's row until then:
 * executions/workQueue.ts) and never overwritten. The reads here list them with the attempts in
 * flight, and a restarted execution from before the work queue closes the rows it left open.
 */
import { sql } from 'kysely';
import { NotFoundError } from '../../domain/errors';
import { OPEN_TASK_LIFECYCLES, TERMINAL_JOB_LIFECYCLES, isTerminalTask } from '../../domain/lifecycle';
import type { ListQuery, Page } from '../../domain/schemas/common';
import type { CapturedOutput, TaskExecution, TaskExecutionLifecycle } from '../../domain/schemas/execution';
import type { TaskOutcome } from '../../domain/taskOutcome';
import type { ControlDatabase } from '../connection';
import { firstRows } from '../firstRows';
import { decodeCursor, toPage } from '../pagination';
import type { TaskExecutionTable } from '../schema';
import { withControlRetry } from '../sqlErrors';

export interface TaskExecutionRecord {
  id: string;
  jobExecutionId: string;
  attempt: number;
  lifecycle: TaskExecutionLifecycle;
  message: string | null;
  output: CapturedOutput | null;
  startTime: string | null;
  endTime: string | null;
  /** What the attempt returned to its orchestrator, once finished. */
  outcome: TaskOutcome | null;
}

function toRecord(row: TaskExecutionTable): TaskExecutionRecord {
  const lifecycle = row.lifecycle as TaskExecutionLifecycle;
  return {
    id: row.id.toLowerCase(),
    jobExecutionId: row.jobExecutionId.toLowerCase(),
    attempt: Number(row.attempt),
    lifecycle,
    message: row.message,
    output: row.output === null ? null : (JSON.parse(row.output) as CapturedOutput),
    startTime: row.startTime,
    endTime: row.endTime,
    outcome: isTerminalTask(lifecycle)
      ? {
          lifecycle: (row.outcome ?? lifecycle) as TaskOutcome['lifecycle'],
          retryable: row.retryable === null ? lifecycle === 'Failed' || lifecycle === 'TimedOut' : Number(row.retryable) === 1,
          message: row.message,
        }
      : null,
  };
}

export function toTaskView(record: TaskExecutionRecord, withOutput = false): TaskExecution {
  const view: TaskExecution = {
    id: record.id,
    jobExecutionId: record.jobExecutionId,
    attempt: record.attempt,
    lifecycle: record.lifecycle,
    message: record.message,
    startTime: record.startTime,
    endTime: record.endTime,
  };
  if (withOutput && record.output !== null) view.output = record.output;
  return view;
}

export function taskStore({ db, dialect }: ControlDatabase) {
  const findAttempt = (jobExecutionId: string, attempt: number) =>
    db.selectFrom('taskExecutions').selectAll().where('jobExecutionId', '=', jobExecutionId.toLowerCase()).where('attempt', '=', attempt).executeTakeFirst();

  return {
    async findAttempt(jobExecutionId: string, attempt: number): Promise<TaskExecutionRecord | undefined> {
      const row = await withControlRetry(() => findAttempt(jobExecutionId, attempt));
      return row && toRecord(row);
    },

    /**
     * Closes, Failed and retryable with `message`, every attempt row left open under the parent
     * by the engine before the work queue (migration 0009), which opened rows before it ran: what
     * a job orchestration that starts again does before it counts the attempts made. Returns the
     * rows closed.
     */
    async closeInterruptedOfParent(parentId: string, message: string, now: string): Promise<number> {
      const result = await withControlRetry(() =>
        db
          .updateTable('taskExecutions')
          .set({ lifecycle: 'Failed', message, endTime: now, outcome: 'Failed', retryable: 1 })
          .where('lifecycle', 'in', [...OPEN_TASK_LIFECYCLES])
          .where('jobExecutionId', 'in', (eb) =>
            eb.selectFrom('jobExecutions').select('id').where('parentId', '=', parentId.toLowerCase()).where('lifecycle', 'not in', [...TERMINAL_JOB_LIFECYCLES]),
          )
          .executeTakeFirst(),
      );
      return Number(result.numUpdatedRows);
    },

    /** The ids of the child's attempts numbered below `attempt`: the session tags an earlier run may have left on a server. */
    async earlierAttemptIds(jobExecutionId: string, attempt: number): Promise<string[]> {
      const rows = await withControlRetry(() =>
        db.selectFrom('taskExecutions').select('id').where('jobExecutionId', '=', jobExecutionId.toLowerCase()).where('attempt', '<', attempt).orderBy('attempt').execute(),
      );
      return rows.map((r) => r.id.toLowerCase());
    },

    /** One attempt: its row, or the attempt in flight on its child's row (InProgress). NotFoundError (404) otherwise. */
    async get(id: string): Promise<TaskExecutionRecord> {
      const key = id.toLowerCase();
      const row = await withControlRetry(() => db.selectFrom('taskExecutions').selectAll().where('id', '=', key).executeTakeFirst());
      if (row) return toRecord(row);
      const running = await withControlRetry(() =>
        db.selectFrom('jobExecutions').select(['id', 'runningAttempt', 'runningStartTime']).where('runningTaskId', '=', key).executeTakeFirst(),
      );
      if (!running || running.runningAttempt === null || running.runningAttempt === undefined) throw new NotFoundError('Task execution', id);
      return {
        id: key,
        jobExecutionId: running.id.toLowerCase(),
        attempt: Number(running.runningAttempt),
        lifecycle: 'InProgress',
        message: null,
        output: null,
        startTime: running.runningStartTime ?? null,
        endTime: null,
        outcome: null,
      };
    },

    /**
     * The attempts of an execution and, for a parent, of its children; by child, then attempt
     * (with their captured output when asked). An attempt in flight is on its child's row until
     * it ends (docs/engine.md): it is listed InProgress from there, under the id it will keep.
     */
    async listOfExecution(executionId: string, query: ListQuery, options: { withOutput?: boolean } = {}): Promise<Page<TaskExecution>> {
      const key = executionId.toLowerCase();
      const after = decodeCursor(query.cursor, 2);
      const recorded = db
        .selectFrom('taskExecutions')
        .select(['id', 'jobExecutionId', 'attempt', 'lifecycle', 'message', 'output', 'startTime', 'endTime', 'outcome', 'retryable'])
        .where((eb) => eb.or([eb('jobExecutionId', '=', key), eb('jobExecutionId', 'in', eb.selectFrom('jobExecutions').select('id').where('parentId', '=', key))]));
      const inFlight = db
        .selectFrom('jobExecutions as e')
        .select([
          sql<string>`e.running_task_id`.as('id'),
          'e.id as jobExecutionId',
          sql<number>`e.running_attempt`.as('attempt'),
          sql<string>`'InProgress'`.as('lifecycle'),
          sql<string | null>`NULL`.as('message'),
          sql<string | null>`NULL`.as('output'),
          sql<string | null>`e.running_start_time`.as('startTime'),
          sql<string | null>`NULL`.as('endTime'),
          sql<string | null>`NULL`.as('outcome'),
          sql<number | null>`NULL`.as('retryable'),
        ])
        .where((eb) => eb.or([eb('e.id', '=', key), eb('e.parentId', '=', key)]))
        .where('e.runningTaskId', 'is not', null)
        .where((eb) => eb.not(eb.exists(eb.selectFrom('taskExecutions as t').select('t.id').whereRef('t.id', '=', 'e.runningTaskId'))));
      const rows = await withControlRetry(() =>
        db
          .selectFrom(recorded.unionAll(inFlight).as('a'))
          .selectAll()
          .$if(after !== undefined, (q) =>
            q.where((eb) =>
              eb.or([
                eb('jobExecutionId', '>', String(after![0])),
                eb.and([eb('jobExecutionId', '=', String(after![0])), eb('attempt', '>', Number(after![1]))]),
              ]),
            ),
          )
          .orderBy('jobExecutionId')
          .orderBy('attempt')
          .$call(firstRows(dialect, query.limit + 1))
          .execute(),
      );
      return toPage(rows, query.limit, (r) => [r.jobExecutionId.toLowerCase(), Number(r.attempt)], (r) => toTaskView(toRecord(r as TaskExecutionTable), options.withOutput));
    },
  };
}

export type TaskStore = ReturnType<typeof taskStore>;
