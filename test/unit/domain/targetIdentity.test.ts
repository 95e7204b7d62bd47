import { MAX_IDENTITY_KEY_LENGTH, normalizeServerName, targetIdentityKey } from '../../../src/domain/targetIdentity';
import { CreateTarget } from '../../../src/domain/schemas/target';

const key = (body: unknown) => targetIdentityKey(CreateTarget.parse(body));

describe('normalizeServerName', () => {
  it.each([
    ['sqlserver', 'Srv.Database.Windows.NET', 'srv.database.windows.net,1433'],
    ['sqlserver', 'srv.database.windows.net,1433', 'srv.database.windows.net,1433'],
    ['sqlserver', 'srv,01433', 'srv,1433'],
    ['sqlserver', 'srv:1433', 'srv,1433'],
    ['sqlserver', 'tcp:srv,1433', 'srv,1433'],
    ['sqlserver', 'TCP:SRV', 'srv,1433'],
    ['sqlserver', 'srv\\inst,1500', 'srv\\inst,1500'],
    ['sqlserver', '::1', '[::1],1433'],
    ['sqlserver', 'srv,14330', 'srv,14330'],
    ['sqlserver', 'HOST\\SQLEXPRESS', 'host\\sqlexpress'],
    ['postgres', 'PG.Example', 'pg.example:5432'],
    ['postgres', 'pg.example:5432', 'pg.example:5432'],
    ['postgres', 'pg.example:6432', 'pg.example:6432'],
    ['postgres', '[::1]:5433', '[::1]:5433'],
    ['postgres', '[::1]', '[::1]:5432'],
    ['postgres', '::1', '[::1]:5432'],
    ['sqlite', 'tenants/', 'tenants'],
    ['sqlite', './tenants', 'tenants'],
    ['sqlite', 'Tenants', 'Tenants'],
  ] as const)('%s %s -> %s', (engine, input, expected) => {
    expect(normalizeServerName(engine, input)).toBe(expected);
  });
});

describe('targetIdentityKey', () => {
  it('treats host case and the default port as the same database', () => {
    expect(key({ type: 'database', serverName: 'SRV', databaseName: 'db1' })).toBe(key({ type: 'database', engine: 'sqlserver', serverName: 'srv,1433', databaseName: 'db1' }));
    expect(key({ type: 'database', engine: 'postgres', serverName: 'Pg', databaseName: 'd' })).toBe(key({ type: 'database', engine: 'postgres', serverName: 'pg:5432', databaseName: 'd' }));
  });

  it('is one key for every spelling of one SQL Server: srv, SRV, srv:1433, srv,1433, tcp:srv,1433', () => {
    const keys = ['srv', 'SRV', 'srv:1433', 'srv,1433', 'tcp:srv,1433', 'tcp:srv'].map((serverName) => key({ type: 'database', serverName, databaseName: 'db1' }));
    expect(new Set(keys).size).toBe(1);
  });

  it('spells out every part: type|engine|server|database|pool|shardmap', () => {
    expect(key({ type: 'database', serverName: 'srv', databaseName: 'db1' })).toBe('database|sqlserver|srv,1433|db1||');
    expect(key({ type: 'server', engine: 'postgres', serverName: 'pg', credentialName: 'c' })).toBe('server|postgres|pg:5432|||');
    expect(key({ type: 'elasticPool', serverName: 'srv', elasticPoolName: 'pool1', credentialName: 'c' })).toBe('elasticPool|sqlserver|srv,1433||pool1|');
    expect(key({ type: 'shardMap', serverName: 'srv', databaseName: 'smm', shardMapName: 'map', credentialName: 'c' })).toBe('shardMap|sqlserver|srv,1433|smm||map');
    expect(key({ type: 'customCollection', name: 'Tenants' })).toBe('customCollection|Tenants');
    expect(key({ type: 'database', engine: 'sqlite', serverName: 'dir', databaseName: 'a.db' })).toBe('database|sqlite|dir|a.db||');
  });

  it('tells apart what differs: engine, port, database, type, credential does not count', () => {
    const base = key({ type: 'database', serverName: 'srv', databaseName: 'db1' });
    expect(key({ type: 'database', engine: 'postgres', serverName: 'srv', databaseName: 'db1' })).not.toBe(base);
    expect(key({ type: 'database', serverName: 'srv,1434', databaseName: 'db1' })).not.toBe(base);
    expect(key({ type: 'database', serverName: 'srv', databaseName: 'DB1' })).not.toBe(base);
    expect(key({ type: 'server', serverName: 'srv', credentialName: 'a' })).toBe(key({ type: 'server', serverName: 'srv', credentialName: 'b' }));
  });

  it('cannot be forged with a separator inside a name', () => {
    const a = key({ type: 'shardMap', serverName: 'srv', databaseName: 'a|b', shardMapName: 'c', credentialName: 'x' });
    const b = key({ type: 'shardMap', serverName: 'srv', databaseName: 'a', shardMapName: 'b|c', credentialName: 'x' });
    expect(a).not.toBe(b);
  });

  it('fits the column: long keys become a digest, still distinct', () => {
    const host = `${'a'.repeat(62)}.${'b'.repeat(62)}.${'c'.repeat(62)}.${'d'.repeat(62)}`;
    const long = (db: string) => key({ type: 'shardMap', serverName: host, databaseName: '|'.repeat(64) + db, shardMapName: '|'.repeat(128), credentialName: 'x' });
    expect(long('a'.repeat(64)).length).toBeLessThanOrEqual(MAX_IDENTITY_KEY_LENGTH);
    expect(long('a'.repeat(64))).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(long('a'.repeat(64))).not.toBe(long('b'.repeat(64)));
  });
});
