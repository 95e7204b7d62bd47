/**
 * The steps of jobs (migration 0012). A job's steps hold positions 1..n with no gap; every change
 * (add at a position, move, remove) renumbers the others in the same transaction, and writes the
 * job row's step 1 mirror (content, credential, target, policy, parallelism, destination,
 * capture) there too, so code that reads only the job row (reference checks, the scheduler) sees
 * step 1, and sees nulls while the job has no steps.
 *
 * Each change first touches the job row (its updated_at): on PostgreSQL and SQL Server that
 * row lock makes two changes to one job's steps take turns, so positions read at the start of a
 * transaction are still true at its end; SQLite has one writer anyway.
 */
import { sql, type Kysely } from 'kysely';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors';
import type { ListQuery, Page } from '../../domain/schemas/common';
import type { ResultSetDestination } from '../../domain/schemas/resultSetDestination';
import { MAX_JOB_STEPS, type JobStep, type StepOnFailure, type StepSettings } from '../../domain/schemas/step';
import type { ControlDatabase, ControlDialect } from '../connection';
import { firstRows } from '../firstRows';
import { decodeCursor, toPage } from '../pagination';
import type { ControlSchema, JobStepTable, JobTable } from '../schema';
import { withControlRetry } from '../sqlErrors';

type Db = Kysely<ControlSchema>;

