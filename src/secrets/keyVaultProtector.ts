/**
 * Placeholder until the Azure issue lands: the Key Vault protector. Selecting it fails loudly
 * rather than ever falling back to storing a password in plain text.
 */
import type { PasswordProtector } from './passwordProtector';

export function createKeyVaultProtector(_options: { vaultUrl: string }): PasswordProtector {
  throw new Error('SECRETS_PROVIDER=keyvault is not available in this build yet.');
}
