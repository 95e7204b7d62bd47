/**
 * Over HTTP on the local host, as a user would: a `server` target on a PostgreSQL server and a
 * `shardMap` target run a collecting query; one destination table gathers a row set per
 * database, tagged with the child execution and where it came from; the dry run lists exactly
 * what the jobs then ran on.
 */
import { Client } from 'pg';
import { jsonClient } from '../support/httpClient';
import { startLocalHost, type RunningLocalHost } from '../support/localHost';
import { createTestDatabase, pgServerName } from '../support/postgres';
import { startPrivatePostgres, type PrivatePostgres } from '../support/privatePostgres';
import { createShardMapManager } from '../support/shardMap';

const ORDERS = (n: number) => `CREATE TABLE orders (id int PRIMARY KEY); INSERT INTO orders SELECT generate_series(1, ${n});`;

async function rows<T>(url: string, text: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('collecting a query from server and shard map targets into one table', () => {
  let server: PrivatePostgres;
  let host: RunningLocalHost;
  const created: Array<{ drop: () => Promise<void> }> = [];
  let manager: { name: string; url: string };
  let results: { name: string; url: string };
  const shards: string[] = [];

  beforeAll(async () => {
    server = await startPrivatePostgres();
    await server.createDatabase('tenant_a', ORDERS(3));
    await server.createDatabase('tenant_b', ORDERS(5));
    await server.createDatabase('tenant_c', ORDERS(7));
    for (const n of [2, 4, 6]) {
      const shard = await createTestDatabase(`shard${n}`);
      created.push(shard);
      shards.push(shard.name);
      await rows(shard.url, ORDERS(n));
    }
    const smm = await createTestDatabase('smm');
    const destination = await createTestDatabase('results');
    created.push(smm, destination);
    manager = smm;
    results = destination;
    const [host1, port] = pgServerName().split(':');
    await createShardMapManager(smm.url, [
      {
        name: 'tenants',
        shards: [
          ...shards.map((databaseName) => ({ serverName: host1, port: Number(port), databaseName })),
          { serverName: host1, port: Number(port), databaseName: 'offline_shard', status: 0 },
        ],
      },
    ]);
    host = await startLocalHost();
  }, 120_000);

  afterAll(async () => {
    await host?.stop();
    await server?.stop();
    for (const db of created) await db.drop();
  }, 60_000);

  it('gathers one row set per database with internal_execution_id, source_server and source_database', async () => {
    const api = jsonClient(host.url);
    await api.ok('POST', 'credentials', { name: 'pg', username: 'postgres', password: 'trust-auth-ignores-it', allowedServers: ['127.0.0.1*'] });
    await api.ok('POST', 'contents', { name: 'count-orders', type: 'script', commandText: 'SELECT current_database()::text AS db, count(*)::int AS orders FROM orders;' });
    const serverTarget = await api.ok('POST', 'targets', { type: 'server', engine: 'postgres', serverName: server.serverName, credentialName: 'pg' });
    const shardMap = await api.ok('POST', 'targets', {
      type: 'shardMap',
      engine: 'postgres',
      serverName: pgServerName(),
      databaseName: manager.name,
      shardMapName: 'tenants',
      credentialName: 'pg',
    });
    const destination = { engine: 'postgres', serverName: pgServerName(), databaseName: results.name, schemaName: 'collected', tableName: 'order_counts', credentialName: 'pg' };

    const dryRunServer = (await api.ok('GET', `targets/${serverTarget.id}/databases`)).items.map((d: { databaseName: string }) => d.databaseName).sort();
    expect(dryRunServer).toEqual(['tenant_a', 'tenant_b', 'tenant_c']);
    const dryRunShards = (await api.ok('GET', `targets/${shardMap.id}/databases`)).items.map((d: { databaseName: string }) => d.databaseName).sort();
    expect(dryRunShards).toEqual([...shards].sort());

    const ran: Record<string, string[]> = {};
    for (const [job, target] of [['count-server', serverTarget.id], ['count-shards', shardMap.id]] as const) {
      await api.ok('POST', 'jobs', { name: job, contentName: 'count-orders', credentialName: 'pg', targetId: target, resultSetDestination: destination });
      const started = await api.ok('POST', `jobs/${job}/executions`);
      let final = await api.call('GET', `executions/${started.id}/wait?timeout=PT1M&includeChildren=true`);
      while (final.status === 202) final = await api.call('GET', `executions/${started.id}/wait?timeout=PT1M&includeChildren=true`);
      expect(final.body.lifecycle).toBe('Succeeded');
      ran[job] = final.body.children.map((c: { id: string; target: { databaseName: string } }) => `${c.id} ${c.target.databaseName}`);
    }
    // What the dry run listed is what the jobs ran on.
    expect(ran['count-server'].map((s) => s.split(' ')[1]).sort()).toEqual(dryRunServer);
    expect(ran['count-shards'].map((s) => s.split(' ')[1]).sort()).toEqual(dryRunShards);

    const collected = await rows<{ internal_execution_id: string; source_server: string; source_database: string; db: string; orders: number }>(
      results.url,
      'SELECT internal_execution_id, source_server, source_database, db, orders FROM collected.order_counts ORDER BY source_database',
    );
    const expected = [
      ...ran['count-server'].map((s) => ({ child: s.split(' ')[0], database: s.split(' ')[1], server: server.serverName })),
      ...ran['count-shards'].map((s) => ({ child: s.split(' ')[0], database: s.split(' ')[1], server: undefined as string | undefined })),
    ];
    expect(collected).toHaveLength(6);
    for (const row of collected) {
      const child = expected.find((e) => e.database === row.source_database)!;
      expect(row.internal_execution_id.toLowerCase()).toBe(child.child);
      expect(row.db).toBe(row.source_database);
      if (child.server) expect(row.source_server).toBe(child.server);
    }
    expect(Object.fromEntries(collected.map((r) => [r.db, r.orders]))).toEqual({
      tenant_a: 3,
      tenant_b: 5,
      tenant_c: 7,
      [shards[0]]: 2,
      [shards[1]]: 4,
      [shards[2]]: 6,
    });
  }, 120_000);
});
