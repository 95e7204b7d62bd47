/**
 * A NUL character (U+0000) in any text of a request is a 400 naming the field, on every control
 * database dialect, and nothing is written. Before the edge refused it, PostgreSQL answered 500
 * ("invalid byte sequence for encoding UTF8: 0x00") and SQLite stored it (201).
 */
import { createApiHarness, type ApiHarness } from '../../support/apiHarness';
import { CONTROL_DIALECTS } from '../../support/controlDatabases';

const NUL = '\u0000';

describe.each(CONTROL_DIALECTS)('NUL characters refused at the edge on %s', (dialect) => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await createApiHarness(dialect);
  });
  afterAll(async () => api.close());

  const rows = async (table: 'credentials' | 'contents' | 'targets' | 'jobs') =>
    Number((await api.services.control.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  it.each([
    ['credentials', { name: 'c1', username: `a${NUL}b`, password: 'Secret-1', allowedServers: ['*'] }, 'body.username'],
    ['credentials', { name: 'c2', username: 'u', password: `Secret${NUL}`, allowedServers: ['*'] }, 'body.password'],
    ['credentials', { name: 'c3', username: 'u', password: 'Secret-1', allowedServers: ['*', `db${NUL}.example`] }, 'body.allowedServers.1'],
    ['contents', { name: 'q', type: 'script', commandText: `SELECT 1${NUL}` }, 'body.commandText'],
    ['contents', { name: 'q', type: 'script', commandText: 'SELECT 1', comment: `x${NUL}` }, 'body.comment'],
    ['targets', { type: 'database', serverName: `db${NUL}.example`, databaseName: 'd' }, 'body.serverName'],
  ] as const)('POST %s with a NUL in %j is a 400 naming %s, and writes nothing', async (table, body, field) => {
    const before = await rows(table);
    const res = await api.call('POST', table, { body });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.body.errors).toEqual([{ path: field, message: 'must not contain a NUL character (U+0000)' }]);
    expect(res.body.detail).toContain(field);
    expect(await rows(table)).toBe(before);
  });

  it('names a key holding a NUL with the NUL written out', async () => {
    const res = await api.call('POST', 'credentials', { body: { name: 'c4', username: 'u', password: 'p', allowedServers: ['*'], [`x${NUL}y`]: 1 } });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'body.x\\u0000y', message: 'must not contain a NUL character (U+0000)' }]);
  });

  it('refuses a NUL in a query string parameter (400, query.cursor)', async () => {
    const res = await api.call('GET', `jobs?cursor=${encodeURIComponent(`abc${NUL}`)}`);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'query.cursor', message: 'must not contain a NUL character (U+0000)' }]);
  });

  it('answers a name with a NUL in the path as not found (no object can have that name), not 500', async () => {
    expect((await api.call('GET', `credentials/${encodeURIComponent(`a${NUL}b`)}`)).status).toBe(404);
    expect((await api.call('PUT', `credentials/${encodeURIComponent(`a${NUL}b`)}`, { body: { password: 'x' } })).status).toBe(404);
  });

  it('still accepts the same requests without the NUL', async () => {
    expect((await api.call('POST', 'credentials', { body: { name: 'c1', username: 'ab', password: 'Secret-1', allowedServers: ['*'] } })).status).toBe(201);
    expect((await api.call('POST', 'contents', { body: { name: 'q', type: 'script', commandText: 'SELECT 1' } })).status).toBe(201);
  });
});
