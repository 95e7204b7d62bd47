import { createKeyVaultProtector, parseSecretReference, secretNameFor } from '../../../src/secrets/keyVaultProtector';
import type { PasswordProtector } from '../../../src/secrets/passwordProtector';
import { SecretStoreUnavailableError, SecretUnreadableError } from '../../../src/secrets/errors';
import { createApiHarness, type ApiHarness } from '../../support/apiHarness';
import { CONTROL_DIALECTS } from '../../support/controlDatabases';
import { startKeyVaultStandIn, type KeyVaultStandIn } from './keyVaultStandIn';

const PASSWORD = 'Kv-S3cret-Passw0rd!-never-stored-in-clear';

let vault: KeyVaultStandIn;
let protector: PasswordProtector;

beforeAll(async () => {
  vault = await startKeyVaultStandIn();
  protector = createKeyVaultProtector({ vaultUrl: vault.vaultUrl, credential: vault.credential, clientOptions: vault.clientOptions });
});
afterAll(async () => vault.close());
afterEach(() => vault.recover());

async function thrown(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('Key Vault protector against the HTTPS stand-in', () => {
  it('stores the password as a secret version and returns only a reference to it', async () => {
    const stored = await protector.protect('jobuser', PASSWORD);
    expect(stored).toMatch(/^kv:ej-cred-jobuser\/[0-9a-f]{32}$/);
    expect(stored).not.toContain(PASSWORD);
    const { name, version } = parseSecretReference(stored)!;
    expect(vault.secrets.get(name)?.get(version)).toBe(PASSWORD);
    expect(await protector.unprotect('jobuser', stored)).toBe(PASSWORD);
  });

  it('goes through the bearer challenge: first unauthenticated, then with a token for the vault resource', () => {
    expect(vault.requests[0]).toMatchObject({ method: 'PUT', authorized: false, status: 401 });
    expect(vault.requests.slice(1).every((r) => r.authorized)).toBe(true);
    expect(vault.credential.scopes).toContain('https://vault.azure.net/.default');
  });

  it('writes a new version on rotation and keeps the old reference readable', async () => {
    const first = await protector.protect('rotating', 'first-' + PASSWORD);
    const second = await protector.protect('rotating', 'second-' + PASSWORD);
    expect(parseSecretReference(first)!.name).toBe(parseSecretReference(second)!.name);
    expect(first).not.toBe(second);
    expect(await protector.unprotect('rotating', first)).toBe('first-' + PASSWORD);
    expect(await protector.unprotect('rotating', second)).toBe('second-' + PASSWORD);
  });

  it('names secrets the vault accepts from any credential name, without two names sharing one', async () => {
    const names = ['nightly job.user_1', 'nightly-job-user-1', 'n'.repeat(128), 'n'.repeat(127) + 'm'];
    const secretNames = names.map(secretNameFor);
    for (const s of secretNames) expect(s).toMatch(/^ej-cred-[0-9A-Za-z-]{1,119}$/);
    expect(new Set(secretNames).size).toBe(names.length);
    for (const n of names) expect(await protector.unprotect(n, await protector.protect(n, PASSWORD))).toBe(PASSWORD);
  });

  it('fails a store on a 5xx as transient, after the client\'s few retries, with no password in the message', async () => {
    vault.failWith(503);
    const before = vault.requests.length;
    const error = await thrown(protector.protect('failing', PASSWORD));
    expect(error).toBeInstanceOf(SecretStoreUnavailableError);
    expect((error as SecretStoreUnavailableError).retryable).toBe(true);
    expect(error.message).toContain("credential 'failing'");
    expect(error.message).toContain('503');
    expect(error.message).not.toContain(PASSWORD);
    expect(JSON.stringify(error)).not.toContain(PASSWORD);
    expect(vault.requests.slice(before).filter((r) => r.status === 503)).toHaveLength(3);
    expect(vault.secrets.has(secretNameFor('failing'))).toBe(false);
  });

  it('fails a read on a 5xx as transient', async () => {
    const stored = await protector.protect('reading', PASSWORD);
    vault.failWith(500);
    const error = await thrown(protector.unprotect('reading', stored));
    expect(error).toBeInstanceOf(SecretStoreUnavailableError);
    expect((error as SecretStoreUnavailableError).retryable).toBe(true);
    expect(error.message).not.toContain(PASSWORD);
  });

  it('refuses a reference copied from another credential and a value written by another provider', async () => {
    const other = await protector.protect('other', PASSWORD);
    expect(await thrown(protector.unprotect('mine', other))).toBeInstanceOf(SecretUnreadableError);
    expect(await thrown(protector.unprotect('mine', 'v1:aXY:dGFn:Y2lwaGVy'))).toBeInstanceOf(SecretUnreadableError);
    expect(await thrown(protector.unprotect('mine', PASSWORD))).toBeInstanceOf(SecretUnreadableError);
  });
});

describe.each(CONTROL_DIALECTS)('credentials API with the Key Vault protector on %s', (dialect) => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await createApiHarness(dialect, { protector });
  });
  afterAll(async () => api.close());

  const row = (name: string) => api.services.control.db.selectFrom('credentials').selectAll().where('name', '=', name).executeTakeFirst();

  it('keeps only the Key Vault reference in the control database', async () => {
    const created = await api.call('POST', 'credentials', { body: { name: 'kvuser', username: 'job_runner', password: PASSWORD, allowedServers: ['*.database.windows.net'] } });
    expect(created.status).toBe(201);
    const stored = (await row('kvuser'))!;
    expect(stored.passwordSecret).toMatch(/^kv:ej-cred-kvuser\/[0-9a-f]{32}$/);
    expect(JSON.stringify(stored)).not.toContain(PASSWORD);

    const rotated = await api.call('PUT', 'credentials/kvuser', { body: { password: 'rotated-' + PASSWORD } });
    expect(rotated.status).toBe(200);
    const after = (await row('kvuser'))!;
    expect(after.passwordSecret).not.toBe(stored.passwordSecret);
    expect(await api.services.protector.unprotect('kvuser', after.passwordSecret!)).toBe('rotated-' + PASSWORD);
    expect(api.logs.join('\n')).not.toContain(PASSWORD);
  });

  it('writes no credential at all when Key Vault fails, and never the password in clear', async () => {
    vault.failWith(503);
    const res = await api.call('POST', 'credentials', { body: { name: 'kvdown', username: 'job_runner', password: PASSWORD, allowedServers: ['*'] } });
    expect(res.status).toBe(503);
    expect(res.body.title).toBe('Service Unavailable');
    expect(res.text).not.toContain(PASSWORD);
    expect(await row('kvdown')).toBeUndefined();
    const all = await api.services.control.db.selectFrom('credentials').selectAll().execute();
    expect(JSON.stringify(all)).not.toContain(PASSWORD);
    expect(api.logs.join('\n')).not.toContain(PASSWORD);
  });
});
