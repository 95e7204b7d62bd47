/**
 * Jobs. A job marked for deletion stays readable (with `markedForDeletion: true`) until
 * housekeeping removes it with its history; it can no longer be changed or started.
 */
import { ConflictError, NotFoundError } from '../../domain/errors';
import type { ListQuery, Page } from '../../domain/schemas/common';
import type { Canary, EndedLifecycle, FailureThreshold, Job, ResultSetDestination } from '../../domain/schemas/job';
import type { ControlDatabase } from '../connection';
import { firstRows } from '../firstRows';
import { decodeCursor, toPage } from '../pagination';
import type { JobTable } from '../schema';
import { withControlRetry } from '../sqlErrors';

/** Everything about a job that a create writes and an update may change. */
/** How often housekeeping removes jobs marked for deletion (the Azure timer and the local scheduler, src/scheduler). */
const HOUSEKEEPING_EVERY = '5 minutes';

export type JobSettings = Omit<Job, 'name' | 'markedForDeletion' | 'createdAt' | 'updatedAt'>;

function settingsColumns(s: JobSettings) {
  return {
    contentName: s.contentName,
    contentVersion: s.contentVersion,
    credentialName: s.credentialName,
    targetId: s.targetId.toLowerCase(),
    executionPolicyName: s.executionPolicyName,
    maxParallelism: s.maxParallelism,
    resultSetDestination: s.resultSetDestination === null ? null : JSON.stringify(s.resultSetDestination),
    overlap: s.overlap,
    captureOutput: s.captureOutput ? 1 : 0,
    enabled: s.enabled ? 1 : 0,
    notifyUrl: s.notify?.url ?? null,
    notifyOn: s.notify ? JSON.stringify(s.notify.on) : null,
    canary: s.canary === null ? null : JSON.stringify(s.canary),
    failureThreshold: s.failureThreshold === null ? null : JSON.stringify(s.failureThreshold),
    maxParallelismPerServer: s.maxParallelismPerServer,
  };
}

function toJob(row: JobTable): Job {
  return {
    name: row.name,
    contentName: row.contentName,
    contentVersion: row.contentVersion === null ? null : Number(row.contentVersion),
    credentialName: row.credentialName,
    targetId: row.targetId.toLowerCase(),
    executionPolicyName: row.executionPolicyName,
    maxParallelism: row.maxParallelism === null ? null : Number(row.maxParallelism),
    resultSetDestination: row.resultSetDestination === null ? null : (JSON.parse(row.resultSetDestination) as ResultSetDestination),
    overlap: row.overlap as Job['overlap'],
    captureOutput: Number(row.captureOutput) === 1,
    enabled: Number(row.enabled) === 1,
    notify: row.notifyUrl === null ? null : { url: row.notifyUrl, on: JSON.parse(row.notifyOn ?? '[]') as EndedLifecycle[] },
    canary: row.canary ? (JSON.parse(row.canary) as Canary) : null,
    failureThreshold: row.failureThreshold ? (JSON.parse(row.failureThreshold) as FailureThreshold) : null,
    maxParallelismPerServer: row.maxParallelismPerServer === null || row.maxParallelismPerServer === undefined ? null : Number(row.maxParallelismPerServer),
    markedForDeletion: row.markedForDeletionAt !== null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function jobStore({ db, dialect }: ControlDatabase) {
  const find = (name: string) => db.selectFrom('jobs').selectAll().where('name', '=', name).executeTakeFirst();

  return {
    async create(name: string, settings: JobSettings, now: string): Promise<Job> {
      const row: JobTable = {
        name,
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
      await withControlRetry(() => db.insertInto('jobs').values(row).execute(), {
        // Lost a race: with an identical create, or (foreign key) with the delete of an object checked just before.
        conflictMessage: `Job '${name}' already exists, or an object it refers to was deleted meanwhile.`,
      });
      return toJob(row);
    },

    async get(name: string): Promise<Job> {
      const row = await withControlRetry(() => find(name));
      if (!row) throw new NotFoundError('Job', name);
      return toJob(row);
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
      return toPage(rows, query.limit, (r) => [r.name], toJob);
    },

    /**
     * Writes the whole settings (the caller merged and checked them); 409 once the job is marked
     * for deletion. Decided in the statement, against the row as it was: a disabled job enabled
     * again gets `enabledAt` now (the scheduler fires nothing due before it), and a webhook set
     * where there was none gets `notifySince` now (the outbox sweep looks no further back).
     */
    async replaceSettings(name: string, settings: JobSettings, now: string): Promise<Job> {
      const result = await withControlRetry(
        () =>
          db
            .updateTable('jobs')
            .set((eb) => ({
              ...settingsColumns(settings),
              enabledAt: settings.enabled ? eb.case().when('enabled', '=', 0).then(now).else(eb.ref('enabledAt')).end() : eb.ref('enabledAt'),
              notifySince: settings.notify ? eb.case().when('notifyUrl', 'is', null).then(now).else(eb.ref('notifySince')).end() : null,
              updatedAt: now,
            }))
            .where('name', '=', name)
            .where('markedForDeletionAt', 'is', null)
            .executeTakeFirst(),
        { conflictMessage: `An object job '${name}' refers to was deleted meanwhile.` },
      );
      if (Number(result.numUpdatedRows) === 0) {
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
