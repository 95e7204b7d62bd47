/**
 * Job executions: one parent per start, one child per database of the expansion. Every write
 * here is idempotent and none moves a terminal execution: Durable runs activities at least
 * once, a replayed job orchestration runs them again, and a cancel or timeout may race an
 * attempt that is just finishing.
 */
import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import { NotFoundError } from '../../domain/errors';
import { ACTIVE_JOB_LIFECYCLES, OPEN_TASK_LIFECYCLES, TERMINAL_JOB_LIFECYCLES, TERMINAL_TASK_LIFECYCLES, isTerminal, type LifecycleCounts } from '../../domain/lifecycle';
import type { Page } from '../../domain/schemas/common';
import type { JobExecution, JobExecutionLifecycle, ExecutionListQuery } from '../../domain/schemas/execution';
import type { ExecutionPolicy } from '../../domain/schemas/executionPolicy';
import type { ResultSetDestination } from '../../domain/schemas/job';
import type { TargetDatabase } from '../../domain/schemas/target';
import type { FoundBy } from '../../domain/missingDatabase';
import { chunks, IN_LIST_CHUNK } from '../chunks';
import type { ControlDatabase } from '../connection';
import { firstRows } from '../firstRows';
import { decodeCursor, toPage } from '../pagination';
import type { ControlSchema, JobExecutionTable } from '../schema';
import { withControlRetry } from '../sqlErrors';

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
}

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
  now: string;
}

/** One database of an expansion; `refusal` when the job credential may not be sent to its server. */
export interface NewChild {
  target: TargetDatabase;
  refusal: string | null;
  foundBy: FoundBy;
}

export interface StopSignal {
  lifecycle: JobExecutionLifecycle;
  /** The child's own flag or its parent's. */
  cancelRequested: boolean;
}

export interface ChildAttempts {
  executionId: string;
  lifecycle: JobExecutionLifecycle;
  /** Attempts that reached an outcome: one interrupted mid-run (host restart) is closed Failed first and counts; the retry is a new attempt. */
  finishedAttempts: number;
}

/** Children per multi-row insert: 80 rows of 23 columns is 1,840 parameters, under SQL Server's 2,100. */
const INSERT_CHUNK = 80;

const terminal = [...TERMINAL_JOB_LIFECYCLES];


type ExecutionSnapshot = Pick<
  JobExecutionRecord,
  'contentName' | 'contentVersion' | 'credentialName' | 'executionPolicy' | 'maxParallelism' | 'resultSetDestination' | 'captureOutput' | 'scheduleName'
>;

/** What a job execution snapshots of its job at start; a child carries its parent's. */
function snapshotColumns(s: ExecutionSnapshot) {
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

/** The key that makes two spellings of one child the same row (the unique index job_executions_child). */
function childKey(t: TargetDatabase): string {
  return JSON.stringify([t.engine, t.serverName, t.databaseName]);
}

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
  };
}

/** The API's view of an execution, given its children's counts (parents) or its attempts (children). */
export function toView(record: JobExecutionRecord, counts: LifecycleCounts, attempts?: number, children?: JobExecution[]): JobExecution {
  const view: JobExecution = {
    id: record.id,
    jobName: record.jobName,
    parentId: record.parentId,
    lifecycle: record.lifecycle,
    targetId: record.targetId,
    target: record.target,
    contentName: record.contentName,
    contentVersion: record.contentVersion,
    scheduleName: record.scheduleName,
    createdAt: record.createdAt,
    startTime: record.startTime,
    endTime: record.endTime,
    lastMessage: record.lastMessage,
    cancelRequested: record.cancelRequested,
    counts: counts as Record<string, number>,
  };
  if (attempts !== undefined) view.attempts = attempts;
  if (children !== undefined) view.children = children;
  return view;
}

