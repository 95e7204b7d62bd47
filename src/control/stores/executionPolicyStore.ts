/** Execution policies: how long a job may run and how its tasks are retried. `default` always exists (migration 0002). */
import { ConflictError, NotFoundError } from '../../domain/errors';
import { DEFAULT_POLICY } from '../../domain/schemas/executionPolicy';
import type { ListQuery, Page } from '../../domain/schemas/common';
import type { ExecutionPolicy } from '../../domain/schemas/executionPolicy';
import type { ControlDatabase } from '../connection';
import { firstRows } from '../firstRows';
import { decodeCursor, toPage } from '../pagination';
import type { ExecutionPolicyTable } from '../schema';
import { withControlRetry } from '../sqlErrors';
import { firstStepUsing } from './jobStepStore';

export type PolicySettings = Omit<ExecutionPolicy, 'name' | 'createdAt' | 'updatedAt'>;

function toPolicy(row: ExecutionPolicyTable): ExecutionPolicy {
  return {
    name: row.name,
    jobTimeout: row.jobTimeout,
    initialRetryInterval: row.initialRetryInterval,
    maximumRetryInterval: row.maximumRetryInterval,
    retryIntervalBackoffCoefficient: Number(row.retryIntervalBackoffCoefficient),
    maximumAttempts: Number(row.maximumAttempts),
    taskTimeout: row.taskTimeout,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function executionPolicyStore({ db, dialect }: ControlDatabase) {
  return {
    async create(name: string, settings: PolicySettings, now: string): Promise<ExecutionPolicy> {
      const row: ExecutionPolicyTable = { name, ...settings, createdAt: now, updatedAt: now };
      await withControlRetry(() => db.insertInto('executionPolicies').values(row).execute(), {
        conflictMessage: `Execution policy '${name}' already exists.`,
      });
      return toPolicy(row);
    },

    async get(name: string): Promise<ExecutionPolicy> {
      const row = await withControlRetry(() => db.selectFrom('executionPolicies').selectAll().where('name', '=', name).executeTakeFirst());
      if (!row) throw new NotFoundError('Execution policy', name);
      return toPolicy(row);
    },

    async exists(name: string): Promise<boolean> {
      const row = await withControlRetry(() => db.selectFrom('executionPolicies').select('name').where('name', '=', name).executeTakeFirst());
      return row !== undefined;
    },

    async list(query: ListQuery): Promise<Page<ExecutionPolicy>> {
      const after = decodeCursor(query.cursor, 1);
      const rows = await withControlRetry(() =>
        db
          .selectFrom('executionPolicies')
          .selectAll()
          .$if(after !== undefined, (q) => q.where('name', '>', String(after![0])))
          .orderBy('name')
          .$call(firstRows(dialect, query.limit + 1))
          .execute(),
      );
      return toPage(rows, query.limit, (r) => [r.name], toPolicy);
    },

    /**
     * Deletes a policy; 409 for `default` (a job without a policy runs under it) and while a job
     * uses it. Running executions keep their own snapshot of the policy.
     */
    async remove(name: string): Promise<void> {
      if (name === DEFAULT_POLICY.name) throw new ConflictError(`Execution policy '${name}' cannot be deleted: it is what a job without a policy runs under. Change its settings instead.`);
      const user = await withControlRetry(() => firstStepUsing(db, dialect, 'executionPolicyName', name));
      if (user) throw new ConflictError(`Execution policy '${name}' is used by job '${user.jobName}' (step '${user.stepName}'); change or remove that job first.`);
      const removed = await withControlRetry(() => db.deleteFrom('executionPolicies').where('name', '=', name).executeTakeFirst(), {
        conflictMessage: `Execution policy '${name}' was taken into use by a job meanwhile; change or remove that job first.`,
      });
      if (Number(removed.numDeletedRows) === 0) throw new NotFoundError('Execution policy', name);
    },

    /** Writes the whole settings (the caller merged the change into the current policy and checked it). */
    async replaceSettings(name: string, settings: PolicySettings, now: string): Promise<ExecutionPolicy> {
      const result = await withControlRetry(() =>
        db
          .updateTable('executionPolicies')
          .set({ ...settings, updatedAt: now })
          .where('name', '=', name)
          .executeTakeFirst(),
      );
      if (Number(result.numUpdatedRows) === 0) throw new NotFoundError('Execution policy', name);
      return this.get(name);
    },
  };
}

export type ExecutionPolicyStore = ReturnType<typeof executionPolicyStore>;
