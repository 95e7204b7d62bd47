/**
 * The SQL Server the opt-in suite runs against (MSSQL_TEST_URL, in CONTROL_DB's mssql:// form),
 * and what the suite does on it directly: create and drop its own databases, and query them.
 */
import crypto from 'node:crypto';
import { ConnectionPool } from 'mssql';
import { parseMssqlUrl } from '../../src/control/connection';

export const settings = parseMssqlUrl(process.env.MSSQL_TEST_URL!);

/** `host,port`, as a target's serverName. */
export const serverName = `${settings.server},${settings.port}`;

/** This run's databases start with it, so parallel runs and leftovers never meet. */
export const RUN = `ejt_${crypto.randomBytes(3).toString('hex')}`;

/** The local host's settings for reaching this server as a target. */
export const hostEnv = {
  SQLSERVER_ENCRYPT: String(settings.encrypt),
  SQLSERVER_TRUST_SERVER_CERTIFICATE: String(settings.trustServerCertificate),
};

/** CONTROL_DB for a control database named `database` on this server. */
export function controlUrl(database: string): string {
  const u = new URL(process.env.MSSQL_TEST_URL!.replace(/^sqlserver:/, 'mssql:'));
  u.pathname = `/${database}`;
  return u.toString();
}

const pools = new Map<string, Promise<ConnectionPool>>();

/** A new pool of `max` connections to `database` on the server under test, connected; the caller closes it. */
export function openPool(database: string, max = 2): Promise<ConnectionPool> {
  return new ConnectionPool({
    server: settings.server,
    port: settings.port,
    database,
    user: settings.user,
    password: settings.password,
    options: { encrypt: settings.encrypt, trustServerCertificate: settings.trustServerCertificate },
    pool: { min: 0, max },
  }).connect();
}

function pool(database: string): Promise<ConnectionPool> {
  let p = pools.get(database);
  if (!p) {
    p = openPool(database);
    pools.set(database, p);
  }
  return p;
}

/** Rows of the first result set of `text` in `database` (objects by column name). */
export async function query<T = Record<string, unknown>>(database: string, text: string): Promise<T[]> {
  const request = (await pool(database)).request();
  return ((await request.batch(text)).recordset ?? []) as unknown as T[];
}

const created: string[] = [];

export async function createDatabases(names: string[]): Promise<void> {
  for (const name of names) {
    await query('master', `CREATE DATABASE [${name}]`);
    created.push(name);
  }
}

/** Drops every database this run created (its own pools first). */
export async function dropDatabases(): Promise<void> {
  for (const [database, p] of pools) {
    if (database !== 'master') await (await p).close().catch(() => undefined);
    pools.delete(database);
  }
  for (const name of created.splice(0)) {
    await query('master', `DROP DATABASE [${name}]`).catch((e: Error) => process.stderr.write(`could not drop ${name}: ${e.message}\n`));
  }
  for (const p of pools.values()) await (await p).close().catch(() => undefined);
  pools.clear();
}
