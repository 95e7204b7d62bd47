/**
 * Task executions: one row per attempt of a child execution, unique by (child, attempt), so an
 * attempt activity that Durable runs twice finds its row instead of adding one. A finished row
 * is never overwritten: its recorded outcome is what a re-run returns.
 */
import crypto from 'node:crypto';
import { ConflictError, NotFoundError } from '../../domain/errors';
import { TERMINAL_TASK_LIFECYCLES, isTerminalTask } from '../../domain/lifecycle';
import type { ListQuery, Page } from '../../domain/schemas/common';
import type { CapturedOutput, TaskExecution, TaskExecutionLifecycle } from '../../domain/schemas/execution';
import type { RunTaskOutput } from '../../execution/contracts';
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
  outcome: RunTaskOutput | null;
}

export interface TaskFinish {
  lifecycle: TaskExecutionLifecycle;
  outcome: RunTaskOutput;
  output: CapturedOutput | null;
  now: string;
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
          lifecycle: (row.outcome ?? lifecycle) as RunTaskOutput['lifecycle'],
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
     * The row of this attempt, `InProgress` from now: inserted when missing; an unfinished row
     * (the same attempt interrupted, or running twice) is taken over; a finished one is returned
     * as it is.
     */
    async openAttempt(jobExecutionId: string, attempt: number, now: string): Promise<TaskExecutionRecord> {
      const key = jobExecutionId.toLowerCase();
      const existing = await withControlRetry(() => findAttempt(key, attempt));
      if (!existing) {
        const row: TaskExecutionTable = {
          id: crypto.randomUUID(),
          jobExecutionId: key,
          attempt,
          lifecycle: 'InProgress',
          message: null,
          output: null,
          startTime: now,
          endTime: null,
          outcome: null,
          retryable: null,
        };
        try {
          await withControlRetry(() => db.insertInto('taskExecutions').values(row).execute());
          return toRecord(row);
        } catch (error) {
          // The same attempt inserted its row a moment ago (Durable ran it twice): use that row.
          if (!(error instanceof ConflictError)) throw error;
        }
      } else if (isTerminalTask(existing.lifecycle)) {
        return toRecord(existing);
      }
      await withControlRetry(() =>
        db
          .updateTable('taskExecutions')
          .set((eb) => ({ lifecycle: 'InProgress', startTime: eb.fn.coalesce('startTime', eb.val(now)) }))
          .where('jobExecutionId', '=', key)
          .where('attempt', '=', attempt)
          .where('lifecycle', 'not in', [...TERMINAL_TASK_LIFECYCLES])
          .execute(),
      );
      return toRecord((await withControlRetry(() => findAttempt(key, attempt)))!);
    },

    /** Records the outcome unless the row already has one (a cancel or job timeout got there first); returns the row as recorded. */
    async finishAttempt(id: string, finish: TaskFinish): Promise<TaskExecutionRecord> {
      const key = id.toLowerCase();
      await withControlRetry(() =>
        db
          .updateTable('taskExecutions')
          .set({
            lifecycle: finish.lifecycle,
            message: finish.outcome.message,
            output: finish.output === null ? null : JSON.stringify(finish.output),
            endTime: finish.now,
            outcome: finish.outcome.lifecycle,
            retryable: finish.outcome.retryable ? 1 : 0,
          })
          .where('id', '=', key)
          .where('lifecycle', 'not in', [...TERMINAL_TASK_LIFECYCLES])
          .execute(),
      );
      return this.get(key);
    },

    async get(id: string): Promise<TaskExecutionRecord> {
      const row = await withControlRetry(() => db.selectFrom('taskExecutions').selectAll().where('id', '=', id.toLowerCase()).executeTakeFirst());
      if (!row) throw new NotFoundError('Task execution', id);
      return toRecord(row);
    },

    /** The attempts of an execution and, for a parent, of its children; by child, then attempt. */
    async listOfExecution(executionId: string, query: ListQuery): Promise<Page<TaskExecution>> {
      const key = executionId.toLowerCase();
      const after = decodeCursor(query.cursor, 2);
      const rows = await withControlRetry(() =>
        db
          .selectFrom('taskExecutions')
          .selectAll()
          .where((eb) =>
            eb.or([eb('jobExecutionId', '=', key), eb('jobExecutionId', 'in', eb.selectFrom('jobExecutions').select('id').where('parentId', '=', key))]),
          )
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
      return toPage(rows, query.limit, (r) => [r.jobExecutionId.toLowerCase(), Number(r.attempt)], (r) => toTaskView(toRecord(r)));
    },
  };
}

export type TaskStore = ReturnType<typeof taskStore>;
