import type { Kysely, Migration } from 'kysely';
import { columnTypes } from '../columnTypes';
import type { ControlDialect } from '../connection';

/**
 * The safety rails of a fleet change (docs/engine.md, "Safety rails"):
 * - jobs: canary (JSON), failure_threshold (JSON), max_parallelism_per_server;
 * - job_executions, on a parent: safety_rails (JSON snapshot of the three at start), rerun_of
 *   (the execution it re-runs) and rerun_lifecycles (JSON: which of that execution's databases);
 *   the failure limit and wave in force;
 * - job_executions, on a child: wave (0 the canary, 1 the others; null before this migration)
 *   and server_key (the normalized server address the per-server cap counts by).
 */
export function safetyRails(dialect: ControlDialect): Migration {
  const t = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('jobs').addColumn('canary', t.text).execute();
      await db.schema.alterTable('jobs').addColumn('failure_threshold', t.text).execute();
      await db.schema.alterTable('jobs').addColumn('max_parallelism_per_server', t.integer).execute();
      await db.schema.alterTable('job_executions').addColumn('safety_rails', t.text).execute();
      await db.schema.alterTable('job_executions').addColumn('rerun_of', t.id).execute();
      await db.schema.alterTable('job_executions').addColumn('rerun_lifecycles', t.text).execute();
      await db.schema.alterTable('job_executions').addColumn('wave', t.integer).execute();
      await db.schema.alterTable('job_executions').addColumn('server_key', t.string(300)).execute();
    },
  };
}
