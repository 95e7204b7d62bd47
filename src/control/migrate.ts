/**
 * Numbered, append-only migrations, run at start-up and in tests. Kysely's Migrator writes its
 * ledger inside the migration transaction and takes a lock first (pg_advisory_xact_lock on
 * PostgreSQL, sp_getapplock on SQL Server, the database file lock on SQLite), so two processes
 * starting at once cannot both apply a migration.
 */
import { Migrator, type Migration, type MigrationResultSet } from 'kysely';
import type { ControlDatabase, ControlDialect } from './connection';
import { initial } from './migrations/0001_initial';
import { seedDefaultPolicy } from './migrations/0002_default_policy';
import { taskOutcome } from './migrations/0003_task_outcome';
import { triggerFireStatus } from './migrations/0004_trigger_fire_status';
import { serverIdentity } from './migrations/0005_server_identity';
import { childFoundBy } from './migrations/0007_child_found_by';
import { dacpacQuerySecret } from './migrations/0008_dacpac_query_secret';
import { workQueue } from './migrations/0009_work_queue';
import { jobEnabledAndNotify } from './migrations/0010_job_enabled_and_notify';
import { safetyRails } from './migrations/0011_safety_rails';
import { jobSteps } from './migrations/0012_job_steps';

export function migrations(dialect: ControlDialect): Record<string, Migration> {
  return {
    '0001_initial': initial(dialect),
    '0002_default_policy': seedDefaultPolicy(),
    '0003_task_outcome': taskOutcome(dialect),
    '0004_trigger_fire_status': triggerFireStatus(dialect),
    '0005_server_identity': serverIdentity(),
    '0007_child_found_by': childFoundBy(dialect),
    '0008_dacpac_query_secret': dacpacQuerySecret(dialect),
    '0009_work_queue': workQueue(dialect),
    '0010_job_enabled_and_notify': jobEnabledAndNotify(dialect),
    '0011_safety_rails': safetyRails(dialect),
    '0012_job_steps': jobSteps(dialect),
  };
}

export async function migrateToLatest(control: ControlDatabase): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db: control.db,
    provider: { getMigrations: async () => migrations(control.dialect) },
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
  });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`Control database migration ${failed} failed: ${(result.error as Error).message ?? result.error}`);
  }
  return result;
}
