/**
 * Applies a DACPAC content to one SQL Server database, for the attempt activity: download it to
 * a private temp folder, run `sqlpackage /Action:Publish` against the target, remove the files.
 * Without SQLPACKAGE_PATH the attempt fails with a message saying so: a DACPAC is never reported
 * as applied when it was not. Cancel and taskTimeout stop the download or the sqlpackage process.
 *
 * sqlpackage is not in the Functions images; see docs/azure.md for the Elastic Premium custom
 * image that carries it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TokenCredential } from '@azure/core-auth';
import type { DacpacHostPattern } from '../domain/dacpacHosts';
import type { ConnectionCredential, DatabaseRef } from '../targets/driver';
import { PermanentTargetError, TaskCanceledError, TaskTimeoutError, TargetError, TransientTargetError } from '../targets/errors';
import { admittedSqlServerEndpoint, type SqlServerSettings } from '../targets/sqlServerConnection';
import { appBlobEndpointOf, classifyDacpacUri, downloadDacpac, type DacpacStorageOptions } from './dacpacSource';
import { publishDacpac, type PublishOptions } from './sqlpackage';

export const SQLPACKAGE_MISSING = 'DACPAC contents need sqlpackage: set SQLPACKAGE_PATH (see docs/azure.md)';

const SQL_SCOPE = 'https://database.windows.net/.default';

/** What applying a DACPAC takes of the configuration: src/config.ts's Config has these shapes and is handed down whole (this layer does not import it). */
export interface DacpacSettings {
  /** SQLPACKAGE_PATH; without it every DACPAC attempt fails with SQLPACKAGE_MISSING. */
  sqlpackagePath?: string;
  /** The app's own storage account, whose blobs are read with the managed identity. */
  storageAccountName?: string;
  /** DACPAC_ALLOWED_HOSTS, parsed. */
  dacpacAllowedHosts: DacpacHostPattern[];
  sqlServer: Pick<SqlServerSettings, 'encrypt' | 'trustServerCertificate'>;
}

export interface ApplyDacpacInput {
  dacpacUri: string;
  database: DatabaseRef;
  /** The job credential, password in clear for the time of this call. */
  credential: ConnectionCredential;
  config: DacpacSettings;
  /** Aborted on cancel. */
  signal: AbortSignal;
  /** taskTimeout (or what is left before the job's deadline), for download and publish together. */
  timeoutMs?: number | null;
  /** Azure identities; DefaultAzureCredential (the app's managed identity) where not given. */
  azure?: DacpacStorageOptions & { sqlTokenCredential?: TokenCredential };
}

export interface ApplyDacpacResult {
  /** sqlpackage's output lines (the last ones), for the task execution's record. */
  messages: string[];
}

function defaultCredential(): TokenCredential {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { DefaultAzureCredential } = require('@azure/identity') as typeof import('@azure/identity');
  return new DefaultAzureCredential();
}

async function authFor(credential: ConnectionCredential, tokenCredential: TokenCredential | undefined, signal: AbortSignal): Promise<PublishOptions['auth']> {
  if (credential.authentication === 'managedIdentity') {
    let token: string | undefined;
    try {
      token = (await (tokenCredential ?? defaultCredential()).getToken(SQL_SCOPE, { abortSignal: signal }))?.token;
    } catch (e) {
      if (signal.aborted) throw e;
      throw new TransientTargetError('No Entra access token for Azure SQL could be obtained for the managed identity.');
    }
    if (!token) throw new TransientTargetError('No Entra access token for Azure SQL could be obtained for the managed identity.');
    return { accessToken: token };
  }
  if (!credential.password) throw new PermanentTargetError('The credential has no password for sqlpackage.');
  return { user: credential.username, password: credential.password };
}

export async function applyDacpac(input: ApplyDacpacInput): Promise<ApplyDacpacResult> {
  const { config, database, signal, timeoutMs } = input;
  if (database.engine !== 'sqlserver') {
    throw new PermanentTargetError(`A DACPAC applies to SQL Server databases only; '${database.databaseName}' is a ${database.engine} database.`);
  }
  if (!config.sqlpackagePath) throw new PermanentTargetError(SQLPACKAGE_MISSING);
  if (signal.aborted) throw new TaskCanceledError('The execution was canceled before the DACPAC was applied.');
  // Refused before anything is fetched or started.
  const source = classifyDacpacUri(input.dacpacUri, input.azure?.appBlobEndpoint ?? appBlobEndpointOf(config.storageAccountName), config.dacpacAllowedHosts);

  let stopped: 'canceled' | 'timeout' | undefined;
  const stop = new AbortController();
  const onCancel = () => {
    stopped ??= 'canceled';
    stop.abort(new TaskCanceledError('The execution was canceled.'));
  };
  signal.addEventListener('abort', onCancel, { once: true });
  const timer =
    timeoutMs === undefined || timeoutMs === null
      ? undefined
      : setTimeout(() => {
          stopped ??= 'timeout';
          stop.abort(new TaskTimeoutError('The attempt ran past its task timeout.'));
        }, Math.max(0, timeoutMs));

  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ej-dacpac-'));
  try {
    // sqlpackage (SqlClient) is given the admitted TCP endpoint, never the name as written: the credential's
    // allowedServers judged it here, a named instance's Browser port included, and SqlClient reads `tcp:host,port` one way only.
    const endpoint = await admittedSqlServerEndpoint(database.serverName, input.credential, 15_000);
    const sourceFile = path.join(workDir, 'content.dacpac');
    await downloadDacpac(source, sourceFile, stop.signal, input.azure);
    const auth = await authFor(input.credential, input.azure?.sqlTokenCredential, stop.signal);
    return await publishDacpac({
      sqlpackagePath: config.sqlpackagePath,
      sourceFile,
      serverName: `tcp:${endpoint.host},${endpoint.port}`,
      databaseName: database.databaseName,
      auth,
      encrypt: config.sqlServer.encrypt,
      trustServerCertificate: config.sqlServer.trustServerCertificate,
      workDir,
      signal: stop.signal,
    });
  } catch (e) {
    if (stopped === 'canceled') throw new TaskCanceledError('The execution was canceled; sqlpackage was stopped (the database may hold part of the deployment).');
    if (stopped === 'timeout') {
      throw new TaskTimeoutError(`The attempt ran past its task timeout (${timeoutMs} ms); sqlpackage was stopped (the database may hold part of the deployment).`);
    }
    if (e instanceof TargetError) throw e;
    throw new TransientTargetError(`The DACPAC could not be applied (${e instanceof Error ? e.name : 'unknown error'}).`);
  } finally {
    if (timer) clearTimeout(timer);
    signal.removeEventListener('abort', onCancel);
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}
