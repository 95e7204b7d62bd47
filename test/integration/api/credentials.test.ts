import { createApiHarness, type ApiHarness } from '../../support/apiHarness';
import { CONTROL_DIALECTS } from '../../support/controlDatabases';

const PASSWORD = 'S3cret-Passw0rd!-never-shown';

describe.each(CONTROL_DIALECTS)('credentials API on %s', (dialect) => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await createApiHarness(dialect);
  });
  afterAll(async () => api.close());

  const count = async () => Number((await api.services.control.db.selectFrom('credentials').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  it('creates, reads, rotates and deletes a credential without ever returning the password', async () => {
    const created = await api.call('POST', 'credentials', {
      body: { name: 'jobuser', username: 'job_runner', password: PASSWORD, allowedServers: ['*.database.windows.net'] },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'jobuser', username: 'job_runner', authentication: 'sql', allowedServers: ['*.database.windows.net'] });
    expect(created.body).not.toHaveProperty('password');

    const stored = await api.services.control.db.selectFrom('credentials').selectAll().where('name', '=', 'jobuser').executeTakeFirstOrThrow();
    expect(stored.passwordSecret).not.toContain(PASSWORD);
    expect(await api.services.protector.unprotect('jobuser', stored.passwordSecret!)).toBe(PASSWORD);

    const rotated = await api.call('PUT', 'credentials/jobuser', { body: { password: 'another-' + PASSWORD } });
    expect(rotated.status).toBe(200);
    const after = await api.services.control.db.selectFrom('credentials').selectAll().where('name', '=', 'jobuser').executeTakeFirstOrThrow();
    expect(after.passwordSecret).not.toBe(stored.passwordSecret);

    const list = await api.call('GET', 'credentials');
    expect(list.body.items.map((c: { name: string }) => c.name)).toContain('jobuser');
    expect((await api.call('DELETE', 'credentials/jobuser')).status).toBe(204);
    expect((await api.call('GET', 'credentials/jobuser')).status).toBe(404);
    expect(api.logs.join('\n')).not.toContain(PASSWORD);
  });

  it('refuses a duplicate name with 409 and writes nothing more', async () => {
    const body = { name: 'dup', username: 'u', password: PASSWORD, allowedServers: ['*'] };
    expect((await api.call('POST', 'credentials', { body })).status).toBe(201);
    const before = await count();
    const again = await api.call('POST', 'credentials', { body });
    expect(again.status).toBe(409);
    expect(again.headers['content-type']).toBe('application/problem+json');
    expect(await count()).toBe(before);
  });

  it('refuses to delete a credential a job uses, as its own or as its result destination\'s (409)', async () => {
    const ok = async (method: string, path: string, body?: unknown) => {
      const res = await api.call(method, path, body === undefined ? {} : { body });
      expect(res.status).toBeLessThan(300);
      return res.body;
    };
    await ok('POST', 'credentials', { name: 'runner', username: 'u', password: PASSWORD, allowedServers: ['*'] });
    await ok('POST', 'credentials', { name: 'writer', username: 'w', password: PASSWORD, allowedServers: ['*'] });
    await ok('POST', 'contents', { name: 'q', type: 'script', commandText: 'SELECT 1' });
    const target = await ok('POST', 'targets', { type: 'database', serverName: 'db.example', databaseName: 'd' });
    await ok('POST', 'jobs', {
      name: 'collect',
      contentName: 'q',
      credentialName: 'runner',
      targetId: target.id,
      resultSetDestination: { serverName: 'results.example', databaseName: 'r', schemaName: 'dbo', tableName: 't', credentialName: 'writer' },
    });
    const asJobCredential = await api.call('DELETE', 'credentials/runner');
    expect(asJobCredential.status).toBe(409);
    const asDestination = await api.call('DELETE', 'credentials/writer');
    expect(asDestination.status).toBe(409);
    expect(asDestination.body.detail).toContain("job 'collect'");
    expect((await api.call('GET', 'credentials/writer')).status).toBe(200);
  });

  it.each([
    ['malformed JSON', { rawBody: `{"name": "x", "password": "${PASSWORD}"` }, 'body'],
    ['missing allowedServers', { body: { name: 'a', username: 'u', password: PASSWORD } }, 'body.allowedServers'],
    ['empty allowedServers', { body: { name: 'a', username: 'u', password: PASSWORD, allowedServers: [] } }, 'body.allowedServers'],
    ['unknown field', { body: { name: 'a', username: 'u', password: PASSWORD, allowedServers: ['*'], colour: 'red' } }, 'body.colour'],
    ['wrong type', { body: { name: 'a', username: 42, password: PASSWORD, allowedServers: ['*'] } }, 'body.username'],
    ['empty name', { body: { name: '', username: 'u', password: PASSWORD, allowedServers: ['*'] } }, 'body.name'],
    ['10,000-character name', { body: { name: 'n'.repeat(10_000), username: 'u', password: PASSWORD, allowedServers: ['*'] } }, 'body.name'],
    ['SQL in the name', { body: { name: "x'; DROP TABLE jobs;--", username: 'u', password: PASSWORD, allowedServers: ['*'] } }, 'body.name'],
    ['sql authentication without password', { body: { name: 'a', username: 'u', allowedServers: ['*'] } }, 'body.password'],
  ])('rejects %s with 400, writes nothing and never echoes the password', async (_label, options, path) => {
    const before = await count();
    const res = await api.call('POST', 'credentials', options);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.body).toMatchObject({ status: 400, title: 'Bad Request' });
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(res.text).not.toContain(PASSWORD);
    expect(await count()).toBe(before);
  });

  it('answers 413 to a body over 1 MiB', async () => {
    const res = await api.call('POST', 'credentials', { rawBody: JSON.stringify({ name: 'big', username: 'u', password: 'x'.repeat(1_100_000), allowedServers: ['*'] }) });
    expect(res.status).toBe(413);
  });

  it('answers 404 for an unknown or malformed name', async () => {
    expect((await api.call('GET', 'credentials/nobody')).status).toBe(404);
    expect((await api.call('GET', `credentials/${encodeURIComponent("x'; DROP TABLE jobs;--")}`)).status).toBe(404);
  });
});
