import { sql, type Kysely, type Migration } from 'kysely';
import { columnTypes, type ColumnTypes } from '../columnTypes';
import type { ControlDialect } from '../connection';

/**
 * Multi-step jobs (issue 14): a job is an ordered list of steps, each a content run with its
 * own credential, target, policy and output; a job may have none yet.
 *
 * - jobs: content_name, credential_name, target_id and execution_policy_name become nullable
 *   (a job without steps). The job's content columns stay, as a mirror of its step 1 kept by
 *   the stores, so readers of the job row alone (reference checks, the scheduler) see step 1.
 * - job_steps: a job's steps, 1-based `step_index` (unique per job), keyed by name; every
 *   existing job gets one step, `main`, from its own columns.
 * - job_execution_steps: what a parent execution snapshots of every step at start (content
 *   version resolved, policy as JSON, parallelism resolved); every existing parent gets one
 *   row, step 1 `main`, from its own snapshot, so the engine reads steps the same way for an
 *   execution started before this migration.
 * - job_executions: step_index and step_name, set on children (existing children: 1, `main`).
 *   The unique index on a parent's children takes the step: one database may be a child once
 *   per step. Filtered, because SQL Server treats NULLs as equal in a unique index.
 *
 * How nullability changes, per dialect:
 * - PostgreSQL: ALTER COLUMN ... DROP NOT NULL.
 * - SQL Server: ALTER COLUMN ... NULL is refused by Babelfish (and by SQL Server's rules on a
 *   column of a FOREIGN KEY constraint), so each column is replaced: its foreign key dropped, a
 *   nullable copy added and filled, the old column dropped, the copy renamed, the foreign key
 *   added again under a name of ours.
 * - SQLite cannot change a column's nullability: the table is rebuilt (copied aside, dropped,
 *   created again with every column of migrations 0001, 0010 and 0011, copied back), inside one
 *   transaction with the rest of this migration. Kysely's Migrator runs SQLite migrations outside
 *   a transaction, so foreign keys are switched off around it, as SQLite's documentation advises
 *   for a table rebuild; where a caller already holds a transaction (the pragma is then a no-op),
 *   `defer_foreign_keys` holds the checks until commit instead. `PRAGMA foreign_key_check` must
 *   find nothing before the commit.
 */
export function jobSteps(dialect: ControlDialect): Migration {
  const t = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>) {
      if (dialect === 'sqlite') {
        await withoutForeignKeyChecks(db, async (trx) => {
          await rebuildJobsOnSqlite(trx, t);
          await addStepTables(trx, t, dialect);
        });
        return;
      }
      if (dialect === 'postgres') {
        for (const column of NOW_NULLABLE) await db.schema.alterTable('jobs').alterColumn(column.name, (c) => c.dropNotNull()).execute();
      } else {
        await replaceWithNullableOnSqlServer(db);
      }
      await addStepTables(db, t, dialect);
    },
  };
}

/** The job columns that become nullable, with their SQL Server type and what their foreign key references. */
const NOW_NULLABLE = [
  { name: 'content_name', mssqlType: 'nvarchar(128)', references: 'contents(name)' },
  { name: 'credential_name', mssqlType: 'nvarchar(128)', references: 'credentials(name)' },
  { name: 'target_id', mssqlType: 'varchar(36)', references: 'targets(id)' },
  { name: 'execution_policy_name', mssqlType: 'nvarchar(128)', references: 'execution_policies(name)' },
] as const;

type NullableColumn = (typeof NOW_NULLABLE)[number];

/**
 * SQL Server: each column replaced by a nullable copy, all four at once: every foreign key on
 * them dropped first and the rows copied by a single UPDATE. (On Babelfish, an UPDATE of rows this
 * transaction already wrote makes PostgreSQL run the foreign key checks of the table, and those
 * fail there to find the referenced table: with no key on the table left, there is none to run.)
 */
