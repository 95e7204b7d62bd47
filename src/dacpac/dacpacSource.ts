/**
 * Where a DACPAC comes from, and fetching it to a local file. Two sources, as the content
 * definition allows:
 *   - an https URI with a SAS token (`...?sv=...&sig=...`): fetched with the token it carries;
 *   - a blob of the app's own storage account, no token: fetched with the managed identity.
 * Any other URI is refused before a byte is sent: giving the app's storage token to a host
 * named by whoever wrote the content would hand that token away. Only hosts DACPAC_ALLOWED_HOSTS
 * lists are fetched from (src/domain/dacpacHosts: checked when the content is written and again
 * here), redirects are not followed, and a failed download says what kind of failure, never an
 * HTTP status or a network error: otherwise a task's message would tell a caller which ports of
 * the host's network answer. Plain http is accepted only for a loopback host (Azurite on a laptop).
 */
import type { TokenCredential } from '@azure/core-auth';
import { BlobClient, type StoragePipelineOptions, type StorageSharedKeyCredential } from '@azure/storage-blob';
import { dacpacUriRefusal, type DacpacHostPattern } from '../domain/dacpacHosts';
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

/**
 * How a DACPAC URI is fetched: with its own SAS token, or with the app's identity for a blob of
 * the app's storage. Throws PermanentTargetError for a URI not to be fetched at all (not a URI,
 * not https, a host `allowedHosts` does not list, no token outside the app's storage).
 */
export function classifyDacpacUri(uri: string, appBlobEndpoint: string | undefined, allowedHosts: readonly DacpacHostPattern[]): DacpacSource {
  const shown = describeDacpacUri(uri);
  const refusal = dacpacUriRefusal(uri, allowedHosts);
  if (refusal) throw new PermanentTargetError(`The DACPAC URI ${shown} ${refusal}.`);
  const url = new URL(uri);
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

/**
 * Downloads the DACPAC to `file`; returns its size in bytes. Errors name the URI without its
 * query and say whether a retry can help (TransientTargetError) or not (PermanentTargetError),
 * in words that do not tell "nothing listens" from "something answered 5xx".
 */
export async function downloadDacpac(source: DacpacSource, file: string, signal: AbortSignal, options: DacpacStorageOptions = {}): Promise<number> {
  const href = source.url.toString();
  // Not followed: a redirect would lead the request (and a bearer token) to a host the list never admitted.
  // core-rest-pipeline's redirectOptions; StoragePipelineOptions passes it through but does not declare it.
  const pipeline: StoragePipelineOptions & { redirectOptions: { maxRetries: number } } = { retryOptions: { maxTries: 3 }, redirectOptions: { maxRetries: 0 } };
  const client = source.kind === 'sas' ? new BlobClient(href, undefined, pipeline) : new BlobClient(href, options.storageCredential ?? defaultCredential(), pipeline);
  try {
    const response = await client.downloadToFile(file, 0, undefined, { abortSignal: signal });
    return response.contentLength ?? 0;
  } catch (e) {
    if (signal.aborted) throw e;
    const status = (e as { statusCode?: number }).statusCode;
    const shown = describeDacpacUri(href);
    if (isRetryableStatus(status)) throw new TransientTargetError(`The DACPAC at ${shown} could not be downloaded: the storage did not answer or was busy (a later attempt may succeed).`);
    throw new PermanentTargetError(
      `The DACPAC at ${shown} could not be downloaded: the storage refused it (no such blob, an expired SAS token, or an identity without Storage Blob Data Reader).`,
    );
  }
}
