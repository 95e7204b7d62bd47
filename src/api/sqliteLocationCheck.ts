/** The request-level guard for SQLite locations (targets and result destinations): engine enabled here, location inside the root. */
import { ValidationError } from '../domain/errors';
import { sqliteLocationErrors } from '../domain/sqliteTargetLocation';
import type { Services } from '../services';

export const SQLITE_DISABLED = 'the sqlite engine is not enabled on this host';

/** 400 unless the sqlite engine is served here and the location is inside its root. `where`: `body` or `body.resultSetDestination`. */
export function checkSqliteLocation(services: Services, where: string, serverName: string, databaseName?: string): void {
  if (!services.config.sqliteTargets.enabled) {
    throw new ValidationError(`The request is not valid: ${SQLITE_DISABLED}.`, [{ path: `${where}.engine`, message: SQLITE_DISABLED }]);
  }
  const errors = sqliteLocationErrors(services.config.sqliteTargets.root, where, serverName, databaseName);
  if (errors.length) throw new ValidationError(`The request is not valid: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, errors);
}
