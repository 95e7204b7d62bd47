/**
 * How a credential's password is kept: `protect` turns it into what the control database stores
 * (ciphertext or a Key Vault reference), `unprotect` turns that back into the password, only
 * when a connection is about to be opened. Implementations: local AES-256-GCM key, Key Vault.
 */
export interface PasswordProtector {
  /** `credentialName` lets a vault name its secret; a rotation writes a new version. */
  protect(credentialName: string, password: string): Promise<string>;
  unprotect(credentialName: string, stored: string): Promise<string>;
}
