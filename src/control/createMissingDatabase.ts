/**
 * A PostgreSQL control database named in CONTROL_DB that does not exist yet: created when the
 * login may (CREATEDB), otherwise a plain sentence saying what to run. Used by
 * `elastic-jobs serve`, where a first start should not end in "migration unknown failed:
 * database does not exist". SQLite creates its file itself; SQL Server's is provisioned by infra/.
 */
import { Client } from 'pg';

export class ControlDatabaseMissingError extends Error {}

/** SQLSTATEs (PostgreSQL appendix A): the database does not exist; the login lacks a privilege. */
const INVALID_CATALOG_NAME = '3D000';
const INSUFFICIENT_PRIVILEGE = '42501';

/**
 * Connects to `url` (a postgres:// URL); when its database does not exist, connects to the
 * server's `postgres` database with the same login and creates it. Returns true if it created
 * it. Throws ControlDatabaseMissingError with the command to run when the login may not.
 */
export async function createMissingPostgresDatabase(url: string): Promise<boolean> {
  const probe = new Client({ connectionString: url });
  try {
    await probe.connect();
    return false;
  } catch (error) {
    if ((error as { code?: string }).code !== INVALID_CATALOG_NAME) throw error;
  } finally {
    await probe.end().catch(() => undefined);
  }
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  try {
    await client.connect();
    await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    return true;
  } catch (error) {
    const code = (error as { code?: string }).code;
    const user = decodeURIComponent(target.username) || 'this login';
    if (code === INSUFFICIENT_PRIVILEGE) {
      throw new ControlDatabaseMissingError(
        `The control database '${name}' does not exist on ${target.host}, and ${user} may not create databases. Create it (CREATE DATABASE "${name}";) or grant CREATEDB, then start again.`,
      );
    }
    throw new ControlDatabaseMissingError(`The control database '${name}' does not exist on ${target.host}, and creating it failed: ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
