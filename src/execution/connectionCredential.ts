/**
 * A credential made ready for one connection: the password unprotected (local key or Key
 * Vault) only now, with the server patterns it may be sent to. The clear password lives in
 * memory for the time of the connection and goes nowhere else.
 */
import { credentialStore } from '../control/stores/credentialStore';
import type { Services } from '../services';
import type { ConnectionCredential } from '../targets/driver';

export interface ScopedCredential {
  name: string;
  credential: ConnectionCredential;
  allowedServers: string[];
}

export async function scopedCredential(services: Services, credentialName: string): Promise<ScopedCredential> {
  const secret = await credentialStore(services.control).secretOf(credentialName);
  const password = secret.passwordSecret === null ? undefined : await services.protector.unprotect(credentialName, secret.passwordSecret);
  return {
    name: credentialName,
    credential: { authentication: secret.authentication, username: secret.username, password, allowedServers: secret.allowedServers },
    allowedServers: secret.allowedServers,
  };
}

/** The server patterns of a credential, without touching its password. */
export async function allowedServersOf(services: Services, credentialName: string): Promise<string[]> {
  return (await credentialStore(services.control).secretOf(credentialName)).allowedServers;
}
