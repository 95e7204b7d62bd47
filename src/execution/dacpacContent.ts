/**
 * A DACPAC content is applied by sqlpackage (src/dacpac). Without SQLPACKAGE_PATH, or on an
 * engine other than SQL Server, the attempt fails, not retryably, with a message that says so:
 * a DACPAC is never reported as applied when it was not.
 */
import { applyDacpac } from '../dacpac';
import type { TargetDatabase } from '../domain/schemas/target';
import type { Services } from '../services';
import type { ConnectionCredential } from '../targets/driver';

export interface DacpacRequest {
  dacpacUri: string;
  database: TargetDatabase;
  credential: ConnectionCredential;
  signal: AbortSignal;
  timeoutMs: number | null;
}

/** sqlpackage's last output lines. */
export async function applyDacpacContent(services: Services, request: DacpacRequest): Promise<string[]> {
  const { messages } = await applyDacpac({ ...request, config: services.config });
  return messages;
}