export function executionStore({ db, dialect }: ControlDatabase) {
  const find = (id: string) => db.selectFrom('jobExecutions').selectAll().where('id', '=', id.toLowerCase()).executeTakeFirst();

  /** Children per lifecycle, for each parent. */
  async function countsOf(parentIds: string[]): Promise<Map<string, LifecycleCounts>> {
    const out = new Map<string, LifecycleCounts>(parentIds.map((id) => [id, {}]));
    for (const part of chunks(parentIds, IN_LIST_CHUNK)) {
      const rows = await withControlRetry(() =>
        db
          .selectFrom('jobExecutions')
          .select(['parentId', 'lifecycle', (eb) => eb.fn.countAll<number | string>().as('n')])
          .where('parentId', 'in', part)
          .groupBy(['parentId', 'lifecycle'])
          .execute(),
      );
      for (const r of rows) out.get(r.parentId!.toLowerCase())![r.lifecycle as JobExecutionLifecycle] = Number(r.n);
    }
    return out;
  }

  /** Task executions (attempts) on record per child. */
  async function attemptsOf(childIds: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>(childIds.map((id) => [id, 0]));
    for (const part of chunks(childIds, IN_LIST_CHUNK)) {
      const rows = await withControlRetry(() =>
        db
          .selectFrom('taskExecutions')
          .select(['jobExecutionId', (eb) => eb.fn.countAll<number | string>().as('n')])
          .where('jobExecutionId', 'in', part)
          .groupBy('jobExecutionId')
          .execute(),
      );
      for (const r of rows) out.set(r.jobExecutionId.toLowerCase(), Number(r.n));
    }
    return out;
  }

  async function views(records: JobExecutionRecord[]): Promise<JobExecution[]> {
    const parents = records.filter((r) => r.parentId === null).map((r) => r.id);
    const children = records.filter((r) => r.parentId !== null).map((r) => r.id);
    const [counts, attempts] = await Promise.all([countsOf(parents), attemptsOf(children)]);
    return records.map((r) => (r.parentId === null ? toView(r, counts.get(r.id)!) : toView(r, {}, attempts.get(r.id))));
  }

  async function childRecords(parentId: string): Promise<JobExecutionRecord[]> {
    const rows = await withControlRetry(() =>
      db
        .selectFrom('jobExecutions')
        .selectAll()
        .where('parentId', '=', parentId.toLowerCase())
        .orderBy('targetEngine')
        .orderBy('targetServer')
        .orderBy('targetDatabase')
        .execute(),
    );
    return rows.map(toRecord);
  }

  return {
    /** Writes a parent `Created`; 409 when the id exists (a scheduled fire claimed twice). */
    async insertParent(p: NewParentExecution): Promise<JobExecutionRecord> {
      const row: JobExecutionTable = {
        id: p.id.toLowerCase(),
        jobName: p.jobName,
        parentId: null,
        lifecycle: 'Created',
        targetId: p.targetId.toLowerCase(),
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
      };
      await withControlRetry(() => db.insertInto('jobExecutions').values(row).execute(), {
        conflictMessage: `Job execution ${row.id} already exists.`,
      });
      return toRecord(row);
    },

    async find(id: string): Promise<JobExecutionRecord | undefined> {
      const row = await withControlRetry(() => find(id));
      return row && toRecord(row);
    },

    async get(id: string): Promise<JobExecutionRecord> {
      const row = await withControlRetry(() => find(id));
      if (!row) throw new NotFoundError('Job execution', id);
      return toRecord(row);
    },

    /** The API view: a parent with its children's counts (and the children themselves on request), a child with its attempts. */
    async view(id: string, options: { includeChildren?: boolean } = {}): Promise<JobExecution> {
      const record = await this.get(id);
      const [view] = await views([record]);
      if (options.includeChildren && record.parentId === null) view.children = await views(await childRecords(record.id));
      return view;
    },

    async views(records: JobExecutionRecord[]): Promise<JobExecution[]> {
      return views(records);
    },

    /** Newest first. By default only top-level executions that are still active. */
    async list(query: ExecutionListQuery): Promise<Page<JobExecution>> {
      const after = decodeCursor(query.cursor, 2);
      const topLevelOnly = !query.includeChildren && query.parentId === undefined;
      const rows = await withControlRetry(() =>
        db
          .selectFrom('jobExecutions')
          .selectAll()
          .$if(topLevelOnly, (q) => q.where('parentId', 'is', null))
          .$if(query.parentId !== undefined, (q) => q.where('parentId', '=', query.parentId!.toLowerCase()))
          .$if(!query.includeInactive && query.lifecycle === undefined, (q) => q.where('lifecycle', 'not in', terminal))
          .$if(query.lifecycle !== undefined, (q) => q.where('lifecycle', 'in', query.lifecycle!))
          .$if(query.since !== undefined, (q) => q.where('createdAt', '>=', query.since!))
          .$if(query.until !== undefined, (q) => q.where('createdAt', '<', query.until!))
          .$if(query.jobName !== undefined, (q) => q.where('jobName', '=', query.jobName!))
          .$if(query.scheduleName !== undefined, (q) => q.where('scheduleName', '=', query.scheduleName!))
          .$if(query.targetId !== undefined, (q) => q.where('targetId', '=', query.targetId!.toLowerCase()))
          .$if(after !== undefined, (q) =>
            q.where((eb) =>
              eb.or([eb('createdAt', '<', String(after![0])), eb.and([eb('createdAt', '=', String(after![0])), eb('id', '<', String(after![1]))])]),
            ),
          )
          .orderBy('createdAt', 'desc')
          .orderBy('id', 'desc')
          .$call(firstRows(dialect, query.limit + 1))
          .execute(),
      );
      const page = toPage(rows, query.limit, (r) => [r.createdAt, r.id.toLowerCase()], toRecord);
      return { items: await views(page.items), nextCursor: page.nextCursor };
    },

    /**
     * Flags the execution and every child of it that is not terminal, in one transaction, and
     * returns the ids of the instances to raise `cancel` to (the execution first). A terminal
     * execution is left as it is: nothing to cancel.
     */
    async requestCancel(id: string, now: string): Promise<{ execution: JobExecutionRecord; instanceIds: string[] }> {
      const key = id.toLowerCase();
      return withControlRetry(() =>
        db.transaction().execute(async (trx) => {
          const row = await trx.selectFrom('jobExecutions').selectAll().where('id', '=', key).executeTakeFirst();
          if (!row) throw new NotFoundError('Job execution', id);
          if (isTerminal(row.lifecycle)) return { execution: toRecord(row), instanceIds: [] };
          const tree = (q: Kysely<ControlSchema>) =>
            q.updateTable('jobExecutions').where((eb) => eb.or([eb('id', '=', key), eb('parentId', '=', key)])).where('lifecycle', 'not in', terminal);
          await tree(trx).set({ cancelRequested: 1, updatedAt: now }).execute();
          const open = await trx
            .selectFrom('jobExecutions')
            .select('id')
            .where((eb) => eb.or([eb('id', '=', key), eb('parentId', '=', key)]))
            .where('lifecycle', 'not in', terminal)
            .execute();
          const ids = open.map((r) => r.id.toLowerCase()).filter((i) => i !== key);
          const updated = await trx.selectFrom('jobExecutions').selectAll().where('id', '=', key).executeTakeFirstOrThrow();
          return { execution: toRecord(updated), instanceIds: [key, ...ids] };
        }),
      );
    },

    /** First expansion only: start_time, InProgress. Later calls leave start_time (the job timeout counts from the first). */
    async beginExpansion(id: string, now: string): Promise<JobExecutionRecord> {
      await withControlRetry(() =>
        db
          .updateTable('jobExecutions')
          .set((eb) => ({ lifecycle: 'InProgress', startTime: eb.fn.coalesce('startTime', eb.val(now)), updatedAt: now }))
          .where('id', '=', id.toLowerCase())
          .where('lifecycle', 'in', ['Created', 'InProgress'])
          .execute(),
      );
      return this.get(id);
    },

    /**
     * One child per database, inserted only where missing (the unique index job_executions_child
     * settles a race between two runs of the expansion). A refused database is written already
     * Failed, with the reason, and is never run.
     */
    async insertMissingChildren(parent: JobExecutionRecord, children: NewChild[], now: string): Promise<void> {
      const existing = await childRecords(parent.id);
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
          ...snapshotColumns(parent),
          createdAt: now,
          startTime: null,
          endTime: child.refusal === null ? null : now,
          lastMessage: child.refusal,
          cancelRequested: parent.cancelRequested ? 1 : 0,
          updatedAt: now,
          foundBy: child.foundBy,
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
    },

    /** The children and the attempts each has finished: what a (re)started job orchestration resumes from. */
    async childAttempts(parentId: string): Promise<ChildAttempts[]> {
      const rows = await withControlRetry(() =>
        db
          .selectFrom('jobExecutions as e')
          .leftJoin('taskExecutions as t', (join) => join.onRef('t.jobExecutionId', '=', 'e.id').on('t.lifecycle', 'in', [...TERMINAL_TASK_LIFECYCLES]))
          .select(['e.id', 'e.lifecycle', 'e.targetEngine', 'e.targetServer', 'e.targetDatabase', (eb) => eb.fn.count<number | string>('t.id').as('n')])
          .where('e.parentId', '=', parentId.toLowerCase())
          .groupBy(['e.id', 'e.lifecycle', 'e.targetEngine', 'e.targetServer', 'e.targetDatabase'])
          .orderBy('e.targetEngine')
          .orderBy('e.targetServer')
          .orderBy('e.targetDatabase')
          .execute(),
      );
      return rows.map((r) => ({ executionId: r.id.toLowerCase(), lifecycle: r.lifecycle as JobExecutionLifecycle, finishedAttempts: Number(r.n) }));
    },

    async children(parentId: string): Promise<JobExecutionRecord[]> {
      return childRecords(parentId);
    },

    async childCounts(parentId: string): Promise<LifecycleCounts> {
      return (await countsOf([parentId.toLowerCase()])).get(parentId.toLowerCase())!;
    },

    /**
     * Sets a lifecycle (and the message, when given); end_time for a terminal one, start_time on
     * the first InProgress. Never moves a terminal execution. True when the row moved.
     */
    async mark(id: string, lifecycle: JobExecutionLifecycle, message: string | null | undefined, now: string): Promise<boolean> {
      const result = await withControlRetry(() =>
        db
          .updateTable('jobExecutions')
          .set((eb) => ({
            lifecycle,
            updatedAt: now,
            ...(message !== undefined ? { lastMessage: message } : {}),
            ...(isTerminal(lifecycle) ? { endTime: now } : {}),
            ...(lifecycle === 'InProgress' ? { startTime: eb.fn.coalesce('startTime', eb.val(now)) } : {}),
          }))
          .where('id', '=', id.toLowerCase())
          .where('lifecycle', 'not in', terminal)
          .executeTakeFirst(),
      );
      return Number(result.numUpdatedRows) > 0;
    },

    /** Sets the message of an execution that is still running (an attempt's outcome on its child). */
    async noteMessage(id: string, message: string | null, now: string): Promise<void> {
      await withControlRetry(() =>
        db.updateTable('jobExecutions').set({ lastMessage: message, updatedAt: now }).where('id', '=', id.toLowerCase()).where('lifecycle', 'not in', terminal).execute(),
      );
    },

    /**
     * Ends every child of the parent that is not terminal (cancel, job timeout, or a child left
     * without an outcome), and their open task executions with them, in one transaction.
     */
    async endOpenChildren(parentId: string, lifecycle: 'TimedOut' | 'Canceled' | 'Failed', message: string, now: string): Promise<void> {
      const key = parentId.toLowerCase();
      const taskLifecycle = lifecycle;
      await withControlRetry(() =>
        db.transaction().execute(async (trx) => {
          await trx
            .updateTable('taskExecutions')
            .set({ lifecycle: taskLifecycle, message, endTime: now, outcome: lifecycle, retryable: 0 })
            .where('lifecycle', 'in', [...OPEN_TASK_LIFECYCLES])
            .where('jobExecutionId', 'in', (eb) =>
              eb.selectFrom('jobExecutions').select('id').where('parentId', '=', key).where('lifecycle', 'not in', terminal),
            )
            .execute();
          await trx
            .updateTable('jobExecutions')
            .set({ lifecycle, lastMessage: message, endTime: now, updatedAt: now })
            .where('parentId', '=', key)
            .where('lifecycle', 'not in', terminal)
            .execute();
        }),
      );
    },

    /** Whether an attempt on this child must stop: its own or its parent's cancel flag, or the child already ended (job timeout). */
    async stopSignal(childId: string): Promise<StopSignal | undefined> {
      return (await this.stopSignals([childId])).get(childId.toLowerCase());
    },

    /** The stop signals of many running children in one query per chunk: one poll serves every attempt of the process. */
    async stopSignals(childIds: string[]): Promise<Map<string, StopSignal>> {
      const out = new Map<string, StopSignal>();
      for (const part of chunks([...new Set(childIds.map((i) => i.toLowerCase()))], IN_LIST_CHUNK)) {
        const rows = await withControlRetry(() =>
          db
            .selectFrom('jobExecutions as c')
            .leftJoin('jobExecutions as p', 'p.id', 'c.parentId')
            .select(['c.id', 'c.lifecycle', 'c.cancelRequested', 'p.cancelRequested as parentCancelRequested'])
            .where('c.id', 'in', part)
            .execute(),
        );
        for (const row of rows) {
          out.set(row.id.toLowerCase(), {
            lifecycle: row.lifecycle as JobExecutionLifecycle,
            cancelRequested: Number(row.cancelRequested) === 1 || Number(row.parentCancelRequested ?? 0) === 1,
          });
        }
      }
      return out;
    },

    /** Parents not terminal, oldest first: what a local host resumes after a restart. */
    async listUnfinishedParents(): Promise<JobExecutionRecord[]> {
      const rows = await withControlRetry(() =>
        db.selectFrom('jobExecutions').selectAll().where('parentId', 'is', null).where('lifecycle', 'in', [...ACTIVE_JOB_LIFECYCLES]).orderBy('createdAt').orderBy('id').execute(),
      );
      return rows.map(toRecord);
    },

    /** The active (not terminal) parent executions of a job, oldest first: for the scheduler's overlap policy and job deletion. */
    async activeExecutionsOfJob(jobName: string): Promise<JobExecutionRecord[]> {
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
    },
  };
}

export type ExecutionStore = ReturnType<typeof executionStore>;
