/**
 * DACPAC contents are applied by sqlpackage, which this host may not have. Without it the
 * attempt fails, not retryably, with a message that says what to set: a DACPAC is never
 * reported as applied when it was not.
 */
import type { TargetDatabase } from '../domain/schemas/target';
import type { Services } from '../services';
import type { ConnectionCredential } from '../targets/driver';
import { PermanentTargetError } from '../targets/errors';

export interface DacpacRequest {
  dacpacUri: string;
  database: TargetDatabase;
  credential: ConnectionCredential;
  signal: AbortSignal;
  timeoutMs: number | null;
}

export async function applyDacpacContent(_services: Services, _request: DacpacRequest): Promise<void> {
  throw new PermanentTargetError('DACPAC contents need sqlpackage (SQLPACKAGE_PATH); this host cannot apply them.');
}
