import { createApiHarness, type ApiHarness } from '../../support/apiHarness';
import { ManualClock } from '../../support/clock';
import { CONTROL_DIALECTS } from '../../support/controlDatabases';

const NOW = '2026-11-25T20:00:00.000Z';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

describe.each(CONTROL_DIALECTS)('targets API on %s', (dialect) => {
  let api: ApiHarness;
  const clock = new ManualClock(NOW);
  beforeAll(async () => {
    api = await createApiHarness(dialect, { clock });
    await api.call('POST', 'credentials', { body: { name: 'enumerator', username: 'u', password: 'p4ssw0rd-enum', allowedServers: ['*.example.com', 'pg-*'] } });
    await api.call('POST', 'contents', { body: { name: 'noop', type: 'script', commandText: 'SELECT 1' } });
  });
  afterAll(async () => api.close());

  const count = async (table: 'targets' | 'targetMembers') =>
    Number((await api.services.control.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const counts = async () => [await count('targets'), await count('targetMembers')];
  const create = async (body: object) => {
    const res = await api.call('POST', 'targets', { body });
    if (res.status !== 201) throw new Error(`create target: ${res.status} ${res.text}`);
    return res.body as { id: string };
  };

  it.each([
    [
      'a database (sqlserver by default)',
      { type: 'database', serverName: 'sql1.example.com', databaseName: 'orders' },
      { type: 'database', engine: 'sqlserver', serverName: 'sql1.example.com', databaseName: 'orders' },
    ],
    [
      'a server',
      { type: 'server', engine: 'postgres', serverName: 'pg-main:5432', credentialName: 'enumerator' },
      { type: 'server', engine: 'postgres', serverName: 'pg-main:5432', credentialName: 'enumerator' },
    ],
    [
      'an elastic pool',
      { type: 'elasticPool', serverName: 'sql1.example.com', elasticPoolName: 'pool1', credentialName: 'enumerator' },
      { type: 'elasticPool', engine: 'sqlserver', serverName: 'sql1.example.com', elasticPoolName: 'pool1', credentialName: 'enumerator' },
    ],
    [
      'a shard map',
      { type: 'shardMap', serverName: 'sql2.example.com', databaseName: 'smm', shardMapName: 'tenants', credentialName: 'enumerator' },
      { type: 'shardMap', engine: 'sqlserver', serverName: 'sql2.example.com', databaseName: 'smm', shardMapName: 'tenants', credentialName: 'enumerator' },
    ],
    ['a custom collection', { type: 'customCollection', name: 'All tenants' }, { type: 'customCollection', name: 'All tenants' }],
    [
      'a sqlite database under the root',
      { type: 'database', engine: 'sqlite', serverName: 'tenants', databaseName: 't1.db' },
      { type: 'database', engine: 'sqlite', serverName: 'tenants', databaseName: 't1.db' },
    ],
  ])('creates and reads back %s', async (_label, body, expected) => {
    const res = await api.call('POST', 'targets', { body });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.stringMatching(UUID), ...expected, createdAt: NOW });
    expect(res.headers.location).toBe(`/api/targets/${res.body.id}`);
    const read = await api.call('GET', `targets/${res.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(res.body);
    expect((await api.call('GET', `targets/${res.body.id.toUpperCase()}`)).body).toEqual(res.body);
  });

  it('refuses the same target spelled differently with 409 naming the existing id, writing nothing', async () => {
    const first = await create({ type: 'database', serverName: 'dup.example.com', databaseName: 'db1' });
    const before = await counts();
    for (const serverName of ['dup.example.com', 'DUP.Example.com', 'dup.example.com,1433']) {
      const again = await api.call('POST', 'targets', { body: { type: 'database', engine: 'sqlserver', serverName, databaseName: 'db1' } });
      expect(again.status).toBe(409);
      expect(again.headers['content-type']).toBe('application/problem+json');
      expect(again.body.detail).toContain(first.id);
    }
    const collection = await create({ type: 'customCollection', name: 'dup-collection' });
    const sameCollection = await api.call('POST', 'targets', { body: { type: 'customCollection', name: 'dup-collection' } });
    expect(sameCollection.status).toBe(409);
    expect(sameCollection.body.detail).toContain(collection.id);
    expect((await counts())[0]).toBe(before[0] + 1);
    // Another port or database is another target.
    expect((await api.call('POST', 'targets', { body: { type: 'database', serverName: 'dup.example.com,1434', databaseName: 'db1' } })).status).toBe(201);
  });

  it('answers 404 naming body.credentialName when the credential is unknown', async () => {
    const before = await counts();
    const res = await api.call('POST', 'targets', { body: { type: 'server', serverName: 'sql9.example.com', credentialName: 'nobody' } });
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.body.errors).toEqual([{ path: 'body.credentialName', message: 'does not exist' }]);
    expect(res.body.detail).toContain("'nobody'");
    expect(await counts()).toEqual(before);
  });

  it('refuses with 403 a server target whose own credential may not be sent to that server', async () => {
    const before = await counts();
    const res = await api.call('POST', 'targets', { body: { type: 'server', serverName: 'evil.attacker.net', credentialName: 'enumerator' } });
    expect(res.status).toBe(403);
    expect(res.body.detail).toContain("'evil.attacker.net'");
    expect(res.body.detail).toContain("'*.example.com', 'pg-*'");
    expect(await counts()).toEqual(before);
  });

  it.each([
    ['a .. escape', { serverName: '../x', databaseName: 'a.db' }, 'body.serverName'],
    ['a deeper .. escape', { serverName: 'tenants/../../..', databaseName: 'a.db' }, 'body.serverName'],
    ['an absolute path outside the root', { serverName: '/etc', databaseName: 'passwd' }, 'body.serverName'],
    ['a path separator in the database name', { serverName: 'tenants', databaseName: '../../control.db' }, 'body.databaseName'],
    ['a backslash in the database name', { serverName: 'tenants', databaseName: '..\\x.db' }, 'body.databaseName'],
  ])('refuses a sqlite target with %s: 400, nothing written', async (_label, location, path) => {
    const before = await counts();
    const res = await api.call('POST', 'targets', { body: { type: 'database', engine: 'sqlite', ...location } });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual([path]);
    expect(await counts()).toEqual(before);
    const asServer = await api.call('POST', 'targets', { body: { type: 'server', engine: 'sqlite', serverName: location.serverName, credentialName: 'enumerator' } });
    if (path === 'body.serverName') expect(asServer.status).toBe(400);
    expect(await counts()).toEqual(before);
  });

  it('filters the list by type and by name', async () => {
    const a = await create({ type: 'database', serverName: 'filter.example.com', databaseName: 'needle' });
    const b = await create({ type: 'customCollection', name: 'needle' });
    await create({ type: 'database', serverName: 'filter.example.com', databaseName: 'hay' });
    const byName = await api.call('GET', 'targets?name=needle');
    expect(byName.body.items.map((t: { id: string }) => t.id).sort()).toEqual([a.id, b.id].sort());
    const collections = await api.call('GET', 'targets?type=customCollection&name=needle');
    expect(collections.body).toEqual({ items: [{ id: b.id, type: 'customCollection', name: 'needle', createdAt: NOW }], nextCursor: null });
    const all = await api.call('GET', 'targets?type=database&limit=1000');
    expect(all.body.items.every((t: { type: string }) => t.type === 'database')).toBe(true);
    expect((await api.call('GET', 'targets?type=table')).status).toBe(400);
  });

  it('pages through targets across 3 pages without repeats', async () => {
    for (let i = 0; i < 5; i++) await create({ type: 'database', serverName: 'paging.example.com', databaseName: `p${i}` });
    const total = (await api.call('GET', 'targets?limit=1000')).body.items.length;
    const limit = Math.ceil(total / 3);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { status: number; body: { items: { id: string }[]; nextCursor: string | null } } = await api.call('GET', `targets?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((t) => t.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen.length).toBe(total);
    expect(new Set(seen).size).toBe(total);
  });

  it('manages the members of a collection: include, exclude, list, duplicate, remove', async () => {
    const collection = await create({ type: 'customCollection', name: 'members-of' });
    const db1 = await create({ type: 'database', serverName: 'm.example.com', databaseName: 'm1' });
    const server = await create({ type: 'server', serverName: 'm.example.com', credentialName: 'enumerator' });

    const included = await api.call('POST', `targets/${collection.id}/members`, { body: { targetId: server.id } });
    expect(included.status).toBe(201);
    expect(included.body).toEqual({ target: { id: server.id, type: 'server', engine: 'sqlserver', serverName: 'm.example.com', credentialName: 'enumerator', createdAt: NOW }, membership: 'include' });
    clock.advance(1_000);
    const excluded = await api.call('POST', `targets/${collection.id}/members`, { body: { targetId: db1.id.toUpperCase(), membership: 'exclude' } });
    expect(excluded.status).toBe(201);
    expect(excluded.body.membership).toBe('exclude');

    const list = await api.call('GET', `targets/${collection.id}/members`);
    expect(list.status).toBe(200);
    expect(list.body).toEqual({
      items: [
        included.body,
        { target: { id: db1.id, type: 'database', engine: 'sqlserver', serverName: 'm.example.com', databaseName: 'm1', createdAt: NOW }, membership: 'exclude' },
      ],
    });

    const before = await counts();
    const twice = await api.call('POST', `targets/${collection.id}/members`, { body: { targetId: server.id, membership: 'exclude' } });
    expect(twice.status).toBe(409);
    expect(twice.headers['content-type']).toBe('application/problem+json');
    expect(await counts()).toEqual(before);

    expect((await api.call('DELETE', `targets/${collection.id}/members/${server.id}`)).status).toBe(204);
    expect((await api.call('DELETE', `targets/${collection.id}/members/${server.id}`)).status).toBe(404);
    expect((await api.call('GET', `targets/${collection.id}/members`)).body.items.map((m: { target: { id: string } }) => m.target.id)).toEqual([db1.id]);
  });

  it('refuses a collection that would contain itself, directly or through nested collections', async () => {
    const outer = await create({ type: 'customCollection', name: 'cycle-outer' });
    const middle = await create({ type: 'customCollection', name: 'cycle-middle' });
    const inner = await create({ type: 'customCollection', name: 'cycle-inner' });
    expect((await api.call('POST', `targets/${outer.id}/members`, { body: { targetId: middle.id } })).status).toBe(201);
    expect((await api.call('POST', `targets/${middle.id}/members`, { body: { targetId: inner.id, membership: 'exclude' } })).status).toBe(201);
    const before = await counts();
    for (const [collection, member] of [
      [outer, outer],
      [middle, outer],
      [inner, outer],
    ]) {
      const res = await api.call('POST', `targets/${collection.id}/members`, { body: { targetId: member.id } });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ path: 'body.targetId', message: 'would make the collection contain itself' }]);
    }
    expect(await counts()).toEqual(before);
  });

  it('refuses members on a target that is not a custom collection, and unknown members', async () => {
    const db = await create({ type: 'database', serverName: 'nc.example.com', databaseName: 'x' });
    const collection = await create({ type: 'customCollection', name: 'for-unknown' });
    const before = await counts();
    const onDatabase = await api.call('POST', `targets/${db.id}/members`, { body: { targetId: collection.id } });
    expect(onDatabase.status).toBe(400);
    expect(onDatabase.body.errors).toEqual([{ path: 'params.id', message: 'is not a custom collection' }]);
    expect((await api.call('GET', `targets/${db.id}/members`)).status).toBe(400);
    const unknownMember = await api.call('POST', `targets/${collection.id}/members`, { body: { targetId: UNKNOWN_ID } });
    expect(unknownMember.status).toBe(404);
    expect(unknownMember.body.errors).toEqual([{ path: 'body.targetId', message: 'does not exist' }]);
    expect((await api.call('POST', `targets/${UNKNOWN_ID}/members`, { body: { targetId: db.id } })).status).toBe(404);
    expect((await api.call('GET', `targets/${UNKNOWN_ID}/members`)).status).toBe(404);
    expect((await api.call('DELETE', `targets/${collection.id}/members/${db.id}`)).status).toBe(404);
    expect((await api.call('DELETE', `targets/${collection.id}/members/not-a-uuid`)).status).toBe(400);
    for (const body of [{ targetId: 'not-a-uuid' }, { targetId: db.id, membership: 'maybe' }, { targetId: db.id, extra: 1 }, {}]) {
      expect((await api.call('POST', `targets/${collection.id}/members`, { body })).status).toBe(400);
    }
    expect((await api.call('POST', `targets/${collection.id}/members`, { rawBody: '{"targetId":' })).status).toBe(400);
    expect(await counts()).toEqual(before);
  });

  it('deletes a target, but not while a job or a collection uses it', async () => {
    const used = await create({ type: 'database', serverName: 'inuse.example.com', databaseName: 'jobdb' });
    const member = await create({ type: 'database', serverName: 'inuse.example.com', databaseName: 'memberdb' });
    const collection = await create({ type: 'customCollection', name: 'holder' });
    await api.call('POST', `targets/${collection.id}/members`, { body: { targetId: member.id } });
    await api.call('POST', 'credentials', { body: { name: 'inuse-runner', username: 'u', password: 'p4ss-inuse', allowedServers: ['*'] } });
    expect((await api.call('POST', 'jobs', { body: { name: 'uses-target', contentName: 'noop', credentialName: 'inuse-runner', targetId: used.id } })).status).toBe(201);

    const before = await counts();
    const byJob = await api.call('DELETE', `targets/${used.id}`);
    expect(byJob.status).toBe(409);
    expect(byJob.body.detail).toContain("'uses-target'");
    const byCollection = await api.call('DELETE', `targets/${member.id}`);
    expect(byCollection.status).toBe(409);
    expect(byCollection.body.detail).toContain(collection.id);
    expect(await counts()).toEqual(before);

    // Deleting the collection takes its own membership list with it; then the member is free.
    expect((await api.call('DELETE', `targets/${collection.id}`)).status).toBe(204);
    expect((await api.call('GET', `targets/${collection.id}`)).status).toBe(404);
    expect((await api.call('DELETE', `targets/${member.id}`)).status).toBe(204);
    expect(await counts()).toEqual([before[0] - 2, before[1] - 1]);
    expect((await api.call('DELETE', `targets/${member.id}`)).status).toBe(404);
    expect((await api.call('DELETE', `targets/${UNKNOWN_ID}`)).status).toBe(404);
    expect((await api.call('DELETE', 'targets/not-a-uuid')).status).toBe(400);
  });

  it.each([
    ['malformed JSON', { rawBody: '{"type": "database", ' }, 'body'],
    ['an unknown type', { body: { type: 'table', serverName: 's', databaseName: 'd' } }, 'body.type'],
    ['a missing databaseName', { body: { type: 'database', serverName: 's' } }, 'body.databaseName'],
    ['a missing credentialName', { body: { type: 'server', serverName: 's' } }, 'body.credentialName'],
    ['an unknown field', { body: { type: 'database', serverName: 's', databaseName: 'd', colour: 'red' } }, 'body.colour'],
    ['a field of another shape', { body: { type: 'database', serverName: 's', databaseName: 'd', credentialName: 'enumerator' } }, 'body.credentialName'],
    ['a wrong type', { body: { type: 'database', serverName: 42, databaseName: 'd' } }, 'body.serverName'],
    ['an unknown engine', { body: { type: 'database', engine: 'oracle', serverName: 's', databaseName: 'd' } }, 'body.engine'],
    ['a postgres elastic pool', { body: { type: 'elasticPool', engine: 'postgres', serverName: 's', elasticPoolName: 'p', credentialName: 'enumerator' } }, 'body.engine'],
    ['an empty server name', { body: { type: 'database', serverName: '', databaseName: 'd' } }, 'body.serverName'],
    ['a 10,000-character server name', { body: { type: 'database', serverName: 's'.repeat(10_000), databaseName: 'd' } }, 'body.serverName'],
    ['an empty collection name', { body: { type: 'customCollection', name: '' } }, 'body.name'],
    ['a 10,000-character collection name', { body: { type: 'customCollection', name: 'n'.repeat(10_000) } }, 'body.name'],
    ['SQL in the collection name', { body: { type: 'customCollection', name: "x'; DROP TABLE jobs;--" } }, 'body.name'],
  ])('refuses a target with %s: 400, nothing written', async (_label, options, path) => {
    const before = await counts();
    const res = await api.call('POST', 'targets', options);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(await counts()).toEqual(before);
  });

  it('answers 404 for unknown ids and 400 naming the parameter for malformed ones', async () => {
    expect((await api.call('GET', `targets/${UNKNOWN_ID}`)).status).toBe(404);
    expect((await api.call('GET', 'targets/42')).status).toBe(400);
    const injected = await api.call('GET', `targets/${encodeURIComponent("x'; DROP TABLE jobs;--")}`);
    expect(injected.status).toBe(400);
    expect(injected.body.errors).toEqual([{ path: 'path.id', message: 'must be a UUID' }]);
  });
});

describe('targets API where the sqlite engine is not enabled', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await createApiHarness('sqlite', {}, { SQLITE_TARGETS_ENABLED: 'false' });
  });
  afterAll(async () => api.close());

  it('refuses a sqlite target with 400 and says why', async () => {
    const res = await api.call('POST', 'targets', { body: { type: 'database', engine: 'sqlite', serverName: 'tenants', databaseName: 'a.db' } });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'body.engine', message: 'the sqlite engine is not enabled on this host' }]);
    expect(Number((await api.services.control.db.selectFrom('targets').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)).toBe(0);
  });
});
