/**
 * Passwords kept in Azure Key Vault (`SECRETS_PROVIDER=keyvault`): `protect` writes the password
 * as a new version of the credential's secret and returns only a reference to that version,
 * `kv:<secret name>/<version>`, which is all the control database ever holds. A rotation writes
 * another version; older references stay readable, so an attempt that already read its
 * reference is not disturbed. The app reaches the vault with its managed identity
 * (DefaultAzureCredential; AZURE_CLIENT_ID picks the user-assigned identity).
 *
 * A Key Vault call that fails throws SecretStoreUnavailableError (a retry of the attempt may well
 * succeed once the vault answers) and never falls back to anything else: no plain text, ever.
 * Messages name the credential and the HTTP status, never a value.
 */
import crypto from 'node:crypto';
import type { TokenCredential } from '@azure/core-auth';
import { SecretClient, type SecretClientOptions } from '@azure/keyvault-secrets';
import { SecretStoreUnavailableError, SecretUnreadableError } from './errors';
import type { PasswordProtector } from './passwordProtector';

export interface KeyVaultProtectorOptions {
  /** `https://<vault>.vault.azure.net/` (KEY_VAULT_URL). */
  vaultUrl: string;
  /** DefaultAzureCredential when not given (tests pass their own). */
  credential?: TokenCredential;
  clientOptions?: SecretClientOptions;
}

const PREFIX = 'ej-cred-';
// Key Vault secret names: 1-127 of letters, digits and dashes.
const MAX_SECRET_NAME = 127;
const REFERENCE = /^kv:([0-9A-Za-z-]{1,127})\/([0-9A-Za-z]{1,64})$/;

/**
 * The secret that holds a credential's password. Credential names allow spaces, `_` and `.`,
 * and are longer than the vault allows: those are replaced and a hash of the real name appended,
 * so two credentials never share a secret by accident.
 */
export function secretNameFor(credentialName: string): string {
  const plain = `${PREFIX}${credentialName}`;
  if (/^[0-9A-Za-z-]+$/.test(credentialName) && plain.length <= MAX_SECRET_NAME) return plain;
  const hash = crypto.createHash('sha256').update(credentialName, 'utf8').digest('hex').slice(0, 12);
  const readable = credentialName.replace(/[^0-9A-Za-z-]/g, '-').slice(0, MAX_SECRET_NAME - PREFIX.length - hash.length - 1);
  return `${PREFIX}${readable}-${hash}`;
}

export function secretReference(name: string, version: string): string {
  return `kv:${name}/${version}`;
}

export function parseSecretReference(stored: string): { name: string; version: string } | undefined {
  const match = REFERENCE.exec(stored);
  return match ? { name: match[1], version: match[2] } : undefined;
}

/** Status and service error code only: an SDK error carries the request, and the request carries the value. */
function describeFailure(error: unknown): string {
  const e = error as { statusCode?: unknown; code?: unknown; name?: unknown };
  const parts: string[] = [];
  if (typeof e?.statusCode === 'number') parts.push(`HTTP ${e.statusCode}`);
  if (typeof e?.code === 'string' && /^[A-Za-z_]+$/.test(e.code)) parts.push(e.code);
  if (parts.length === 0) parts.push(typeof e?.name === 'string' && /^[A-Za-z]+$/.test(e.name) ? e.name : 'no response');
  return parts.join(' ');
}

function defaultCredential(): TokenCredential {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { DefaultAzureCredential } = require('@azure/identity') as typeof import('@azure/identity');
  return new DefaultAzureCredential();
}

export function createKeyVaultProtector(options: KeyVaultProtectorOptions): PasswordProtector {
  let client: SecretClient | undefined;
  // Built on first use: composing services must not need a token, and a local host never calls it.
  const vault = () =>
    (client ??= new SecretClient(options.vaultUrl, options.credential ?? defaultCredential(), {
      // The attempt has its own retries with backoff; the SDK's only cover a blip.
      retryOptions: { maxRetries: 2 },
      ...options.clientOptions,
    }));

  return {
    async protect(credentialName, password) {
      const name = secretNameFor(credentialName);
      let version: string | undefined;
      try {
        const secret = await vault().setSecret(name, password, { contentType: 'password', tags: { credential: credentialName.slice(0, 256) } });
        version = secret.properties.version;
      } catch (e) {
        throw new SecretStoreUnavailableError(`Key Vault did not store the password of credential '${credentialName}' (${describeFailure(e)}).`);
      }
      if (!version) throw new SecretStoreUnavailableError(`Key Vault stored the password of credential '${credentialName}' but returned no version.`);
      return secretReference(name, version);
    },

    async unprotect(credentialName, stored) {
      const reference = parseSecretReference(stored);
      if (!reference) {
        throw new SecretUnreadableError(
          `The stored password of credential '${credentialName}' is not a Key Vault reference (was it written with another SECRETS_PROVIDER?).`,
        );
      }
      // A reference copied onto another credential (someone with write access to the control
      // database) must not make this credential send that other password.
      if (reference.name !== secretNameFor(credentialName)) {
        throw new SecretUnreadableError(`The stored password of credential '${credentialName}' refers to a secret of another credential.`);
      }
      let value: string | undefined;
      try {
        value = (await vault().getSecret(reference.name, { version: reference.version })).value;
      } catch (e) {
        // A version that is gone (secret deleted or purged) never comes back; anything else (throttling, an outage, a role assignment still propagating) may.
        if ((e as { statusCode?: unknown })?.statusCode === 404) {
          throw new SecretUnreadableError(`Key Vault has no such version of the password of credential '${credentialName}' (${describeFailure(e)}).`);
        }
        throw new SecretStoreUnavailableError(`Key Vault did not return the password of credential '${credentialName}' (${describeFailure(e)}).`);
      }
      if (value === undefined) throw new SecretStoreUnavailableError(`Key Vault returned no value for the password of credential '${credentialName}'.`);
      return value;
    },
  };
}
