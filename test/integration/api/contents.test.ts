import { createApiHarness, type ApiHarness } from '../../support/apiHarness';
import { ManualClock } from '../../support/clock';
import { CONTROL_DIALECTS } from '../../support/controlDatabases';

const NOW = '2026-11-25T20:00:00.000Z';

describe.each(CONTROL_DIALECTS)('contents API on %s', (dialect) => {
  let api: ApiHarness;
  const clock = new ManualClock(NOW);
  beforeAll(async () => {
    api = await createApiHarness(dialect, { clock });
  });
  afterAll(async () => api.close());

  const count = async (table: 'contents' | 'contentVersions') =>
    Number((await api.services.control.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const counts = async () => [await count('contents'), await count('contentVersions')];

  it('creates a script at version 1, adds version 2, and keeps version 1 readable', async () => {
    const created = await api.call('POST', 'contents', { body: { name: 'create-orders', type: 'script', commandText: 'CREATE TABLE orders (id int)', comment: 'first' } });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe('/api/contents/create-orders');
    const v1 = { name: 'create-orders', type: 'script', version: 1, commandText: 'CREATE TABLE orders (id int)', comment: 'first', createdAt: NOW };
    expect(created.body).toEqual(v1);

    clock.advance(60_000);
    const added = await api.call('POST', 'contents/create-orders/versions', { body: { commandText: 'CREATE TABLE orders (id bigint)' } });
    expect(added.status).toBe(201);
    expect(added.headers.location).toBe('/api/contents/create-orders/versions/2');
    const v2 = { name: 'create-orders', type: 'script', version: 2, commandText: 'CREATE TABLE orders (id bigint)', comment: null, createdAt: '2026-11-25T20:01:00.000Z' };
    expect(added.body).toEqual(v2);

    expect((await api.call('GET', 'contents/create-orders')).body).toEqual(v2);
    expect((await api.call('GET', 'contents/create-orders/versions/1')).body).toEqual(v1);
    expect((await api.call('GET', 'contents/create-orders/versions/2')).body).toEqual(v2);
    expect((await api.call('GET', 'contents/create-orders/versions')).body).toEqual({ items: [v1, v2], nextCursor: null });
    const list = await api.call('GET', 'contents');
    expect(list.status).toBe(200);
    expect(list.body.items).toContainEqual(v2);
  });

  it('creates a DACPAC and refuses a script version for it, naming the field', async () => {
    const created = await api.call('POST', 'contents', { body: { name: 'schema-pkg', type: 'dacpac', dacpacUri: 'https://stej42.blob.core.windows.net/dacpacs/pkg.dacpac' } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ name: 'schema-pkg', type: 'dacpac', version: 1, dacpacUri: 'https://stej42.blob.core.windows.net/dacpacs/pkg.dacpac', comment: null, createdAt: clock.now().toISOString() });
    const before = await counts();
    const wrong = await api.call('POST', 'contents/schema-pkg/versions', { body: { commandText: 'SELECT 1' } });
    expect(wrong.status).toBe(400);
    expect(wrong.headers['content-type']).toBe('application/problem+json');
    expect(wrong.body.errors).toEqual([{ path: 'body.commandText', message: 'is not allowed for a dacpac content (use dacpacUri)' }]);
    expect(await counts()).toEqual(before);
    const right = await api.call('POST', 'contents/schema-pkg/versions', { body: { dacpacUri: 'https://stej42.blob.core.windows.net/dacpacs/pkg-2.dacpac', comment: 'v2' } });
    expect(right.status).toBe(201);
    expect(right.body).toMatchObject({ version: 2, dacpacUri: 'https://stej42.blob.core.windows.net/dacpacs/pkg-2.dacpac', comment: 'v2' });
  });

  it('refuses a new DACPAC version from a host not listed, naming the field and not echoing the SAS token', async () => {
    const before = await counts();
    const res = await api.call('POST', 'contents/schema-pkg/versions', { body: { dacpacUri: 'http://127.0.0.1:9/pkg.dacpac?sv=2024-08-04&sig=SECRETSIG' } });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'body.dacpacUri', message: 'names host 127.0.0.1:9, which DACPAC_ALLOWED_HOSTS does not list' }]);
    expect(res.text).not.toContain('SECRETSIG');
    expect(await counts()).toEqual(before);
  });

  it('refuses a DACPAC version for a script, naming the field', async () => {
    await api.call('POST', 'contents', { body: { name: 'typed-script', type: 'script', commandText: 'SELECT 1' } });
    const before = await counts();
    const wrong = await api.call('POST', 'contents/typed-script/versions', { body: { dacpacUri: 'https://stej42.blob.core.windows.net/dacpacs/x.dacpac' } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.dacpacUri']);
    expect(await counts()).toEqual(before);
  });

  it('gives concurrent new versions distinct consecutive numbers', async () => {
    await api.call('POST', 'contents', { body: { name: 'busy', type: 'script', commandText: 'SELECT 0' } });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => api.call('POST', 'contents/busy/versions', { body: { commandText: `SELECT ${i + 1}` } })));
    // The counter's row lock makes each writer wait for the one before: all land, none shares a number.
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(201));
    const versions = results.map((r) => r.body.version).sort((a: number, b: number) => a - b);
    expect(versions).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect((await api.call('GET', 'contents/busy')).body.version).toBe(11);
    const texts = (await api.call('GET', 'contents/busy/versions')).body.items.map((v: { commandText: string }) => v.commandText).sort();
    expect(texts).toEqual(['SELECT 0', ...Array.from({ length: 10 }, (_, i) => `SELECT ${i + 1}`)].sort());
  });

  it('refuses a duplicate name with 409 and writes nothing more', async () => {
    const body = { name: 'dup-content', type: 'script', commandText: 'SELECT 1' };
    expect((await api.call('POST', 'contents', { body })).status).toBe(201);
    const before = await counts();
    const again = await api.call('POST', 'contents', { body: { ...body, commandText: 'SELECT 2' } });
    expect(again.status).toBe(409);
    expect(again.headers['content-type']).toBe('application/problem+json');
    expect(again.body.detail).toContain("'dup-content'");
    expect(await counts()).toEqual(before);
    expect((await api.call('GET', 'contents/dup-content')).body.commandText).toBe('SELECT 1');
  });

  it.each([
    ['malformed JSON', { rawBody: '{"name": "x", "type": "script"' }, 'body'],
    ['an empty body', { rawBody: '' }, 'body'],
    ['missing commandText', { body: { name: 'a', type: 'script' } }, 'body.commandText'],
    ['missing type', { body: { name: 'a', commandText: 'SELECT 1' } }, 'body.type'],
    ['an unknown type', { body: { name: 'a', type: 'bacpac', commandText: 'SELECT 1' } }, 'body.type'],
    ['a field of the other type', { body: { name: 'a', type: 'script', commandText: 'SELECT 1', dacpacUri: 'https://x.example/a' } }, 'body.dacpacUri'],
    ['an unknown field', { body: { name: 'a', type: 'script', commandText: 'SELECT 1', colour: 'red' } }, 'body.colour'],
    ['a wrong type', { body: { name: 'a', type: 'script', commandText: 42 } }, 'body.commandText'],
    ['an empty script', { body: { name: 'a', type: 'script', commandText: '' } }, 'body.commandText'],
    ['a non-http DACPAC URI', { body: { name: 'a', type: 'dacpac', dacpacUri: 'file:///etc/passwd' } }, 'body.dacpacUri'],
    ['a DACPAC on a host DACPAC_ALLOWED_HOSTS does not list', { body: { name: 'a', type: 'dacpac', dacpacUri: 'https://storage.attacker.example/a.dacpac?sv=1&sig=s' } }, 'body.dacpacUri'],
    ['a DACPAC on a loopback port', { body: { name: 'a', type: 'dacpac', dacpacUri: 'http://127.0.0.1:6379/a.dacpac?sv=1&sig=s' } }, 'body.dacpacUri'],
    ['a DACPAC on another port of an allowed host', { body: { name: 'a', type: 'dacpac', dacpacUri: 'https://stej42.blob.core.windows.net:8443/a.dacpac' } }, 'body.dacpacUri'],
    ['an empty name', { body: { name: '', type: 'script', commandText: 'SELECT 1' } }, 'body.name'],
    ['a 10,000-character name', { body: { name: 'n'.repeat(10_000), type: 'script', commandText: 'SELECT 1' } }, 'body.name'],
    ['SQL in the name', { body: { name: "x'; DROP TABLE jobs;--", type: 'script', commandText: 'SELECT 1' } }, 'body.name'],
  ])('refuses a content with %s: 400, nothing written', async (_label, options, path) => {
    const before = await counts();
    const res = await api.call('POST', 'contents', options);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.body).toMatchObject({ status: 400, title: 'Bad Request' });
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(await counts()).toEqual(before);
  });

  it.each([
    ['malformed JSON', { rawBody: '{"commandText": ' }, 'body'],
    ['neither field', { body: { comment: 'c' } }, 'body'],
    ['both fields', { body: { commandText: 'SELECT 1', dacpacUri: 'https://x.example/a' } }, 'body'],
    ['an unknown field', { body: { commandText: 'SELECT 1', name: 'renamed' } }, 'body.name'],
    ['a wrong type', { body: { commandText: ['SELECT 1'] } }, 'body.commandText'],
  ])('refuses a new version with %s: 400, nothing written', async (_label, options, path) => {
    const before = await counts();
    const res = await api.call('POST', 'contents/create-orders/versions', options);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(await counts()).toEqual(before);
  });

  it('answers 404 for unknown or malformed names and unknown versions, 400 for a malformed version, writing nothing', async () => {
    const before = await counts();
    expect((await api.call('GET', 'contents/nothing-here')).status).toBe(404);
    expect((await api.call('GET', `contents/${encodeURIComponent("x'; DROP TABLE jobs;--")}`)).status).toBe(404);
    expect((await api.call('GET', `contents/${'n'.repeat(10_000)}`)).status).toBe(404);
    expect((await api.call('GET', 'contents/nothing-here/versions')).status).toBe(404);
    expect((await api.call('GET', 'contents/create-orders/versions/99')).status).toBe(404);
    expect((await api.call('GET', 'contents/create-orders/versions/zero')).status).toBe(400);
    expect((await api.call('GET', 'contents/create-orders/versions/0')).status).toBe(400);
    const missing = await api.call('POST', 'contents/nothing-here/versions', { body: { commandText: 'SELECT 1' } });
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toBe('application/problem+json');
    expect(missing.body.detail).toBe("Content 'nothing-here' does not exist.");
    expect(await counts()).toEqual(before);
  });

  it.each([['limit=0'], ['limit=1001'], ['limit=ten'], ['cursor=not-a-cursor'], ['colour=red']])('refuses a list query with %s', async (query) => {
    const res = await api.call('GET', `contents?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toMatch(/^query\./);
  });

  it('pages through contents and versions with a cursor', async () => {
    const names = ['page-a', 'page-b', 'page-c', 'page-d', 'page-e'];
    for (const name of names) await api.call('POST', 'contents', { body: { name, type: 'script', commandText: `SELECT '${name}'` } });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { body: { items: { name: string }[]; nextCursor: string | null } } = await api.call('GET', `contents?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...res.body.items.map((c) => c.name));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(seen.filter((n) => n.startsWith('page-'))).toEqual(names);
    expect(new Set(seen).size).toBe(seen.length);
    expect(pages).toBeGreaterThanOrEqual(3);

    for (let i = 2; i <= 5; i++) await api.call('POST', 'contents/page-a/versions', { body: { commandText: `SELECT ${i}` } });
    const p1 = await api.call('GET', 'contents/page-a/versions?limit=2');
    const p2 = await api.call('GET', `contents/page-a/versions?limit=2&cursor=${p1.body.nextCursor}`);
    const p3 = await api.call('GET', `contents/page-a/versions?limit=2&cursor=${p2.body.nextCursor}`);
    expect([p1, p2, p3].map((p) => p.body.items.map((v: { version: number }) => v.version))).toEqual([[1, 2], [3, 4], [5]]);
    expect(p3.body.nextCursor).toBeNull();
  });
});