async function replaceWithNullableOnSqlServer(db: Kysely<unknown>): Promise<void> {
  const copy = (column: NullableColumn) => `${column.name}__0012`;
  // Migration 0001 declared the foreign keys inline: their names were made up by the server.
  const keys = await sql<{ name: string }>`
    SELECT DISTINCT fk.name AS name
    FROM sys.foreign_keys fk
    JOIN sys.foreign_key_columns fkc ON fkc.constraint_object_id = fk.object_id
    JOIN sys.columns c ON c.object_id = fkc.parent_object_id AND c.column_id = fkc.parent_column_id
    WHERE fk.parent_object_id = OBJECT_ID('jobs') AND c.name IN (${sql.join(NOW_NULLABLE.map((c) => c.name))})`.execute(db);
  for (const key of keys.rows) await sql`ALTER TABLE jobs DROP CONSTRAINT ${sql.id(key.name)}`.execute(db);
  for (const column of NOW_NULLABLE) await sql`ALTER TABLE jobs ADD ${sql.id(copy(column))} ${sql.raw(column.mssqlType)} NULL`.execute(db);
  // Its own statement: a batch naming a column added in the same batch does not compile.
  await sql`UPDATE jobs SET ${sql.join(NOW_NULLABLE.map((c) => sql`${sql.id(copy(c))} = ${sql.id(c.name)}`))}`.execute(db);
  for (const column of NOW_NULLABLE) {
    await sql`ALTER TABLE jobs DROP COLUMN ${sql.id(column.name)}`.execute(db);
    await sql`EXEC sp_rename ${`jobs.${copy(column)}`}, ${column.name}, 'COLUMN'`.execute(db);
  }
  for (const column of NOW_NULLABLE) {
    await sql`ALTER TABLE jobs ADD CONSTRAINT ${sql.id(`jobs_${column.name}_fk`)} FOREIGN KEY (${sql.id(column.name)}) REFERENCES ${sql.raw(column.references)}`.execute(db);
  }
}

/**
 * Runs `work` in a transaction with foreign keys off where that is possible (no transaction
 * open), else deferred to the commit; either way no row may break a foreign key at the end.
 */
async function withoutForeignKeyChecks(db: Kysely<unknown>, work: (trx: Kysely<unknown>) => Promise<void>): Promise<void> {
  const before = await sql<{ foreign_keys: number }>`PRAGMA foreign_keys`.execute(db);
  const wasOn = Number(Object.values(before.rows[0] ?? {})[0]) === 1;
  await sql`PRAGMA foreign_keys = OFF`.execute(db);
  try {
    await db.transaction().execute(async (trx) => {
      await sql`PRAGMA defer_foreign_keys = ON`.execute(trx);
      await work(trx);
      const broken = await sql<Record<string, unknown>>`PRAGMA foreign_key_check`.execute(trx);
      if (broken.rows.length) {
        throw new Error(`Rebuilding table jobs would break ${broken.rows.length} foreign key(s), e.g. ${JSON.stringify(broken.rows[0])}; nothing was changed.`);
      }
    });
  } finally {
    if (wasOn) await sql`PRAGMA foreign_keys = ON`.execute(db);
  }
}

/** Every column of `jobs` after migration 0011, in order: the rebuild copies exactly these. */
const JOB_COLUMNS = [
  'name',
  'content_name',
  'content_version',
  'credential_name',
  'target_id',
  'execution_policy_name',
  'max_parallelism',
  'result_set_destination',
  'overlap',
  'capture_output',
  'marked_for_deletion_at',
  'created_at',
  'updated_at',
  'enabled',
  'enabled_at',
  'notify_url',
  'notify_on',
  'notify_since',
  'canary',
  'failure_threshold',
  'max_parallelism_per_server',
];

async function rebuildJobsOnSqlite(db: Kysely<unknown>, t: ColumnTypes): Promise<void> {
  const existing = await sql<{ name: string }>`SELECT name FROM pragma_table_info('jobs') ORDER BY cid`.execute(db);
  const found = existing.rows.map((r) => r.name);
  // A column this list does not know would be lost in the copy: refuse rather than drop data.
  if (found.join(',') !== JOB_COLUMNS.join(',')) {
    throw new Error(`Table jobs has columns ${found.join(', ')}; migration 0012 expects ${JOB_COLUMNS.join(', ')}.`);
  }
  const columns = sql.join(JOB_COLUMNS.map((c) => sql.id(c)));
  await sql`CREATE TABLE jobs_0012 AS SELECT * FROM jobs`.execute(db);
  await sql`DROP TABLE jobs`.execute(db);
  const name = t.string(128);
  await db.schema
    .createTable('jobs')
    .addColumn('name', name, (c) => c.primaryKey())
    .addColumn('content_name', name, (c) => c.references('contents.name'))
    .addColumn('content_version', t.integer)
    .addColumn('credential_name', name, (c) => c.references('credentials.name'))
    .addColumn('target_id', t.id, (c) => c.references('targets.id'))
    .addColumn('execution_policy_name', name, (c) => c.references('execution_policies.name'))
    .addColumn('max_parallelism', t.integer)
    .addColumn('result_set_destination', t.text)
    .addColumn('overlap', t.string(16), (c) => c.notNull())
    .addColumn('capture_output', t.integer, (c) => c.notNull())
    .addColumn('marked_for_deletion_at', t.timestamp)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addColumn('enabled', t.integer, (c) => c.notNull().defaultTo(1))
    .addColumn('enabled_at', t.timestamp)
    .addColumn('notify_url', t.string(2048))
    .addColumn('notify_on', t.string(256))
    .addColumn('notify_since', t.timestamp)
    .addColumn('canary', t.text)
    .addColumn('failure_threshold', t.text)
    .addColumn('max_parallelism_per_server', t.integer)
    .execute();
  await sql`INSERT INTO jobs (${columns}) SELECT ${columns} FROM jobs_0012`.execute(db);
  await sql`DROP TABLE jobs_0012`.execute(db);
}