export function toStep(row: JobStepTable): JobStep {
  return {
    jobName: row.jobName,
    name: row.stepName,
    stepIndex: Number(row.stepIndex),
    contentName: row.contentName,
    contentVersion: row.contentVersion === null ? null : Number(row.contentVersion),
    credentialName: row.credentialName,
    targetId: row.targetId.toLowerCase(),
    executionPolicyName: row.executionPolicyName,
    maxParallelism: row.maxParallelism === null ? null : Number(row.maxParallelism),
    resultSetDestination: row.resultSetDestination === null ? null : (JSON.parse(row.resultSetDestination) as ResultSetDestination),
    captureOutput: Number(row.captureOutput) === 1,
    onFailure: row.onFailure as StepOnFailure,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function stepColumns(s: StepSettings) {
  return {
    contentName: s.contentName,
    contentVersion: s.contentVersion,
    credentialName: s.credentialName,
    targetId: s.targetId.toLowerCase(),
    executionPolicyName: s.executionPolicyName,
    maxParallelism: s.maxParallelism,
    resultSetDestination: s.resultSetDestination === null ? null : JSON.stringify(s.resultSetDestination),
    captureOutput: s.captureOutput ? 1 : 0,
    onFailure: s.onFailure,
  };
}

/** The job row's columns that mirror step 1: its settings, or nulls when the job has no steps. */
export function stepOneMirror(first: StepSettings | null): Pick<
  JobTable,
  'contentName' | 'contentVersion' | 'credentialName' | 'targetId' | 'executionPolicyName' | 'maxParallelism' | 'resultSetDestination' | 'captureOutput'
> {
  if (!first) {
    return { contentName: null, contentVersion: null, credentialName: null, targetId: null, executionPolicyName: null, maxParallelism: null, resultSetDestination: null, captureOutput: 0 };
  }
  const { onFailure: _onFailure, ...columns } = stepColumns(first);
  return columns;
}

/** A column of job_steps that names another object (its foreign keys). */
type ReferenceColumn = 'contentName' | 'credentialName' | 'targetId' | 'executionPolicyName';

/**
 * Up to `n` steps (by job, then position) that name this object: what its deletion must wait
 * for, for a message that says which job and step. (Step 1 of every job is among them: the job
 * row only mirrors it.)
 */
export function stepsUsing(db: Db, dialect: ControlDialect, column: ReferenceColumn, value: string, n = 1): Promise<{ jobName: string; stepName: string }[]> {
  return db.selectFrom('jobSteps').select(['jobName', 'stepName']).where(column, '=', value).orderBy('jobName').orderBy('stepIndex').$call(firstRows(dialect, n)).execute();
}

/** The first step that names this object, or undefined. */
export async function firstStepUsing(db: Db, dialect: ControlDialect, column: ReferenceColumn, value: string): Promise<{ jobName: string; stepName: string } | undefined> {
  return (await stepsUsing(db, dialect, column, value, 1))[0];
}

/** A job's steps in order. */
export async function stepsOf(db: Db, jobName: string): Promise<JobStep[]> {
  const rows = await db.selectFrom('jobSteps').selectAll().where('jobName', '=', jobName).orderBy('stepIndex').execute();
  return rows.map(toStep);
}

/** The steps of several jobs (at most a page of them: far under SQL Server's 2100 parameters), by job name, each in order. */
export async function stepsOfJobs(db: Db, jobNames: string[]): Promise<Map<string, JobStep[]>> {
  const byJob = new Map<string, JobStep[]>(jobNames.map((n) => [n, []]));
  if (jobNames.length === 0) return byJob;
  const rows = await db.selectFrom('jobSteps').selectAll().where('jobName', 'in', jobNames).orderBy('jobName').orderBy('stepIndex').execute();
  for (const row of rows) byJob.get(row.jobName)?.push(toStep(row));
  return byJob;
}

/**
 * Touches the job row (the lock that makes step changes of one job take turns). NotFoundError
 * when there is no such job, ConflictError once it is marked for deletion.
 */
async function lockJob(trx: Db, jobName: string, now: string): Promise<void> {
  const touched = await trx.updateTable('jobs').set({ updatedAt: now }).where('name', '=', jobName).where('markedForDeletionAt', 'is', null).executeTakeFirst();
  if (Number(touched.numUpdatedRows) > 0) return;
  const job = await trx.selectFrom('jobs').select('markedForDeletionAt').where('name', '=', jobName).executeTakeFirst();
  if (!job) throw new NotFoundError('Job', jobName);
  throw new ConflictError(`Job '${jobName}' is marked for deletion and can no longer be changed.`);
}

/**
 * Adds `delta` to the position of the job's steps at positions from..to (inclusive). Through
 * negative values: PostgreSQL and SQLite check the unique index on (job, position) row by row,
 * and a plain `+ 1` would meet the next row's position half-way.
 */
async function shift(trx: Db, jobName: string, from: number, to: number, delta: number): Promise<void> {
  if (from > to) return;
  await trx
    .updateTable('jobSteps')
    .set({ stepIndex: sql<number>`0 - (${sql.ref('stepIndex')} + ${delta})` })
    .where('jobName', '=', jobName)
    .where('stepIndex', '>=', from)
    .where('stepIndex', '<=', to)
    .execute();
  await trx.updateTable('jobSteps').set({ stepIndex: sql<number>`0 - ${sql.ref('stepIndex')}` }).where('jobName', '=', jobName).where('stepIndex', '<', 0).execute();
}

/** Writes the job row's step 1 mirror from the job's step 1 as it now is. */
async function mirrorStepOne(trx: Db, jobName: string): Promise<void> {
  const first = await trx.selectFrom('jobSteps').selectAll().where('jobName', '=', jobName).where('stepIndex', '=', 1).executeTakeFirst();
  await trx.updateTable('jobs').set(stepOneMirror(first ? toStep(first) : null)).where('name', '=', jobName).execute();
}

const stepKey = (jobName: string, stepName: string) => `${jobName}/${stepName}`;

function positionError(index: number, last: number, what: string): ValidationError {
  return new ValidationError(`stepIndex ${index} is beyond the end: ${what} at 1 to ${last}.`, [{ path: 'body.stepIndex', message: `must be at most ${last}` }]);
}

/** A new step: its name, settings and position (undefined: after the last). */
export interface NewStep {
  name: string;
  settings: StepSettings;
  stepIndex?: number;
}

/**
 * Inserts a step, moving the steps at and after its position down one, and writes the mirror.
 * In the caller's transaction, the job row already locked (or just inserted).
 */
export async function insertStep(trx: Db, jobName: string, step: NewStep, now: string): Promise<void> {
  const steps = await trx.selectFrom('jobSteps').select(['stepName', 'stepIndex']).where('jobName', '=', jobName).execute();
  if (steps.some((s) => s.stepName === step.name)) throw new ConflictError(`Job '${jobName}' already has a step named '${step.name}'.`);
  if (steps.length >= MAX_JOB_STEPS) throw new ConflictError(`Job '${jobName}' already has ${steps.length} steps, the most a job may have.`);
  const index = step.stepIndex ?? steps.length + 1;
  if (index > steps.length + 1) throw positionError(index, steps.length + 1, `job '${jobName}' has ${steps.length} step${steps.length === 1 ? '' : 's'}, so a new one goes`);
  await shift(trx, jobName, index, steps.length, 1);
  await trx
    .insertInto('jobSteps')
    .values({ jobName, stepName: step.name, stepIndex: index, ...stepColumns(step.settings), createdAt: now, updatedAt: now })
    .execute();
  await mirrorStepOne(trx, jobName);
}

/**
 * Writes a step's settings and, when `stepIndex` is given, moves it there (the steps between
 * move up or down one); then the mirror. In the caller's transaction, the job row locked.
 */
export async function updateStep(trx: Db, jobName: string, stepName: string, settings: StepSettings, stepIndex: number | undefined, now: string): Promise<void> {
  const steps = await trx.selectFrom('jobSteps').select(['stepName', 'stepIndex']).where('jobName', '=', jobName).execute();
  const current = steps.find((s) => s.stepName === stepName);
  if (!current) throw new NotFoundError('Step', stepKey(jobName, stepName));
  const from = Number(current.stepIndex);
  const to = stepIndex ?? from;
  if (to > steps.length) throw positionError(to, steps.length, `job '${jobName}' has ${steps.length} step${steps.length === 1 ? '' : 's'}, so a step moves`);
  if (to !== from) {
    // Out of the way first (0 is no step's position), then the ones between close up or open a gap.
    await trx.updateTable('jobSteps').set({ stepIndex: 0 }).where('jobName', '=', jobName).where('stepName', '=', stepName).execute();
    if (to < from) await shift(trx, jobName, to, from - 1, 1);
    else await shift(trx, jobName, from + 1, to, -1);
  }
  await trx
    .updateTable('jobSteps')
    .set({ ...stepColumns(settings), stepIndex: to, updatedAt: now })
    .where('jobName', '=', jobName)
    .where('stepName', '=', stepName)
    .execute();
  await mirrorStepOne(trx, jobName);
}

export function jobStepStore({ db }: ControlDatabase) {
  /** Runs a change of a job's steps in one transaction, the job row locked first. */
  const change = <T>(jobName: string, now: string, work: (trx: Db) => Promise<T>, conflictMessage: string) =>
    withControlRetry(
      () =>
        db.transaction().execute(async (trx) => {
          await lockJob(trx, jobName, now);
          return work(trx);
        }),
      { conflictMessage },
    );

  async function requireJob(jobName: string): Promise<void> {
    const job = await withControlRetry(() => db.selectFrom('jobs').select('name').where('name', '=', jobName).executeTakeFirst());
    if (!job) throw new NotFoundError('Job', jobName);
  }

  return {
    /** Every step of the job, in order; NotFoundError when the job does not exist. */
    async list(jobName: string): Promise<JobStep[]> {
      await requireJob(jobName);
      return withControlRetry(() => stepsOf(db, jobName));
    },

    /** A page of the job's steps, in order (the cursor is the last position shown). */
    async page(jobName: string, query: ListQuery): Promise<Page<JobStep>> {
      await requireJob(jobName);
      const after = decodeCursor(query.cursor, 1);
      const rows = await withControlRetry(() =>
        db
          .selectFrom('jobSteps')
          .selectAll()
          .where('jobName', '=', jobName)
          .$if(after !== undefined, (q) => q.where('stepIndex', '>', Number(after![0])))
          .orderBy('stepIndex')
          .execute(),
      );
      // A job has at most MAX_JOB_STEPS steps: read them all, show a page.
      return toPage(rows.slice(0, query.limit + 1), query.limit, (r) => [Number(r.stepIndex)], toStep);
    },

    /** One step; NotFoundError for a missing job or step. */
    async get(jobName: string, stepName: string): Promise<JobStep> {
      const row = await withControlRetry(() => db.selectFrom('jobSteps').selectAll().where('jobName', '=', jobName).where('stepName', '=', stepName).executeTakeFirst());
      if (row) return toStep(row);
      await requireJob(jobName);
      throw new NotFoundError('Step', stepKey(jobName, stepName));
    },

    /**
     * Adds a step at its position (default: after the last). ConflictError for a name the job
     * already has, a job at MAX_JOB_STEPS, or one marked for deletion; ValidationError for a
     * position past one after the last.
     */
    async add(jobName: string, step: NewStep, now: string): Promise<JobStep> {
      await change(jobName, now, (trx) => insertStep(trx, jobName, step, now), `Job '${jobName}' already has a step named '${step.name}', or an object the step refers to was deleted meanwhile.`);
      return this.get(jobName, step.name);
    },

    /** Writes a step's whole settings (the caller merged and checked them) and moves it to `stepIndex` when given. */
    async update(jobName: string, stepName: string, settings: StepSettings, stepIndex: number | undefined, now: string): Promise<JobStep> {
      await change(jobName, now, (trx) => updateStep(trx, jobName, stepName, settings, stepIndex, now), `An object step '${stepName}' of job '${jobName}' refers to was deleted meanwhile.`);
      return this.get(jobName, stepName);
    },

    /** Removes a step; the steps after it move up one. NotFoundError for a missing job or step. */
    async remove(jobName: string, stepName: string, now: string): Promise<void> {
      await change(
        jobName,
        now,
        async (trx) => {
          const steps = await trx.selectFrom('jobSteps').select(['stepName', 'stepIndex']).where('jobName', '=', jobName).execute();
          const current = steps.find((s) => s.stepName === stepName);
          if (!current) throw new NotFoundError('Step', stepKey(jobName, stepName));
          await trx.deleteFrom('jobSteps').where('jobName', '=', jobName).where('stepName', '=', stepName).execute();
          await shift(trx, jobName, Number(current.stepIndex) + 1, steps.length, -1);
          await mirrorStepOne(trx, jobName);
        },
        `Step '${stepName}' of job '${jobName}' could not be removed.`,
      );
    },
  };
}

export type JobStepStore = ReturnType<typeof jobStepStore>;
