/**
 * Execution history as a whole: what housekeeping removes (history past its retention, and the
 * whole history of a job marked for deletion). Removal goes in bounded batches, children and task
 * executions before their parents, every statement small: a crash half-way leaves rows the next
 * pass finds.
 */
import type { Kysely } from 'kysely';
import { ACTIVE_JOB_LIFECYCLES, TERMINAL_JOB_LIFECYCLES } from '../../domain/lifecycle';
import type { ControlDatabase } from '../connection';
import { firstRows } from '../firstRows';
import type { ControlSchema } from '../schema';
import { withControlRetry } from '../sqlErrors';

/** Parents per removal batch, and ids per `IN (...)` list: far under SQL Server's 2100 parameters. */
export const PARENT_BATCH = 500;
const CHILD_BATCH = 500;

export interface RemovedHistory {
  parents: number;
  children: number;
  tasks: number;
}

export function historyStore({ db, dialect }: ControlDatabase) {
  async function removeTasksOf(trx: Kysely<ControlSchema>, executionIds: string[]): Promise<number> {
    const r = await trx.deleteFrom('taskExecutions').where('jobExecutionId', 'in', executionIds).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  return {
    /**
     * Ids of top-level executions that ended before `cutoff` (created and ended before it),
     * oldest first; never one that is still active.
     */
    async endedParentsBefore(cutoff: string, limit: number, jobName?: string): Promise<string[]> {
      const rows = await withControlRetry(() =>
        db
          .selectFrom('jobExecutions')
          .select('id')
          .where('parentId', 'is', null)
          .where('createdAt', '<', cutoff)
          .where('lifecycle', 'in', [...TERMINAL_JOB_LIFECYCLES])
          .where((eb) => eb.or([eb('endTime', 'is', null), eb('endTime', '<', cutoff)]))
          .$if(jobName !== undefined, (q) => q.where('jobName', '=', jobName!))
          .orderBy('createdAt')
          .orderBy('id')
          .$call(firstRows(dialect, Math.min(limit, PARENT_BATCH)))
          .execute(),
      );
      return rows.map((r) => r.id);
    },

    /** Ids of top-level executions of a job, whatever their lifecycle (the job is going away). */
    async parentsOfJob(jobName: string, limit: number): Promise<string[]> {
      const rows = await withControlRetry(() =>
        db
          .selectFrom('jobExecutions')
          .select('id')
          .where('jobName', '=', jobName)
          .where('parentId', 'is', null)
          .orderBy('createdAt')
          .orderBy('id')
          .$call(firstRows(dialect, Math.min(limit, PARENT_BATCH)))
          .execute(),
      );
      return rows.map((r) => r.id);
    },

    /** Removes these top-level executions (at most PARENT_BATCH), their children and every task execution of them. */
    async removeExecutions(parentIds: string[]): Promise<RemovedHistory> {
      const removed: RemovedHistory = { parents: 0, children: 0, tasks: 0 };
      if (!parentIds.length) return removed;
      if (parentIds.length > PARENT_BATCH) throw new Error(`At most ${PARENT_BATCH} executions per batch`);
      for (;;) {
        const children = await withControlRetry(() =>
          db.selectFrom('jobExecutions').select('id').where('parentId', 'in', parentIds).$call(firstRows(dialect, CHILD_BATCH)).execute(),
        );
        if (!children.length) break;
        const ids = children.map((c) => c.id);
        await withControlRetry(() =>
          db.transaction().execute(async (trx) => {
            removed.tasks += await removeTasksOf(trx, ids);
            const r = await trx.deleteFrom('jobExecutions').where('id', 'in', ids).executeTakeFirst();
            removed.children += Number(r.numDeletedRows);
          }),
        );
      }
      await withControlRetry(() =>
        db.transaction().execute(async (trx) => {
          removed.tasks += await removeTasksOf(trx, parentIds);
          // A parent's step snapshots (migration 0012) go with it.
          await trx.deleteFrom('jobExecutionSteps').where('executionId', 'in', parentIds).execute();
          const r = await trx.deleteFrom('jobExecutions').where('id', 'in', parentIds).where('parentId', 'is', null).executeTakeFirst();
          removed.parents += Number(r.numDeletedRows);
        }),
      );
      return removed;
    },

    /**
     * The last step of a job's deletion: its triggers and the job row, in one transaction, only
     * if the job is still marked and has no active execution. False when either changed meanwhile.
     */
    async removeMarkedJob(jobName: string): Promise<boolean> {
      return withControlRetry(() =>
        db.transaction().execute(async (trx) => {
          const active = await trx
            .selectFrom('jobExecutions')
            .select('id')
            .where('jobName', '=', jobName)
            .where('parentId', 'is', null)
            .where('lifecycle', 'in', [...ACTIVE_JOB_LIFECYCLES])
            .$call(firstRows(dialect, 1))
            .executeTakeFirst();
          if (active) return false;
          // Only a job still marked loses its triggers and steps (the job's own delete below is guarded the same way).
          const marked = await trx.selectFrom('jobs').select('name').where('name', '=', jobName).where('markedForDeletionAt', 'is not', null).executeTakeFirst();
          if (!marked) return false;
          await trx.deleteFrom('triggers').where('jobName', '=', jobName).execute();
          await trx.deleteFrom('jobSteps').where('jobName', '=', jobName).execute();
          const r = await trx.deleteFrom('jobs').where('name', '=', jobName).where('markedForDeletionAt', 'is not', null).executeTakeFirst();
          return Number(r.numDeletedRows) === 1;
        }),
      );
    },
  };
}

export type HistoryStore = ReturnType<typeof historyStore>;
