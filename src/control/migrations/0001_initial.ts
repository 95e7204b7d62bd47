import type { Kysely, Migration } from 'kysely';
import { columnTypes } from '../columnTypes';
import type { ControlDialect } from '../connection';

/** Every object of the product and the execution history. Append-only: change it by a new migration. */
export function initial(dialect: ControlDialect): Migration {
  const t = columnTypes(dialect);
  const name = t.string(128);
  const server = t.string(256);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('credentials')
        .addColumn('name', name, (c) => c.primaryKey())
        .addColumn('username', t.string(128), (c) => c.notNull())
        .addColumn('authentication', t.string(32), (c) => c.notNull())
        .addColumn('password_secret', t.text)
        .addColumn('allowed_servers', t.text, (c) => c.notNull())
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('contents')
        .addColumn('name', name, (c) => c.primaryKey())
        .addColumn('type', t.string(16), (c) => c.notNull())
        .addColumn('latest_version', t.integer, (c) => c.notNull())
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('content_versions')
        .addColumn('content_name', name, (c) => c.notNull().references('contents.name'))
        .addColumn('version', t.integer, (c) => c.notNull())
        .addColumn('command_text', t.text)
        .addColumn('dacpac_uri', t.string(2048))
        .addColumn('comment', t.string(4000))
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint('content_versions_pk', ['content_name', 'version'])
        .execute();

      await db.schema
        .createTable('targets')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('type', t.string(32), (c) => c.notNull())
        .addColumn('engine', t.string(16))
        .addColumn('server_name', server)
        .addColumn('database_name', name)
        .addColumn('elastic_pool_name', name)
        .addColumn('shard_map_name', name)
        .addColumn('credential_name', name, (c) => c.references('credentials.name'))
        .addColumn('name', name)
        .addColumn('identity_key', t.string(700), (c) => c.notNull().unique())
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('target_members')
        .addColumn('collection_id', t.id, (c) => c.notNull().references('targets.id'))
        .addColumn('member_id', t.id, (c) => c.notNull().references('targets.id'))
        .addColumn('membership', t.string(16), (c) => c.notNull())
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint('target_members_pk', ['collection_id', 'member_id'])
        .execute();
      await db.schema.createIndex('target_members_member').on('target_members').column('member_id').execute();

      await db.schema
        .createTable('execution_policies')
        .addColumn('name', name, (c) => c.primaryKey())
        .addColumn('job_timeout', t.string(64), (c) => c.notNull())
        .addColumn('initial_retry_interval', t.string(64), (c) => c.notNull())
        .addColumn('maximum_retry_interval', t.string(64), (c) => c.notNull())
        .addColumn('retry_interval_backoff_coefficient', t.double, (c) => c.notNull())
        .addColumn('maximum_attempts', t.integer, (c) => c.notNull())
        .addColumn('task_timeout', t.string(64))
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('jobs')
        .addColumn('name', name, (c) => c.primaryKey())
        .addColumn('content_name', name, (c) => c.notNull().references('contents.name'))
        .addColumn('content_version', t.integer)
        .addColumn('credential_name', name, (c) => c.notNull().references('credentials.name'))
        .addColumn('target_id', t.id, (c) => c.notNull().references('targets.id'))
        .addColumn('execution_policy_name', name, (c) => c.notNull().references('execution_policies.name'))
        .addColumn('max_parallelism', t.integer)
        .addColumn('result_set_destination', t.text)
        .addColumn('overlap', t.string(16), (c) => c.notNull())
        .addColumn('capture_output', t.integer, (c) => c.notNull())
        .addColumn('marked_for_deletion_at', t.timestamp)
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('schedules')
        .addColumn('name', name, (c) => c.primaryKey())
        .addColumn('one_time', t.integer, (c) => c.notNull())
        .addColumn('interval_unit', t.string(16))
        .addColumn('interval_count', t.integer)
        .addColumn('cron', t.string(256))
        .addColumn('time_zone', t.string(64))
        .addColumn('start_time', t.timestamp, (c) => c.notNull())
        .addColumn('end_time', t.timestamp)
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('triggers')
        .addColumn('job_name', name, (c) => c.notNull().references('jobs.name'))
        .addColumn('schedule_name', name, (c) => c.notNull().references('schedules.name'))
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint('triggers_pk', ['job_name', 'schedule_name'])
        .execute();

      await db.schema
        .createTable('trigger_fires')
        .addColumn('job_name', name, (c) => c.notNull())
        .addColumn('schedule_name', name, (c) => c.notNull())
        .addColumn('fire_time', t.timestamp, (c) => c.notNull())
        .addColumn('execution_id', t.id)
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint('trigger_fires_pk', ['job_name', 'schedule_name', 'fire_time'])
        .execute();

      await db.schema
        .createTable('job_executions')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('job_name', name, (c) => c.notNull())
        .addColumn('parent_id', t.id)
        .addColumn('lifecycle', t.string(32), (c) => c.notNull())
        .addColumn('target_id', t.id)
        .addColumn('target_engine', t.string(16))
        .addColumn('target_server', server)
        .addColumn('target_database', name)
        .addColumn('content_name', name, (c) => c.notNull())
        .addColumn('content_version', t.integer, (c) => c.notNull())
        .addColumn('credential_name', name, (c) => c.notNull())
        .addColumn('execution_policy', t.text, (c) => c.notNull())
        .addColumn('max_parallelism', t.integer)
        .addColumn('result_set_destination', t.text)
        .addColumn('capture_output', t.integer, (c) => c.notNull())
        .addColumn('schedule_name', name)
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('start_time', t.timestamp)
        .addColumn('end_time', t.timestamp)
        .addColumn('last_message', t.text)
        .addColumn('cancel_requested', t.integer, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('job_executions_parent').on('job_executions').columns(['parent_id', 'lifecycle']).execute();
      await db.schema.createIndex('job_executions_job').on('job_executions').columns(['job_name', 'created_at']).execute();
      await db.schema.createIndex('job_executions_created').on('job_executions').column('created_at').execute();
      // One child per database of a parent: the expansion activity can run twice and write once.
      // Filtered, because SQL Server treats NULLs as equal in a unique index.
      await db.schema
        .createIndex('job_executions_child')
        .on('job_executions')
        .columns(['parent_id', 'target_engine', 'target_server', 'target_database'])
        .unique()
        .where((eb) => eb('parent_id', 'is not', null))
        .execute();

      await db.schema
        .createTable('task_executions')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('job_execution_id', t.id, (c) => c.notNull().references('job_executions.id'))
        .addColumn('attempt', t.integer, (c) => c.notNull())
        .addColumn('lifecycle', t.string(32), (c) => c.notNull())
        .addColumn('message', t.text)
        .addColumn('output', t.text)
        .addColumn('start_time', t.timestamp)
        .addColumn('end_time', t.timestamp)
        .execute();
      // One task execution per attempt: a re-run attempt activity finds its row instead of adding one.
      await db.schema
        .createIndex('task_executions_attempt')
        .on('task_executions')
        .columns(['job_execution_id', 'attempt'])
        .unique()
        .execute();
    },
  };
}
