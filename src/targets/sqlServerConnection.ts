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
import { PermanentTargetError } from './errors';
import { DEFAULT_PORTS, parseServerAddress } from './serverAddress';

export interface SqlServerSettings {
  encrypt: boolean;
  trustServerCertificate: boolean;
  connectTimeoutMs?: number;
  /** Connections per pool: Durable runs up to 10 activities at once per instance. */
  poolMax?: number;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function sqlServerPoolConfig(database: Pick<DatabaseRef, 'serverName' | 'databaseName'>, credential: ConnectionCredential, settings: SqlServerSettings): MssqlConfig {
  const { host, port } = parseServerAddress(database.serverName, DEFAULT_PORTS.sqlserver);
  const base: MssqlConfig = {
    server: host,
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

/** One pool per server, database and login; a changed password makes a new pool (the key holds a digest, never the password). */
export function sqlServerPoolKey(database: Pick<DatabaseRef, 'serverName' | 'databaseName'>, credential: ConnectionCredential): string {
  const { host, port } = parseServerAddress(database.serverName, DEFAULT_PORTS.sqlserver);
  const secret = crypto.createHash('sha256').update(credential.password ?? '').digest('hex').slice(0, 16);
  return [host.toLowerCase(), port, database.databaseName, credential.authentication, credential.username, secret].join('|');
}
