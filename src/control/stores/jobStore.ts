/**
 * Jobs. A job marked for deletion stays readable (with `markedForDeletion: true`) until
 * housekeeping removes it with its history; it can no longer be changed or started. Its steps
 * live in jobStepStore.ts; the job row mirrors step 1 (written in the same transaction), and the
 * view shows the steps in order with step 1's fields at the top level.
 */
import { ConflictError, NotFoundError } from '../../domain/errors';
import type { ListQuery, Page } from '../../domain/schemas/common';
import type { Canary, EndedLifecycle, FailureThreshold, Job } from '../../domain/schemas/job';
import type { JobStep, StepSettings } from '../../domain/schemas/step';
import type { ControlDatabase } from '../connection';
import { firstRows } from '../firstRows';
import { decodeCursor, toPage } from '../pagination';
import type { JobTable } from '../schema';
import { withControlRetry } from '../sqlErrors';
import { insertStep, stepOneMirror, stepsOf, stepsOfJobs, updateStep, type NewStep } from './jobStepStore';

/** How often housekeeping removes jobs marked for deletion (the Azure timer and the local scheduler, src/scheduler). */
const HOUSEKEEPING_EVERY = '5 minutes';

/** Step 1's fields, as the job shows them at its top level. */
type StepOneFields = 'contentName' | 'contentVersion' | 'credentialName' | 'targetId' | 'executionPolicyName' | 'maxParallelism' | 'resultSetDestination' | 'captureOutput';

/** Everything about a job beyond its steps that a create writes and an update may change. */
export type JobSettings = Omit<Job, 'name' | 'markedForDeletion' | 'createdAt' | 'updatedAt' | 'steps' | StepOneFields>;

/** What a job update does to step 1: change it (whole settings, merged by the caller), or add it to a job without steps. */
export type StepOneChange = { kind: 'update'; stepName: string; settings: StepSettings } | { kind: 'add'; step: NewStep };

function settingsColumns(s: JobSettings) {
  return {
    overlap: s.overlap,
    enabled: s.enabled ? 1 : 0,
    notifyUrl: s.notify?.url ?? null,
    notifyOn: s.notify ? JSON.stringify(s.notify.on) : null,
    canary: s.canary === null ? null : JSON.stringify(s.canary),
    failureThreshold: s.failureThreshold === null ? null : JSON.stringify(s.failureThreshold),
    maxParallelismPerServer: s.maxParallelismPerServer,
  };
}

/** Step 1's fields for the top level of the view: the step's, or nulls (capture off) without steps. */
function stepOneFields(first: JobStep | undefined): Pick<Job, StepOneFields> {
  return {
    contentName: first?.contentName ?? null,
    contentVersion: first?.contentVersion ?? null,
    credentialName: first?.credentialName ?? null,
    targetId: first?.targetId ?? null,
    executionPolicyName: first?.executionPolicyName ?? null,
    maxParallelism: first?.maxParallelism ?? null,
    resultSetDestination: first?.resultSetDestination ?? null,
    captureOutput: first?.captureOutput ?? false,
  };
}

