/**
 * A DACPAC content is applied by sqlpackage (src/dacpac). Without SQLPACKAGE_PATH, or on an
 * engine other than SQL Server, the attempt fails, not retryably, with a message that says so:
 * a DACPAC is never reported as applied when it was not.
 */
import { contentStore } from '../control/stores/contentStore';
import { applyDacpac } from '../dacpac';
import { dacpacQuerySecretName, joinDacpacUri } from '../domain/dacpacUriQuery';
import type { Content } from '../domain/schemas/content';
import type { TargetDatabase } from '../domain/schemas/target';
import type { Services } from '../services';
import type { ConnectionCredential } from '../targets/driver';

export interface DacpacRequest {
  /** The content version to apply; its URI's query (SAS token) is read and unprotected here, for the download only. */
  content: Pick<Content, 'name' | 'version'>;
  database: TargetDatabase;
  credential: ConnectionCredential;
  signal: AbortSignal;
  timeoutMs: number | null;
}

/**
 * The full URI, SAS token included, of one DACPAC version: unprotected at fetch time only and
 * handed straight to the download. Throws SecretUnreadableError / SecretStoreUnavailableError
 * as a credential's password would.
 */
export async function dacpacUriForFetch(services: Services, content: Pick<Content, 'name' | 'version'>): Promise<string> {
  const stored = await contentStore(services.control).dacpacSourceOf(content.name, content.version);
  const query = stored.dacpacQuerySecret === null ? null : await services.protector.unprotect(dacpacQuerySecretName(content.name), stored.dacpacQuerySecret);
  return joinDacpacUri(stored.dacpacUri, query);
}

/** sqlpackage's last output lines. */
export async function applyDacpacContent(services: Services, request: DacpacRequest): Promise<string[]> {
  const { content, ...rest } = request;
  const { messages } = await applyDacpac({ ...rest, dacpacUri: await dacpacUriForFetch(services, content), config: services.config });
  return messages;
}
