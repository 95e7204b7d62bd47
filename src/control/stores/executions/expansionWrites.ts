/**
 * What an expansion writes and what a (re)started job orchestration resumes from: one child per
 * database, upserted, and the attempts each child has finished. Ids taken are already
 * lower-case (executionStore.ts lower-cases them at the store's edge).
 */
import crypto from 'node:crypto';
import { TERMINAL_TASK_LIFECYCLES } from '../../../domain/lifecycle';
import { DEFAULT_STEP_NAME } from '../../../domain/schemas/step';
import type { FoundBy } from '../../../domain/missingDatabase';
import type { JobExecutionLifecycle } from '../../../domain/schemas/execution';
import type { TargetDatabase } from '../../../domain/schemas/target';
import { chunks } from '../../chunks';
import type { ControlDatabase } from '../../connection';
import type { JobExecutionTable } from '../../schema';
import { withControlRetry } from '../../sqlErrors';
import { childRecords, snapshotColumns, type JobExecutionRecord } from './executionRecords';

/** One database of an expansion; `refusal` when the job credential may not be sent to its server. */
export interface NewChild {
  target: TargetDatabase;
  refusal: string | null;
  foundBy: FoundBy;
  /** 0 the canary, 1 the others (src/domain/safetyRails.ts). */
  wave: number;
  /** Queued at once; false holds it back until its wave is released (behind a canary). */
  queued: boolean;
  /** The server's normalized address, which the cap per server counts by. */
  serverKey: string;
}

export interface ChildAttempts {
  executionId: string;
  lifecycle: JobExecutionLifecycle;
  /** Attempts that reached an outcome: one interrupted mid-run (host restart) is closed Failed first and counts; the retry is a new attempt. */
  finishedAttempts: number;
  /** Queued in the work queue from this time (null: not queued). */
  notBefore: string | null;
  /** Claimed by a lane, its attempt not yet recorded. */
  running: boolean;
}

/** Children per multi-row insert: 70 rows of 28 columns is 1,960 parameters, under SQL Server's 2,100. */
const INSERT_CHUNK = 70;

/** The step a child runs (migration 0012) and what it snapshots of it; without one, the parent's own snapshot as step 1 `main`. */
export interface ChildStep {
  stepIndex: number;
  stepName: string;
  snapshot: Parameters<typeof snapshotColumns>[0];
}

/** The key that makes two spellings of one child the same row (the unique index job_executions_child). */
function childKey(t: TargetDatabase): string {
  return JSON.stringify([t.engine, t.serverName, t.databaseName]);
}

/**
 * One child per database, inserted only where missing (the unique index job_executions_child
 * settles a race between two runs of the expansion). A refused database is written already
 * Failed, with the reason, and is never run.
 */
export async function insertMissingChildren(control: ControlDatabase, parent: JobExecutionRecord, children: NewChild[], now: string, step?: ChildStep): Promise<void> {
  const { db } = control;
  const stepIndex = step?.stepIndex ?? 1;
  // One child per database per step: a database in two steps is two children.
  const existing = (await childRecords(control, parent.id)).filter((c) => (c.stepIndex ?? 1) === stepIndex);
  const have = new Set(existing.map((c) => childKey(c.target!)));
  const rows: JobExecutionTable[] = [];
  for (const child of children) {
    const key = childKey(child.target);
    if (have.has(key)) continue;
    have.add(key);
    rows.push({
      id: crypto.randomUUID(),
      jobName: parent.jobName,
      parentId: parent.id,
      lifecycle: child.refusal === null ? 'Created' : 'Failed',
      targetId: parent.targetId,
      targetEngine: child.target.engine,
      targetServer: child.target.serverName,
      targetDatabase: child.target.databaseName,
      ...snapshotColumns(step?.snapshot ?? parent),
      createdAt: now,
      startTime: null,
      endTime: child.refusal === null ? null : now,
      lastMessage: child.refusal,
      cancelRequested: parent.cancelRequested ? 1 : 0,
      updatedAt: now,
      foundBy: child.foundBy,
      // Queued at once (the work queue, migration 0009) unless held back behind a canary; a refused database never runs.
      notBefore: child.refusal === null && child.queued ? now : null,
      wave: child.wave,
      serverKey: child.serverKey,
      stepIndex,
      stepName: step?.stepName ?? DEFAULT_STEP_NAME,
    });
  }
  for (const part of chunks(rows, INSERT_CHUNK)) {
    try {
      await withControlRetry(() => db.insertInto('jobExecutions').values(part).execute());
    } catch {
      // Another run of the expansion inserted some of these meanwhile: insert the rest one by one.
      for (const row of part) {
        await withControlRetry(() => db.insertInto('jobExecutions').values(row).execute()).catch(async (e) => {
          const winner = await withControlRetry(() =>
            db
              .selectFrom('jobExecutions')
              .select('id')
              .where('parentId', '=', parent.id)
              .where('stepIndex', '=', stepIndex)
              .where('targetEngine', '=', row.targetEngine)
              .where('targetServer', '=', row.targetServer)
              .where('targetDatabase', '=', row.targetDatabase)
              .executeTakeFirst(),
          );
          if (!winner) throw e;
        });
      }
    }
  }
}

/** The children and the attempts each has finished, by database: what a (re)started job orchestration resumes from. */
export async function childAttempts({ db }: ControlDatabase, parentId: string): Promise<ChildAttempts[]> {
  const rows = await withControlRetry(() =>
    db
      .selectFrom('jobExecutions as e')
      .leftJoin('taskExecutions as t', (join) => join.onRef('t.jobExecutionId', '=', 'e.id').on('t.lifecycle', 'in', [...TERMINAL_TASK_LIFECYCLES]))
      .select(['e.id', 'e.lifecycle', 'e.notBefore', 'e.runningTaskId', 'e.targetEngine', 'e.targetServer', 'e.targetDatabase', (eb) => eb.fn.count<number | string>('t.id').as('n')])
      .where('e.parentId', '=', parentId)
      .groupBy(['e.id', 'e.lifecycle', 'e.notBefore', 'e.runningTaskId', 'e.targetEngine', 'e.targetServer', 'e.targetDatabase'])
      .orderBy('e.targetEngine')
      .orderBy('e.targetServer')
      .orderBy('e.targetDatabase')
      .execute(),
  );
  return rows.map((r) => ({
    executionId: r.id.toLowerCase(),
    lifecycle: r.lifecycle as JobExecutionLifecycle,
    finishedAttempts: Number(r.n),
    notBefore: r.notBefore ?? null,
    running: r.runningTaskId !== null && r.runningTaskId !== undefined,
  }));
}