function toJob(row: JobTable, steps: JobStep[]): Job {
  return {
    name: row.name,
    ...stepOneFields(steps[0]),
    overlap: row.overlap as Job['overlap'],
    enabled: Number(row.enabled) === 1,
    notify: row.notifyUrl === null ? null : { url: row.notifyUrl, on: JSON.parse(row.notifyOn ?? '[]') as EndedLifecycle[] },
    canary: row.canary ? (JSON.parse(row.canary) as Canary) : null,
    failureThreshold: row.failureThreshold ? (JSON.parse(row.failureThreshold) as FailureThreshold) : null,
    maxParallelismPerServer: row.maxParallelismPerServer === null || row.maxParallelismPerServer === undefined ? null : Number(row.maxParallelismPerServer),
    markedForDeletion: row.markedForDeletionAt !== null,
    steps,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function jobStore({ db, dialect }: ControlDatabase) {
  const find = (name: string) => db.selectFrom('jobs').selectAll().where('name', '=', name).executeTakeFirst();

  return {
    /** Writes the job, with its first step when given (a job may start without steps), in one transaction. */
    async create(name: string, settings: JobSettings, firstStep: NewStep | null, now: string): Promise<Job> {
      const row: JobTable = {
        name,
        ...stepOneMirror(firstStep?.settings ?? null),
        ...settingsColumns(settings),
        enabledAt: null,
        notifySince: settings.notify ? now : null,
        markedForDeletionAt: null,
        createdAt: now,
        updatedAt: now,
      };
      const existing = await withControlRetry(() => find(name));
      if (existing?.markedForDeletionAt) {
        throw new ConflictError(
          `Job '${name}' is being deleted (since ${existing.markedForDeletionAt}): an execution of it is still active. It goes with its history within ${HOUSEKEEPING_EVERY} of that execution ending (cancel it to hasten that); then the name is free.`,
        );
      }
      if (existing) throw new ConflictError(`Job '${name}' already exists.`);
      await withControlRetry(
        () =>
          db.transaction().execute(async (trx) => {
            await trx.insertInto('jobs').values(row).execute();
            if (firstStep) await insertStep(trx, name, firstStep, now);
          }),
        {
          // Lost a race: with an identical create, or (foreign key) with the delete of an object checked just before.
          conflictMessage: `Job '${name}' already exists, or an object it refers to was deleted meanwhile.`,
        },
      );
      return this.get(name);
    },

    async get(name: string): Promise<Job> {
      const [row, steps] = await withControlRetry(() => Promise.all([find(name), stepsOf(db, name)]));
      if (!row) throw new NotFoundError('Job', name);
      return toJob(row, steps);
    },

    /** When the job was marked for deletion, or null; 404 when it does not exist. */
    async markedForDeletionAt(name: string): Promise<string | null> {
      const row = await withControlRetry(() => db.selectFrom('jobs').select('markedForDeletionAt').where('name', '=', name).executeTakeFirst());
      if (!row) throw new NotFoundError('Job', name);
      return row.markedForDeletionAt;
    },

    /** Every job by name, those marked for deletion included (with the flag). */
    async list(query: ListQuery): Promise<Page<Job>> {
      const after = decodeCursor(query.cursor, 1);
      const rows = await withControlRetry(() =>
        db
          .selectFrom('jobs')
          .selectAll()
          .$if(after !== undefined, (q) => q.where('name', '>', String(after![0])))
          .orderBy('name')
          .$call(firstRows(dialect, query.limit + 1))
          .execute(),
      );
      const steps = await withControlRetry(() => stepsOfJobs(db, rows.slice(0, query.limit).map((r) => r.name)));
      return toPage(rows, query.limit, (r) => [r.name], (r) => toJob(r, steps.get(r.name) ?? []));
    },

    /**
     * Writes the whole settings (the caller merged and checked them) and, when given, the change
     * to step 1, in one transaction; 409 once the job is marked for deletion. Decided in the
     * statement, against the row as it was: a disabled job enabled again gets `enabledAt` now
     * (the scheduler fires nothing due before it), and a webhook set where there was none gets
     * `notifySince` now (the outbox sweep looks no further back).
     */
    async replaceSettings(name: string, settings: JobSettings, stepOne: StepOneChange | undefined, now: string): Promise<Job> {
      const updated = await withControlRetry(
        () =>
          db.transaction().execute(async (trx) => {
            const result = await trx
              .updateTable('jobs')
              .set((eb) => ({
                ...settingsColumns(settings),
                enabledAt: settings.enabled ? eb.case().when('enabled', '=', 0).then(now).else(eb.ref('enabledAt')).end() : eb.ref('enabledAt'),
                notifySince: settings.notify ? eb.case().when('notifyUrl', 'is', null).then(now).else(eb.ref('notifySince')).end() : null,
                updatedAt: now,
              }))
              .where('name', '=', name)
              .where('markedForDeletionAt', 'is', null)
              .executeTakeFirst();
            if (Number(result.numUpdatedRows) === 0) return false;
            if (stepOne?.kind === 'update') await updateStep(trx, name, stepOne.stepName, stepOne.settings, undefined, now);
            if (stepOne?.kind === 'add') await insertStep(trx, name, stepOne.step, now);
            return true;
          }),
        { conflictMessage: `An object job '${name}' refers to was deleted meanwhile.` },
      );
      if (!updated) {
        await this.get(name);
        throw new ConflictError(`Job '${name}' is marked for deletion and can no longer be changed.`);
      }
      return this.get(name);
    },

    /** Marks the job (once: a second call keeps the first time). */
    async markForDeletion(name: string, now: string): Promise<Job> {
      await withControlRetry(() =>
        db.updateTable('jobs').set({ markedForDeletionAt: now, updatedAt: now }).where('name', '=', name).where('markedForDeletionAt', 'is', null).execute(),
      );
      return this.get(name);
    },

    /** Names of jobs marked for deletion, oldest mark first: housekeeping's work list. */
    async namesMarkedForDeletion(limit: number): Promise<string[]> {
      const rows = await withControlRetry(() =>
        db.selectFrom('jobs').select('name').where('markedForDeletionAt', 'is not', null).orderBy('markedForDeletionAt').orderBy('name').$call(firstRows(dialect, limit)).execute(),
      );
      return rows.map((r) => r.name);
    },
  };
}

export type JobStore = ReturnType<typeof jobStore>;
