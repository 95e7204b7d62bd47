/**
 * What a database that does not exist means for its child execution, by how the database was
 * found at expansion. A user who named a database (a database target, alone or in a custom
 * collection) expects the script to run there: its absence is a failure, and a retry may help
 * (a database being created or restored). A database listed at run time from a server, an
 * elastic pool or a shard map that is gone by its attempt was simply dropped meanwhile: nothing
 * to run, the child is Skipped. Pure: the attempt activity applies it.
 */
import type { TargetDatabase } from './schemas/target';

/** How a child's database was found at expansion. */
export type FoundBy = 'named' | 'enumerated';

export interface MissingDatabaseOutcome {
  lifecycle: 'Failed' | 'Skipped';
  retryable: boolean;
  message: string;
}

/** The outcome of an attempt that found its database missing. `foundBy` null (a child written before it was recorded) counts as named. */
export function missingDatabaseOutcome(database: TargetDatabase, foundBy: FoundBy | null): MissingDatabaseOutcome {
  const where = `database '${database.databaseName}' does not exist on server '${database.serverName}'`;
  if (foundBy === 'enumerated') {
    return { lifecycle: 'Skipped', retryable: false, message: `Skipped: ${where} (it was listed when the job started and has been removed since).` };
  }
  return { lifecycle: 'Failed', retryable: true, message: `The ${where}.` };
}
