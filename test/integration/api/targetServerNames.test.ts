import { createApiHarness, type ApiHarness } from '../../support/apiHarness';
import { CONTROL_DIALECTS } from '../../support/controlDatabases';

describe.each(CONTROL_DIALECTS)('target server names on %s: one parser at the edge', (dialect) => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await createApiHarness(dialect);
    await api.call('POST', 'credentials', { body: { name: 'anywhere', username: 'u', password: 'p4ssw0rd-any', allowedServers: ['*'] } });
  });
  afterAll(async () => api.close());

  const targetCount = async () => Number((await api.services.control.db.selectFrom('targets').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  it.each([
    ['postgres', '/tmp/x/y.database.windows.net'],
    ['postgres', 'pg,5432'],
    ['postgres', 'pg\\inst'],
    ['sqlserver', 'np:srv'],
    ['sqlserver', '127.0.0.1\\x.database.windows.net'],
    ['sqlserver', '::1,1433'],
    ['sqlserver', 'srv,70000'],
  ])('refuses a %s server named %j: 400 naming body.serverName, nothing written', async (engine, serverName) => {
    const before = await targetCount();
    for (const body of [
      { type: 'database', engine, serverName, databaseName: 'd' },
      { type: 'server', engine, serverName, credentialName: 'anywhere' },
    ]) {
      const res = await api.call('POST', 'targets', { body });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ path: 'body.serverName', message: expect.stringContaining(serverName) })]);
    }
    expect(await targetCount()).toBe(before);
  });

  it('takes srv, SRV:1433, srv,1433 and tcp:srv,1433 for one SQL Server: the second spelling is a 409 naming the first target', async () => {
    const first = await api.call('POST', 'targets', { body: { type: 'database', serverName: 'srv.example', databaseName: 'db1' } });
    expect(first.status).toBe(201);
    for (const serverName of ['SRV.example:1433', 'srv.example,1433', 'tcp:srv.example,1433', 'tcp:Srv.Example']) {
      const again = await api.call('POST', 'targets', { body: { type: 'database', serverName, databaseName: 'db1' } });
      expect(again.status).toBe(409);
      expect(again.text).toContain(first.body.id);
    }
  });

  it('refuses a result destination server the parser refuses: 400 naming its serverName', async () => {
    const res = await api.call('POST', 'jobs', {
      body: {
        name: 'dest-check',
        contentName: 'none',
        credentialName: 'anywhere',
        targetId: '00000000-0000-4000-8000-000000000000',
        resultSetDestination: { engine: 'postgres', serverName: '/tmp/sock', databaseName: 'd', schemaName: 'public', tableName: 't', credentialName: 'anywhere' },
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('body.resultSetDestination.serverName');
  });
});
