/**
 * The product against a real SQL Server (MSSQL_TEST_URL), as a user drives it: the local host
 * over HTTP, jobs on databases this suite creates, results collected into SQL Server, a shard
 * map target, and the control database itself on SQL Server. Run with `npm run test:sqlserver`.
 */
import { startLocalHost, type RunningLocalHost } from '../support/localHost';
import { controlUrl, createDatabases, dropDatabases, hostEnv, query, RUN, serverName, settings } from './serverUnderTest';

// The seed's walkthrough script (CREATE TABLE / INSERT with GO), as the seed writes it.
const SEED_SCRIPT = `
IF NOT EXISTS (SELECT name FROM sys.tables WHERE name = 'TestTable')
BEGIN
	CREATE TABLE TestTable(
		TestTableId INT PRIMARY KEY IDENTITY,
		InsertionTime DATETIME2
	);
END
GO
INSERT INTO TestTable(InsertionTime) VALUES (sysutcdatetime());
GO`;

const COLLECT_SCRIPT = "SELECT DB_NAME() AS db, COUNT(*) AS n, CAST(12.5 AS decimal(9,2)) AS amount, N'ünï' AS label FROM TestTable";
const SYSTEM_DATABASES = ['master', 'tempdb', 'msdb', 'model'];

const tenants = [1, 2, 3].map((n) => `${RUN}_tenant${n}`);
const results = `${RUN}_results`;
const shardMapManager = `${RUN}_smm`;

interface Child {
  id: string;
  lifecycle: string;
  target: { serverName: string; databaseName: string } | null;
  lastMessage: string | null;
}

