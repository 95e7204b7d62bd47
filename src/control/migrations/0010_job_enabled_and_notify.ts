import type { Kysely, Migration } from 'kysely';
import { columnTypes } from '../columnTypes';
import type { ControlDialect } from '../connection';

/**
 * Jobs can be disabled, and can ask to be told when an execution of theirs ends.
 *
 * On `jobs`:
 * - `enabled` (1 by default, so every existing job stays enabled): the scheduler fires no trigger
 *   of a disabled job; a manual start still runs it.
 * - `enabled_at`: when the job was last enabled again (null: enabled since it was created). The
 *   scheduler never fires a time before it, so fires missed while disabled are not caught up.
 * - `notify_url`, `notify_on` (a JSON array of lifecycles): the webhook, or null.
 * - `notify_since`: when the webhook was last set or changed; the outbox sweep (src/notifications)
 *   never queues an execution that ended before it.
 *
 * `execution_notifications` is the outbox: one row per ended parent execution and channel
 * (`webhook`, or `telemetry` in Azure), written when the parent ends, then delivered and
 * retried by a sender that claims due rows (a lease, so scaled-out senders never send one row
 * twice at once). The primary key makes queueing idempotent: an ended execution is queued once
 * however often the engine reports it. No foreign key to `job_executions`: history purges and job
 * deletion go on without waiting for a delivery; housekeeping purges old rows by age.
 */
export function jobEnabledAndNotify(dialect: ControlDialect): Migration {
  const t = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('jobs').addColumn('enabled', t.integer, (c) => c.notNull().defaultTo(1)).execute();
      await db.schema.alterTable('jobs').addColumn('enabled_at', t.timestamp).execute();
      await db.schema.alterTable('jobs').addColumn('notify_url', t.string(2048)).execute();
      await db.schema.alterTable('jobs').addColumn('notify_on', t.string(256)).execute();
      await db.schema.alterTable('jobs').addColumn('notify_since', t.timestamp).execute();

      await db.schema
        .createTable('execution_notifications')
        .addColumn('execution_id', t.id, (c) => c.notNull())
        .addColumn('channel', t.string(16), (c) => c.notNull())
        .addColumn('job_name', t.string(128), (c) => c.notNull())
        .addColumn('url', t.string(2048))
        .addColumn('body', t.text, (c) => c.notNull())
        .addColumn('status', t.string(16), (c) => c.notNull())
        .addColumn('attempts', t.integer, (c) => c.notNull())
        .addColumn('next_attempt_at', t.timestamp, (c) => c.notNull())
        .addColumn('give_up_at', t.timestamp, (c) => c.notNull())
        .addColumn('claimed_until', t.timestamp)
        .addColumn('claim_token', t.id)
        .addColumn('last_error', t.string(1000))
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .addColumn('delivered_at', t.timestamp)
        .addPrimaryKeyConstraint('execution_notifications_pk', ['execution_id', 'channel'])
        .execute();
      // The sender's work list: pending rows by due time.
      await db.schema.createIndex('execution_notifications_due').on('execution_notifications').columns(['status', 'next_attempt_at']).execute();
      await db.schema.createIndex('execution_notifications_created').on('execution_notifications').column('created_at').execute();
    },
  };
}
