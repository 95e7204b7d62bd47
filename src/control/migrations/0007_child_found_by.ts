import type { Kysely, Migration } from 'kysely';
import { columnTypes } from '../columnTypes';
import type { ControlDialect } from '../connection';

/**
 * How each child's database was found at expansion: `named` (a database target, alone or in a
 * custom collection) or `enumerated` (listed at run time from a server, elastic pool or shard
 * map). A missing database the user named is a failure that may be retried (it may be created
 * yet); one that was enumerated and vanished since is Skipped. Null on parents, and on children
 * written before this migration (read as `named`: failing loudly beats skipping silently).
 */
export function childFoundBy(dialect: ControlDialect): Migration {
  const t = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('job_executions').addColumn('found_by', t.string(16)).execute();
    },
  };
}
