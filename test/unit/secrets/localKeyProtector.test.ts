import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLocalKeyProtector, loadOrCreateKeyFile, parseMasterKey } from '../../../src/secrets/localKeyProtector';

describe('local key password protector', () => {
  const protector = createLocalKeyProtector(crypto.randomBytes(32));

  it('round-trips a password and never stores it in clear', async () => {
    const stored = await protector.protect('jobuser', 'pässwörd-123');
    expect(stored).not.toContain('pässwörd');
    expect(stored.startsWith('v1:')).toBe(true);
    expect(await protector.unprotect('jobuser', stored)).toBe('pässwörd-123');
  });

  it('uses a fresh IV every time', async () => {
    expect(await protector.protect('a', 'same')).not.toBe(await protector.protect('a', 'same'));
  });

  it('refuses a ciphertext moved to another credential or tampered with', async () => {
    const stored = await protector.protect('a', 'secret');
    await expect(protector.unprotect('b', stored)).rejects.toThrow("credential 'b' cannot be decrypted");
    const [v, iv, tag, ct] = stored.split(':');
    const flipped = Buffer.from(ct, 'base64url');
    flipped[0] ^= 1;
    await expect(protector.unprotect('a', [v, iv, tag, flipped.toString('base64url')].join(':'))).rejects.toThrow('cannot be decrypted');
  });

  it('refuses to decrypt under another key, without echoing the secret', async () => {
    const other = createLocalKeyProtector(crypto.randomBytes(32));
    const stored = await protector.protect('a', 'top-secret');
    await expect(other.unprotect('a', stored)).rejects.toThrow(/^(?!.*top-secret)/);
  });

  it('creates the key file once with mode 0600 and reads it back', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ej-key-')), 'nested', 'master.key');
    const first = loadOrCreateKeyFile(file);
    expect(first).toHaveLength(32);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(loadOrCreateKeyFile(file).equals(first)).toBe(true);
  });

  it('accepts 32-byte keys as hex or base64 and refuses others', () => {
    const key = crypto.randomBytes(32);
    expect(parseMasterKey(key.toString('hex')).equals(key)).toBe(true);
    expect(parseMasterKey(key.toString('base64')).equals(key)).toBe(true);
    expect(() => parseMasterKey('abcd')).toThrow('32 bytes');
  });
});
