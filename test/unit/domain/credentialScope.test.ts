import { scopeViolation, serversKnownInAdvance } from '../../../src/domain/credentialScope';
import type { Member, Target } from '../../../src/domain/schemas/target';

let n = 0;
const at = '2026-11-25T20:00:00.000Z';
const db = (serverName: string, databaseName = 'd'): Target => ({ id: `db-${++n}`, type: 'database', engine: 'sqlserver', serverName, databaseName, createdAt: at });
const server = (serverName: string): Target => ({ id: `srv-${++n}`, type: 'server', engine: 'sqlserver', serverName, credentialName: 'c', createdAt: at });
const collection = (name: string): Target => ({ id: `col-${name}`, type: 'customCollection', name, createdAt: at });

function tree(edges: Record<string, Member[]>) {
  return async (id: string) => edges[id] ?? [];
}

describe('serversKnownInAdvance', () => {
  it('names the server of a single database, server or shard map', async () => {
    const t = db('a.example');
    expect(await serversKnownInAdvance(t, tree({}))).toEqual([{ engine: 'sqlserver', serverName: 'a.example', targetId: t.id }]);
  });

  it('walks included members through nested collections and skips excluded ones', async () => {
    const outer = collection('outer');
    const inner = collection('inner');
    const excludedInner = collection('excludedInner');
    const a = db('a.example');
    const b = db('b.example');
    const evil = db('evil.example');
    const members = tree({
      [outer.id]: [
        { target: a, membership: 'include' },
        { target: inner, membership: 'include' },
        { target: excludedInner, membership: 'exclude' },
      ],
      [inner.id]: [{ target: b, membership: 'include' }],
      [excludedInner.id]: [{ target: evil, membership: 'include' }],
    });
    const servers = (await serversKnownInAdvance(outer, members)).map((s) => s.serverName).sort();
    expect(servers).toEqual(['a.example', 'b.example']);
  });

  it('lets an exclusion anywhere win over an inclusion, also a database on an excluded server', async () => {
    const outer = collection('o2');
    const inner = collection('i2');
    const excludedDb = db('x.example');
    const onExcludedServer = db('y.example', 'tenant');
    const members = tree({
      [outer.id]: [
        { target: inner, membership: 'include' },
        { target: excludedDb, membership: 'exclude' },
        { target: server('Y.example'), membership: 'exclude' },
      ],
      [inner.id]: [
        { target: excludedDb, membership: 'include' },
        { target: onExcludedServer, membership: 'include' },
      ],
    });
    expect(await serversKnownInAdvance(outer, members)).toEqual([]);
  });

  it('stops at a cycle instead of looping', async () => {
    const a = collection('ca');
    const b = collection('cb');
    const leaf = db('leaf.example');
    const members = tree({ [a.id]: [{ target: b, membership: 'include' }], [b.id]: [{ target: a, membership: 'include' }, { target: leaf, membership: 'include' }] });
    expect((await serversKnownInAdvance(a, members)).map((s) => s.serverName)).toEqual(['leaf.example']);
  });
});

describe('scopeViolation', () => {
  it('is undefined when every server is admitted', () => {
    expect(scopeViolation('c', ['*.example'], [{ engine: 'sqlserver', serverName: 'a.example', targetId: 't' }])).toBeUndefined();
  });

  it('names the credential, the refused server, the target and the patterns', () => {
    const message = scopeViolation('jobuser', ['*.database.windows.net', 'tenant-*'], [
      { engine: 'sqlserver', serverName: 'ok.database.windows.net', targetId: 't1' },
      { engine: 'sqlserver', serverName: 'evil.example', targetId: 't2' },
    ]);
    expect(message).toBe("Credential 'jobuser' may not be sent to server 'evil.example' (target t2): its allowedServers are '*.database.windows.net', 'tenant-*'.");
  });

  it('reads each server for its own engine: a SQL Server named instance is not a PostgreSQL name', () => {
    expect(scopeViolation('c', ['srv\\*'], [{ engine: 'sqlserver', serverName: 'srv\\inst', targetId: 't' }])).toBeUndefined();
    expect(scopeViolation('c', ['*'], [{ engine: 'postgres', serverName: '/tmp/x/y.database.windows.net', targetId: 't' }])).toContain("server '/tmp/x/y.database.windows.net'");
  });
});
