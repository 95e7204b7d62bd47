import type { Kysely, Migration } from 'kysely';
import { columnTypes } from '../columnTypes';
import type { ControlDialect } from '../connection';

/**
 * What an attempt returned to its orchestrator, beyond the task's visible lifecycle: `outcome`
 * (a missing database fails the task but skips the child) and whether a retry can help. Durable
 * runs an activity at least once; a re-run of a finished attempt must answer exactly as the first.
 */
export function taskOutcome(dialect: ControlDialect): Migration {
  const t = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('task_executions').addColumn('outcome', t.string(16)).execute();
      await db.schema.alterTable('task_executions').addColumn('retryable', t.integer).execute();
    },
  };
}
