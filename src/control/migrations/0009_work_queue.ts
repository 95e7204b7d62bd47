import { sql, type Kysely, type Migration } from 'kysely';
import { columnTypes } from '../columnTypes';
import type { ControlDialect } from '../connection';

/**
 * The control database becomes the fan-out's work queue (docs/engine.md), as graphile-worker
 * and pg-boss use theirs: a child is queued while `not_before` is set (ready from that time on),
 * claimed by one lane of its parent in one statement, and its attempt in flight lives on its own
 * row (`running_*`) until the attempt's task execution is written, whole, at its end.
 * - not_before: queued, ready at or after this time; null while claimed and once ended.
 * - lane: the lane of the parent that claimed it last (its recovery finds leftovers by it).
 * - running_task_id / running_attempt / running_start_time: the attempt in flight; null between.
 * - running_credential_version: the credential's updated_at seen at the claim, so a lane keeps a
 *   credential only while it is unchanged (a rotation or a narrowed allowedServers applies to
 *   the next attempt).
 * - lanes: on a parent, how many lane orchestrations it runs (a cancel is raised to each).
 * Children queued under the old engine (Created, WaitingForRetry) are queued from their last
 * update, so an execution started before the upgrade finishes after it.
 */
export function workQueue(dialect: ControlDialect): Migration {
  const t = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>) {
      const add = (column: string, type: typeof t.timestamp) =>
        db.schema.alterTable('job_executions').addColumn(column, type).execute();
      await add('not_before', t.timestamp);
      await add('lane', t.integer);
      await add('running_task_id', t.id);
      await add('running_attempt', t.integer);
      await add('running_start_time', t.timestamp);
      await add('running_credential_version', t.timestamp);
      await add('lanes', t.integer);
      // The claim reads the first ready child of a parent in this order: a range scan, not a sort.
      await db.schema
        .createIndex('job_executions_queue')
        .on('job_executions')
        .columns(['parent_id', 'not_before', 'target_server', 'target_database'])
        .execute();
      await sql`UPDATE job_executions SET not_before = updated_at WHERE parent_id IS NOT NULL AND lifecycle IN ('Created', 'WaitingForRetry')`.execute(db);
    },
  };
}
