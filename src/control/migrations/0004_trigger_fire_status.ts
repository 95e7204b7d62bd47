import type { Kysely, Migration } from 'kysely';
import { columnTypes } from '../columnTypes';
import type { ControlDialect } from '../connection';

/**
 * What became of a claimed fire time: a claim is written before anything starts, so the row must
 * say whether the fire started an execution, was skipped or queued behind an active one (the
 * overlap policy), or could not start (and why). A queued or stranded claim is picked up by a
 * later tick; the others are history.
 */
export function triggerFireStatus(dialect: ControlDialect): Migration {
  const t = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('trigger_fires').addColumn('status', t.string(16), (c) => c.notNull().defaultTo('started')).execute();
      await db.schema.alterTable('trigger_fires').addColumn('message', t.text).execute();
      await db.schema.createIndex('trigger_fires_status').on('trigger_fires').columns(['status', 'job_name']).execute();
    },
  };
}
