/**
 * How the SQL Server driver logs in: SQL authentication with the credential's username and
 * password, or Entra (managed identity) through tedious' `azure-active-directory-default`,
 * which uses @azure/identity's DefaultAzureCredential (a user-assigned identity is named by
 * AZURE_CLIENT_ID, or by a credential whose username is the identity's client id). Connections
 * are encrypted and the certificate verified unless the settings say otherwise.
 */
import crypto from 'node:crypto';
import type { config as MssqlConfig } from 'mssql';
import type { ConnectionCredential, DatabaseRef } from './driver';
import { DEFAULT_PORTS, parseServerName, type ServerAddress } from '../domain/serverAddress';
import { admittedAddress, checkBrowserPort } from './connectScope';
import { PermanentTargetError } from './errors';
import { requireTlsBeforeLogin } from './tediousTls';

/**
 * SQLSERVER_ENCRYPT: `strict` is TDS 8 (TLS before any TDS byte, SQL Server 2022 and Azure SQL);
 * `true` requires TLS negotiated in PRELOGIN (a server that does not agree gets no LOGIN7, see
 * src/targets/tediousTls.ts); `false` sends the login unencrypted unless the server demands
 * TLS (local test servers only).
 */
export type SqlServerEncrypt = boolean | 'strict';

export interface SqlServerSettings {
  encrypt: SqlServerEncrypt;
  trustServerCertificate: boolean;
  connectTimeoutMs?: number;
  /** Connections per pool: Durable runs up to 10 activities at once per instance. */
  poolMax?: number;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The mssql pool configuration for a database. A named instance connects to `browserPort`, the
 * port its SQL Browser gave (see `connectableSqlServerConfig`): tedious is never left to ask
 * the Browser itself, so the port is judged before a login is sent.
 * @throws PermanentTargetError for a name the parser refuses, SQL authentication without a
 * password, or a named instance without a port and no `browserPort`.
 */
export function sqlServerPoolConfig(
  database: Pick<DatabaseRef, 'serverName' | 'databaseName'>,
  credential: ConnectionCredential,
  settings: SqlServerSettings,
  browserPort?: number,
): MssqlConfig {
  const address = addressOf(database.serverName);
  const port = address.port ?? (address.instance === null ? DEFAULT_PORTS.sqlserver : browserPort);
  if (port === undefined) throw new PermanentTargetError(`Server '${database.serverName}' names an instance whose port the SQL Browser has not given.`);
  requireTlsBeforeLogin();
  const base: MssqlConfig = {
    server: address.host,
    port,
    database: database.databaseName,
    connectionTimeout: settings.connectTimeoutMs ?? 15_000,
    // The driver bounds each request itself (task timeout, cancel); tedious' own timeout would cut long scripts.
    requestTimeout: 0,
    // No arrayRowMode here: each request sets its own row shape (sqlServerRequests.ts).
    options: {
      encrypt: settings.encrypt,
      trustServerCertificate: settings.trustServerCertificate,
      appName: 'elastic-jobs',
    },
    pool: { min: 0, max: settings.poolMax ?? 10, idleTimeoutMillis: 30_000 },
  };
  if (credential.authentication === 'managedIdentity') {
    return {
      ...base,
      authentication: { type: 'azure-active-directory-default', options: GUID.test(credential.username) ? { clientId: credential.username } : {} },
    };
  }
  if (credential.password === undefined) throw new PermanentTargetError(`Credential for user '${credential.username}' has no password for SQL authentication.`);
  return { ...base, user: credential.username, password: credential.password };
}

function addressOf(serverName: string): ServerAddress {
  try {
    return parseServerName('sqlserver', serverName);
  } catch (e) {
    throw new PermanentTargetError((e as Error).message);
  }
}

/**
 * The pool configuration, after the credential's allowedServers admitted the address: the host
 * and instance first (nothing is sent anywhere, not even a Browser query, for an instance the
 * patterns do not name), then for a named instance without a port the port the SQL Browser
 * (UDP 1434 on the host) gives, before any login goes there.
 * @throws PermanentTargetError when refused; the Browser's failure as tedious reports it.
 */
export async function connectableSqlServerConfig(
  database: Pick<DatabaseRef, 'serverName' | 'databaseName'>,
  credential: ConnectionCredential,
  settings: SqlServerSettings,
): Promise<MssqlConfig> {
  const endpoint = await admittedSqlServerEndpoint(database.serverName, credential, settings.connectTimeoutMs ?? 15_000);
  return sqlServerPoolConfig(database, credential, settings, endpoint.browserPort);
}

/**
 * The TCP endpoint a SQL Server name reaches, once the credential's allowedServers admit it:
 * host and instance first, then for a named instance without a port the port its SQL Browser
 * gives (`browserPort`). Every client of this process that logs in to a SQL Server (the driver,
 * sqlpackage) connects to this endpoint, never to the name as written.
 * @throws PermanentTargetError when refused; the Browser's failure as tedious reports it.
 */
export async function admittedSqlServerEndpoint(
  serverName: string,
  credential: ConnectionCredential,
  timeoutMs: number,
): Promise<{ host: string; port: number; browserPort?: number }> {
  const address = admittedAddress('sqlserver', serverName, credential);
  if (address.port !== null || address.instance === null) return { host: address.host, port: address.port ?? DEFAULT_PORTS.sqlserver };
  // tedious' own lookup (what it does when given instanceName), called here so its answer is judged first.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { instanceLookup } = require('tedious/lib/instance-lookup') as typeof import('tedious/lib/instance-lookup');
  const port = await instanceLookup({ server: address.host, instanceName: address.instance, signal: AbortSignal.timeout(timeoutMs) });
  checkBrowserPort(serverName, address, credential, port);
  return { host: address.host, port, browserPort: port };
}

/**
 * One pool per server, database, login and scope: a changed password or changed allowedServers
 * make a new pool, whose address is judged again (the key holds digests, never the password).
 */
export function sqlServerPoolKey(database: Pick<DatabaseRef, 'serverName' | 'databaseName'>, credential: ConnectionCredential): string {
  const digest = (text: string) => crypto.createHash('sha256').update(text).digest('hex').slice(0, 16);
  const server = (() => {
    try {
      return JSON.stringify(parseServerName('sqlserver', database.serverName));
    } catch {
      return `unparsed:${database.serverName}`; // refused when the pool is made
    }
  })();
  const scope = credential.allowedServers === undefined ? '' : digest(JSON.stringify(credential.allowedServers));
  return [server, database.databaseName, credential.authentication, credential.username, digest(credential.password ?? ''), scope].join('|');
}
