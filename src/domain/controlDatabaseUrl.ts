/**
 * The `CONTROL_DB` setting read as text, with no driver: which dialect it names and how to show
 * it without its password. Pure, so src/config.ts can check the setting at start-up and
 * src/control/connection.ts can open it, neither importing the other.
 *   sqlite:<file>                 embedded default (better-sqlite3)
 *   postgres://user@host:port/db  PostgreSQL (postgresql:// too)
 *   mssql://server[:port]/db?...  SQL Server / Azure SQL (sqlserver:// too)
 */

export type ControlDialect = 'sqlite' | 'postgres' | 'mssql';

/** The dialect a `CONTROL_DB` value names. Throws an Error naming the setting (password redacted) for any other scheme. */
export function controlDialectOf(url: string): ControlDialect {
  if (url.startsWith('sqlite:')) return 'sqlite';
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return 'postgres';
  if (url.startsWith('mssql://') || url.startsWith('sqlserver://')) return 'mssql';
  throw new Error(`CONTROL_DB must start with sqlite:, postgres:// or mssql:// (got '${redactUrl(url)}')`);
}

/** The URL with any password replaced by `***`, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}