async function addStepTables(db: Kysely<unknown>, t: ColumnTypes, dialect: ControlDialect): Promise<void> {
  const name = t.string(128);
  await db.schema
    .createTable('job_steps')
    .addColumn('job_name', name, (c) => c.notNull().references('jobs.name'))
    .addColumn('step_name', name, (c) => c.notNull())
    .addColumn('step_index', t.integer, (c) => c.notNull())
    .addColumn('content_name', name, (c) => c.notNull().references('contents.name'))
    .addColumn('content_version', t.integer)
    .addColumn('credential_name', name, (c) => c.notNull().references('credentials.name'))
    .addColumn('target_id', t.id, (c) => c.notNull().references('targets.id'))
    .addColumn('execution_policy_name', name, (c) => c.notNull().references('execution_policies.name'))
    .addColumn('max_parallelism', t.integer)
    .addColumn('result_set_destination', t.text)
    .addColumn('capture_output', t.integer, (c) => c.notNull())
    .addColumn('on_failure', t.string(16), (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('job_steps_pk', ['job_name', 'step_name'])
    .execute();
  // One step per position. The stores renumber through negative values, so no statement ever holds one index twice.
  await db.schema.createIndex('job_steps_position').on('job_steps').columns(['job_name', 'step_index']).unique().execute();
  await sql`
    INSERT INTO job_steps (job_name, step_name, step_index, content_name, content_version, credential_name, target_id, execution_policy_name,
                           max_parallelism, result_set_destination, capture_output, on_failure, created_at, updated_at)
    SELECT name, 'main', 1, content_name, content_version, credential_name, target_id, execution_policy_name,
           max_parallelism, result_set_destination, capture_output, 'stopJob', created_at, updated_at
    FROM jobs
    WHERE content_name IS NOT NULL AND credential_name IS NOT NULL AND target_id IS NOT NULL AND execution_policy_name IS NOT NULL`.execute(db);

  await db.schema
    .createTable('job_execution_steps')
    .addColumn('execution_id', t.id, (c) => c.notNull().references('job_executions.id'))
    .addColumn('step_index', t.integer, (c) => c.notNull())
    .addColumn('step_name', name, (c) => c.notNull())
    .addColumn('content_name', name, (c) => c.notNull())
    .addColumn('content_version', t.integer, (c) => c.notNull())
    .addColumn('credential_name', name, (c) => c.notNull())
    .addColumn('target_id', t.id, (c) => c.notNull())
    .addColumn('execution_policy', t.text, (c) => c.notNull())
    .addColumn('max_parallelism', t.integer, (c) => c.notNull())
    .addColumn('result_set_destination', t.text)
    .addColumn('capture_output', t.integer, (c) => c.notNull())
    .addColumn('on_failure', t.string(16), (c) => c.notNull())
    .addPrimaryKeyConstraint('job_execution_steps_pk', ['execution_id', 'step_index'])
    .execute();
  // Every parent so far ran one step: its own snapshot. 100 is the configured default's default;
  // parents have always been written with their parallelism resolved, so it is a guard only.
  await sql`
    INSERT INTO job_execution_steps (execution_id, step_index, step_name, content_name, content_version, credential_name, target_id,
                                     execution_policy, max_parallelism, result_set_destination, capture_output, on_failure)
    SELECT id, 1, 'main', content_name, content_version, credential_name, target_id,
           execution_policy, COALESCE(max_parallelism, 100), result_set_destination, capture_output, 'stopJob'
    FROM job_executions
    WHERE parent_id IS NULL AND target_id IS NOT NULL`.execute(db);

  await db.schema.alterTable('job_executions').addColumn('step_index', t.integer).execute();
  await db.schema.alterTable('job_executions').addColumn('step_name', name).execute();
  await sql`UPDATE job_executions SET step_index = 1, step_name = 'main' WHERE parent_id IS NOT NULL`.execute(db);
  const drop = db.schema.dropIndex('job_executions_child');
  await (dialect === 'mssql' ? drop.on('job_executions') : drop).execute();
  await db.schema
    .createIndex('job_executions_child')
    .on('job_executions')
    .columns(['parent_id', 'step_index', 'target_engine', 'target_server', 'target_database'])
    .unique()
    .where((eb) => eb('parent_id', 'is not', null))
    .execute();
}