function client(host: RunningLocalHost) {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${host.url}/${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const ok = async (method: string, path: string, body?: unknown) => {
    const res = await call(method, path, body);
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  /** Starts an execution of `job` and waits until it ends: the parent, with its children. */
  const runJob = async (job: string) => {
    const started = await ok('POST', `jobs/${encodeURIComponent(job)}/executions`);
    for (;;) {
      const waited = await call('GET', `executions/${started.id}/wait?timeout=PT3M`);
      if (waited.status === 200) break;
    }
    return ok('GET', `executions/${started.id}?includeChildren=true`) as Promise<{ id: string; lifecycle: string; children: Child[] }>;
  };
  return { call, ok, runJob };
}

let host: RunningLocalHost;
let api: ReturnType<typeof client>;
const destination = (tableName: string) => ({ engine: 'sqlserver', serverName, databaseName: results, schemaName: 'dbo', tableName, credentialName: 'sqlserver' });

beforeAll(async () => {
  await createDatabases([...tenants, results, shardMapManager]);
  host = await startLocalHost({ env: hostEnv, timeoutMs: 60_000 });
  api = client(host);
  await api.ok('POST', 'credentials', { name: 'sqlserver', username: settings.user, password: settings.password, allowedServers: ['*'] });
  await api.ok('POST', 'execution-policies', {
    name: 'quick-retry',
    jobTimeout: 'PT10M',
    initialRetryInterval: 'PT1S',
    maximumRetryInterval: 'PT2S',
    retryIntervalBackoffCoefficient: 1,
    maximumAttempts: 3,
  });
});
afterAll(async () => {
  await host?.stop();
  await dropDatabases();
});

describe(`SQL Server at ${serverName}`, () => {
  let collection: string;

  it("runs the seed's walkthrough on a custom collection of three databases, twice: GO batches in order, two rows each", async () => {
    await api.ok('POST', 'contents', { name: 'Create a TestTable', type: 'script', commandText: SEED_SCRIPT });
    collection = (await api.ok('POST', 'targets', { type: 'customCollection', name: `${RUN} tenants` })).id;
    for (const databaseName of tenants) {
      const member = await api.ok('POST', 'targets', { type: 'database', engine: 'sqlserver', serverName, databaseName });
      await api.ok('POST', `targets/${collection}/members`, { targetId: member.id });
    }
    await api.ok('POST', 'jobs', { name: 'walkthrough', contentName: 'Create a TestTable', credentialName: 'sqlserver', targetId: collection });
    for (let run = 1; run <= 2; run++) {
      const execution = await api.runJob('walkthrough');
      expect([execution.lifecycle, execution.children.map((c) => [c.target?.databaseName, c.lifecycle])]).toEqual(['Succeeded', expect.arrayContaining(tenants.map((t) => [t, 'Succeeded']))]);
      expect(execution.children).toHaveLength(3);
    }
    for (const database of tenants) {
      expect(await query(database, 'SELECT COUNT(*) AS n FROM TestTable')).toEqual([{ n: 2 }]);
    }
  });

  it('a server target lists each user database (no system database) and runs one child per database, each in its own', async () => {
    const target = await api.ok('POST', 'targets', { type: 'server', engine: 'sqlserver', serverName, credentialName: 'sqlserver' });
    const listed = (await api.ok('GET', `targets/${target.id}/databases`)).items as { databaseName?: string }[];
    const names = listed.map((d) => d.databaseName);
    expect(names).toEqual(expect.arrayContaining([...tenants, results, shardMapManager]));
    expect(names.filter((n) => n === undefined || SYSTEM_DATABASES.includes(n.toLowerCase()))).toEqual([]);

    await api.ok('POST', 'contents', { name: 'where am i', type: 'script', commandText: 'SELECT DB_NAME() AS db' });
    await api.ok('POST', 'jobs', { name: 'every database', contentName: 'where am i', credentialName: 'sqlserver', targetId: target.id, resultSetDestination: destination('WhereAmI') });
    const execution = await api.runJob('every database');
    expect(execution.children.map((c) => c.target?.databaseName).sort()).toEqual([...names].sort());
    expect(execution.children.filter((c) => c.lifecycle !== 'Succeeded')).toEqual([]);
    const rows = await query<{ db: string; source_database: string }>(results, `SELECT db, source_database FROM dbo.WhereAmI`);
    expect(rows.map((r) => r.source_database).sort()).toEqual([...names].sort());
    expect(rows.filter((r) => r.db !== r.source_database)).toEqual([]);
  });

  it('collects a result set into SQL Server: decimal and unicode intact, the three added columns, a retried attempt never doubling rows', async () => {
    await api.ok('POST', 'contents', { name: 'collect', type: 'script', commandText: COLLECT_SCRIPT });
    await api.ok('POST', 'jobs', { name: 'collect', contentName: 'collect', credentialName: 'sqlserver', targetId: collection, resultSetDestination: destination('Collected') });
    const execution = await api.runJob('collect');
    expect(execution.lifecycle).toBe('Succeeded');
    const columns = await query<{ name: string; type: string }>(results, "SELECT COLUMN_NAME AS name, DATA_TYPE AS type FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_NAME = 'Collected' ORDER BY ORDINAL_POSITION");
    expect(columns.map((c) => c.name.toLowerCase())).toEqual(['db', 'n', 'amount', 'label', 'internal_execution_id', 'source_server', 'source_database']);
    const rows = await query<Record<string, unknown>>(results, 'SELECT db, n, CAST(amount AS nvarchar(20)) AS amount, label, CAST(internal_execution_id AS nvarchar(36)) AS child, source_server, source_database FROM dbo.Collected ORDER BY db');
    expect(rows).toEqual(
      tenants.map((t) => ({ db: t, n: 2, amount: '12.50', label: 'ünï', child: expect.any(String), source_server: serverName, source_database: t })),
    );
    const children = new Map(execution.children.map((c) => [c.id.toLowerCase(), c.target?.databaseName]));
    expect(rows.map((r) => children.get(String(r.child).toLowerCase()))).toEqual(rows.map((r) => r.db));

    // Every database fails its first attempt after the result set is read, then succeeds: one set of rows per child.
    await api.ok('POST', 'contents', {
      name: 'collect after a failure',
      type: 'script',
      commandText: `IF OBJECT_ID(N'dbo.Tries') IS NULL CREATE TABLE dbo.Tries (n int);
GO
INSERT INTO dbo.Tries VALUES (1);
${COLLECT_SCRIPT};
IF (SELECT COUNT(*) FROM dbo.Tries) < 2 THROW 50001, 'the first attempt fails on purpose', 1;`,
    });
    await api.ok('POST', 'jobs', { name: 'retried', contentName: 'collect after a failure', credentialName: 'sqlserver', targetId: collection, executionPolicyName: 'quick-retry', resultSetDestination: destination('Retried') });
    const retried = await api.runJob('retried');
    expect(retried.lifecycle).toBe('Succeeded');
    const tasks = (await api.ok('GET', `executions/${retried.id}/tasks`)).items as { lifecycle: string; attempt: number }[];
    expect(tasks.filter((t) => t.attempt === 2 && t.lifecycle === 'Succeeded')).toHaveLength(3);
    expect(await query(results, 'SELECT source_database, COUNT(*) AS n FROM dbo.Retried GROUP BY source_database ORDER BY source_database')).toEqual(tenants.map((t) => ({ source_database: t, n: 1 })));
  });

  it('a shard map target runs on the online shards of a shard map manager database, not the offline one', async () => {
    // The global tables of the Elastic Database client library (CreateShardMapManagerGlobal.sql), with their real columns.
    await query(shardMapManager, 'CREATE SCHEMA __ShardManagement');
    await query(
      shardMapManager,
      `CREATE TABLE __ShardManagement.ShardMapsGlobal (ShardMapId uniqueidentifier NOT NULL PRIMARY KEY, Name nvarchar(50) NOT NULL UNIQUE, ShardMapType int NOT NULL, KeyType int NOT NULL);
CREATE TABLE __ShardManagement.ShardsGlobal (ShardId uniqueidentifier NOT NULL PRIMARY KEY, Readable bit NOT NULL, Version uniqueidentifier NOT NULL,
  ShardMapId uniqueidentifier NOT NULL REFERENCES __ShardManagement.ShardMapsGlobal (ShardMapId), OperationId uniqueidentifier, Protocol int NOT NULL,
  ServerName nvarchar(128) NOT NULL, Port int NOT NULL, DatabaseName nvarchar(128) NOT NULL, Status int NOT NULL);`,
    );
    const shards = tenants.map((t, i) => `(NEWID(), 1, NEWID(), @map, NULL, 0, N'${settings.server}', ${settings.port}, N'${t}', ${i === 2 ? 0 : 1})`).join(',\n');
    await query(
      shardMapManager,
      `DECLARE @map uniqueidentifier = NEWID();
INSERT INTO __ShardManagement.ShardMapsGlobal (ShardMapId, Name, ShardMapType, KeyType) VALUES (@map, N'CustomerIDShardMap', 1, 1);
INSERT INTO __ShardManagement.ShardsGlobal (ShardId, Readable, Version, ShardMapId, OperationId, Protocol, ServerName, Port, DatabaseName, Status) VALUES ${shards};`,
    );
    const target = await api.ok('POST', 'targets', { type: 'shardMap', engine: 'sqlserver', serverName, databaseName: shardMapManager, shardMapName: 'CustomerIDShardMap', credentialName: 'sqlserver' });
    const listed = (await api.ok('GET', `targets/${target.id}/databases`)).items as { databaseName: string }[];
    expect(listed.map((d) => d.databaseName).sort()).toEqual(tenants.slice(0, 2));
    await api.ok('POST', 'jobs', { name: 'shards', contentName: 'where am i', credentialName: 'sqlserver', targetId: target.id, resultSetDestination: destination('Shards') });
    const execution = await api.runJob('shards');
    expect(execution.lifecycle).toBe('Succeeded');
    expect(await query(results, 'SELECT db FROM dbo.Shards ORDER BY db')).toEqual(tenants.slice(0, 2).map((db) => ({ db })));
  });
});

describe(`the control database on SQL Server at ${serverName}`, () => {
  const control = `${RUN}_control`;
  const load = Array.from({ length: 24 }, (_, i) => `${RUN}_load${String(i + 1).padStart(2, '0')}`);
  let controlHost: RunningLocalHost;
  let capi: ReturnType<typeof client>;

  beforeAll(async () => {
    await createDatabases([control, ...load]);
    controlHost = await startLocalHost({ env: { ...hostEnv, CONTROL_DB: controlUrl(control) }, timeoutMs: 120_000 });
    capi = client(controlHost);
  });
  afterAll(async () => controlHost?.stop());

  it('serves the HTTP surface: every kind of object created, read, changed, listed and deleted', async () => {
    expect((await capi.ok('GET', 'health')).controlDatabase).toBe('ok');
    await capi.ok('POST', 'credentials', { name: 'sqlserver', username: settings.user, password: settings.password, allowedServers: ['*'] });
    await capi.ok('PUT', 'credentials/sqlserver', { password: settings.password });
    expect((await capi.ok('GET', 'credentials')).items.map((c: { name: string }) => c.name)).toEqual(['sqlserver']);
    expect((await capi.call('POST', 'credentials', { name: 'sqlserver', username: 'x', password: 'y', allowedServers: ['*'] })).status).toBe(409);
    expect((await capi.call('POST', 'credentials', { name: 'nul', username: 'a\u0000b', password: 'y', allowedServers: ['*'] })).status).toBe(400);

    // A short loop, not WAITFOR (Babelfish has none): each attempt takes a moment, so attempts overlap the stop watcher's polls.
    await capi.ok('POST', 'contents', { name: 'where am i', type: 'script', commandText: 'DECLARE @i int = 0; WHILE @i < 20000 SET @i = @i + 1; SELECT DB_NAME() AS db;' });
    await capi.ok('POST', 'contents/where am i/versions', { commandText: 'SELECT DB_NAME() AS db', comment: 'no wait' });
    expect((await capi.ok('GET', 'contents/where am i/versions')).items).toHaveLength(2);
    await capi.ok('POST', 'execution-policies', { name: 'p', jobTimeout: 'PT10M', initialRetryInterval: 'PT1S', maximumRetryInterval: 'PT5S', retryIntervalBackoffCoefficient: 2, maximumAttempts: 2 });
    await capi.ok('PUT', 'execution-policies/p', { maximumAttempts: 3 });

    const collection = (await capi.ok('POST', 'targets', { type: 'customCollection', name: 'load' })).id;
    for (const databaseName of load) {
      const member = await capi.ok('POST', 'targets', { type: 'database', engine: 'sqlserver', serverName, databaseName });
      await capi.ok('POST', `targets/${collection}/members`, { targetId: member.id });
    }
    expect((await capi.ok('GET', `targets/${collection}/members`)).items).toHaveLength(24);
    expect((await capi.ok('GET', `targets/${collection}/databases`)).items).toHaveLength(24);
    await capi.ok('POST', 'jobs', { name: 'load', contentName: 'where am i', contentVersion: 1, credentialName: 'sqlserver', targetId: collection, executionPolicyName: 'p', maxParallelism: 24 });
    await capi.ok('PUT', 'jobs/load', { maxParallelism: 24 });
    await capi.ok('POST', 'schedules', { name: 'later', oneTime: true, startTime: '2099-01-01T00:00:00Z' });
    await capi.ok('POST', 'triggers', { jobName: 'load', scheduleName: 'later' });
    expect((await capi.ok('GET', 'triggers?jobName=load')).items).toHaveLength(1);
    expect((await capi.call('DELETE', 'triggers/load/later')).status).toBe(204);
    expect((await capi.call('DELETE', 'schedules/later')).status).toBe(204);
  });

  it('runs a 24-database job 10 times with no child ended that nobody ended', async () => {
    const outcomes: string[] = [];
    for (let run = 1; run <= 10; run++) {
      const execution = await capi.runJob('load');
      const notSucceeded = execution.children.filter((c) => c.lifecycle !== 'Succeeded').map((c) => `${c.target?.databaseName}: ${c.lifecycle} ${c.lastMessage ?? ''}`);
      outcomes.push(`run ${run}: ${execution.lifecycle}, ${execution.children.length} children${notSucceeded.length ? `; ${notSucceeded.join('; ')}` : ''}`);
    }
    process.stdout.write(`${outcomes.join('\n')}\n`);
    expect(outcomes).toEqual(Array.from({ length: 10 }, (_, i) => `run ${i + 1}: Succeeded, 24 children`));
  });

  it('runs a job of two steps with a canary, a failure threshold and a cap per server on this control database', async () => {
    await capi.ok('POST', 'contents', { name: 'stamp', type: 'script', commandText: "IF OBJECT_ID('stamps') IS NULL CREATE TABLE stamps (execution_id varchar(36), step varchar(64));\nGO\nINSERT INTO stamps VALUES ('$(job_execution_id)', '$(step_name)');" });
    const collection = (await capi.ok('GET', 'targets?limit=1000')).items.find((t: { name?: string }) => t.name === 'load').id as string;
    await capi.ok('POST', 'jobs', { name: 'railed', contentName: 'stamp', credentialName: 'sqlserver', targetId: collection, executionPolicyName: 'p', stepName: 'first', canary: { targets: 2 }, failureThreshold: { percent: 50 }, maxParallelismPerServer: 3, maxParallelism: 24 });
    await capi.ok('POST', 'jobs/railed/steps', { name: 'second', contentName: 'stamp', credentialName: 'sqlserver', targetId: collection, executionPolicyName: 'p' });
    const execution = await capi.runJob('railed');
    const view = await capi.ok('GET', `executions/${execution.id}`);
    expect(view.lifecycle).toBe('Succeeded');
    expect(view.steps.map((s: { name: string; lifecycle: string; counts: Record<string, number> }) => [s.name, s.lifecycle, s.counts])).toEqual([
      ['first', 'Succeeded', { Succeeded: 24 }],
      ['second', 'Succeeded', { Succeeded: 24 }],
    ]);
    for (const database of load.slice(0, 3)) {
      const stamps = await query<{ execution_id: string; step: string }>(database, 'SELECT execution_id, step FROM stamps ORDER BY step');
      expect(stamps).toEqual([
        { execution_id: execution.id, step: 'first' },
        { execution_id: execution.id, step: 'second' },
      ]);
    }
    // A rerun of what did not succeed: nothing, so 409.
    expect((await capi.call('POST', `executions/${execution.id}/rerun`)).status).toBe(409);
  });
});
