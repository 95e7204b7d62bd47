/**
 * AES-256-GCM under a local 32-byte key: the key from `ELASTIC_JOBS_MASTER_KEY` (base64 or hex),
 * or generated on first start into `<data dir>/master.key` with mode 0600. Stored form:
 * `v1:<iv>:<tag>:<ciphertext>` (base64url); the credential name is authenticated data, so a
 * ciphertext copied onto another credential does not decrypt.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SecretUnreadableError } from './errors';
import { PRIVATE_FILE_MODE, makePrivateFolder } from '../privateFiles';
import type { PasswordProtector } from './passwordProtector';

export function parseMasterKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) throw new Error('ELASTIC_JOBS_MASTER_KEY must be 32 bytes, as 64 hex characters or base64');
  return key;
}

/** Reads the key file, creating it (0600) when missing. */
export function loadOrCreateKeyFile(file: string): Buffer {
  if (fs.existsSync(file)) return parseMasterKey(fs.readFileSync(file, 'utf8'));
  makePrivateFolder(path.dirname(file));
  const key = crypto.randomBytes(32);
  try {
    fs.writeFileSync(file, key.toString('base64') + '\n', { mode: PRIVATE_FILE_MODE, flag: 'wx' });
  } catch (e) {
    // Another process created it first: use theirs.
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return parseMasterKey(fs.readFileSync(file, 'utf8'));
    throw e;
  }
  return key;
}

export function createLocalKeyProtector(key: Buffer): PasswordProtector {
  return {
    async protect(credentialName, password) {
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(credentialName, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(password, 'utf8'), cipher.final()]);
      return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join(':');
    },
    async unprotect(credentialName, stored) {
      const [version, iv, tag, ciphertext] = stored.split(':');
      if (version !== 'v1' || !iv || !tag || ciphertext === undefined) throw new SecretUnreadableError(`The stored password of credential '${credentialName}' is not in a known format.`);
      const decipher = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(credentialName, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      try {
        return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretUnreadableError(`The stored password of credential '${credentialName}' cannot be decrypted with this master key.`);
      }
    },
  };
}
