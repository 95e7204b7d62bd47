/**
 * Where a DACPAC comes from, and fetching it to a local file. Two sources, as the content
 * definition allows:
 *   - an https URI with a SAS token (`...?sv=...&sig=...`): fetched with the token it carries;
 *   - a blob of the app's own storage account, no token: fetched with the managed identity.
 * Any other URI is refused before a byte is sent: giving the app's storage token to a host
 * named by whoever wrote the content would hand that token away. Plain http is accepted only
 * for a loopback host (Azurite on a laptop).
 */
import type { TokenCredential } from '@azure/core-auth';
import { BlobClient, type StorageSharedKeyCredential } from '@azure/storage-blob';
import { PermanentTargetError, TransientTargetError } from '../targets/errors';

export interface DacpacStorageOptions {
  /** For blobs of the app's storage; DefaultAzureCredential when not given (a shared key only in tests). */
  storageCredential?: TokenCredential | StorageSharedKeyCredential;
  /**
   * Blob endpoint of the app's storage, e.g. `https://<account>.blob.core.windows.net/`; by
   * default from AzureWebJobsStorage__accountName. Azurite's is `http://127.0.0.1:<port>/devstoreaccount1/`.
   */
  appBlobEndpoint?: string;
}

export type DacpacSource = { kind: 'sas'; url: URL } | { kind: 'appStorage'; url: URL };

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The URI without its query: what a message may show (a SAS token is a secret). */
export function describeDacpacUri(uri: string): string {
  try {
    const u = new URL(uri);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(not a URI)';
  }
}

export function appBlobEndpointOf(storageAccountName: string | undefined): string | undefined {
  return storageAccountName ? `https://${storageAccountName}.blob.core.windows.net/` : undefined;
}

export function classifyDacpacUri(uri: string, appBlobEndpoint: string | undefined): DacpacSource {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new PermanentTargetError('The DACPAC URI is not a valid URI.');
  }
  const shown = describeDacpacUri(uri);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw new PermanentTargetError(`The DACPAC URI ${shown} must use https.`);
  }
  if (url.username || url.password) throw new PermanentTargetError(`The DACPAC URI ${shown} must not carry a user name or password.`);
  if (url.searchParams.has('sig')) return { kind: 'sas', url };
  const base = appBlobEndpoint ? new URL(appBlobEndpoint) : undefined;
  const basePath = base ? base.pathname.replace(/\/?$/, '/') : undefined;
  if (base && url.origin === base.origin && url.pathname.startsWith(basePath!) && url.pathname.length > basePath!.length) {
    return { kind: 'appStorage', url };
  }
  throw new PermanentTargetError(
    `The DACPAC URI ${shown} has no SAS token and is not a blob of the app's storage account${base ? ` (${base.origin}${basePath})` : ''}: add a SAS token with read permission, or copy the DACPAC into the app's storage.`,
  );
}

function defaultCredential(): TokenCredential {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { DefaultAzureCredential } = require('@azure/identity') as typeof import('@azure/identity');
  return new DefaultAzureCredential();
}

function isRetryableStatus(status: number | undefined): boolean {
  return status === undefined || status === 408 || status === 429 || status >= 500;
}

/** Downloads the DACPAC to `file`. Errors name the URI without its query and say whether a retry can help. */
export async function downloadDacpac(source: DacpacSource, file: string, signal: AbortSignal, options: DacpacStorageOptions = {}): Promise<number> {
  const href = source.url.toString();
  const client =
    source.kind === 'sas'
      ? new BlobClient(href, undefined, { retryOptions: { maxTries: 3 } })
      : new BlobClient(href, options.storageCredential ?? defaultCredential(), { retryOptions: { maxTries: 3 } });
  try {
    const response = await client.downloadToFile(file, 0, undefined, { abortSignal: signal });
    return response.contentLength ?? 0;
  } catch (e) {
    if (signal.aborted) throw e;
    const status = (e as { statusCode?: number }).statusCode;
    const shown = describeDacpacUri(href);
    const what = status === undefined ? 'no response' : `HTTP ${status}`;
    if (isRetryableStatus(status)) throw new TransientTargetError(`The DACPAC at ${shown} could not be downloaded (${what}).`);
    throw new PermanentTargetError(`The DACPAC at ${shown} could not be downloaded (${what}${status === 403 ? ': is the SAS token expired, or does the identity lack Storage Blob Data Reader?' : status === 404 ? ': no such blob' : ''}).`);
  }
}
