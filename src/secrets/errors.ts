/**
 * What can go wrong reading or writing a credential's password, as kinds of the domain's
 * ElasticJobsError: the secret store did not answer (Key Vault throttled, down, or its token
 * not obtained yet: a later try may succeed), or what the control database holds cannot be
 * turned back into a password (another SECRETS_PROVIDER, another master key, a reference
 * copied from another credential: no retry changes it). Messages name the credential and at
 * most an HTTP status, never a value.
 */
import { ElasticJobsError } from '../domain/errors';

/** The secret store (Key Vault) did not answer or answered without the value; retrying may help. */
export class SecretStoreUnavailableError extends ElasticJobsError {
  readonly retryable = true;
}

/** The stored password cannot be read back with this host's secrets provider or key; permanent. */
export class SecretUnreadableError extends ElasticJobsError {
  readonly retryable = false;
}
