/**
 * A SQLite source's integers past 2^53 leave the attempt process as bigint, not as a rounded
 * number, and land exactly in a PostgreSQL bigint column; small integers stay numbers.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { writeResultSet } from '../../../src/results/writeResultSet';
import { createTargetDrivers, type TargetDrivers } from '../../../src/targets/registry';
import type { ConnectionCredential } from '../../../src/targets/driver';
import { createTestDatabase, pgServerName, pgUrl } from '../../support/postgres';

const credential: ConnectionCredential = { authentication: 'sql', username: 'postgres', password: 'unused-by-trust' };
let root: string;
let drivers: TargetDrivers;
let destination: Awaited<ReturnType<typeof createTestDatabase>>;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'ej-sqlite-int-'));
  fs.mkdirSync(path.join(root, 'tenants'));
  new Database(path.join(root, 'tenants', 'a.db')).close();
  drivers = createTargetDrivers({ sqliteTargets: { enabled: true, root }, sqlServer: { encrypt: true, trustServerCertificate: false } });
  destination = await createTestDatabase('sqint');
});
afterAll(async () => {
  await drivers.close();
  await destination.drop();
  fs.rmSync(root, { recursive: true, force: true });
});

it('carries 9223372036854775807 and -9223372036854775808 exactly from SQLite to PostgreSQL', async () => {
  const { resultSets } = await drivers
    .driverFor('sqlite')
    .run({ engine: 'sqlite', serverName: 'tenants', databaseName: 'a.db' }, credential, {
      script: 'SELECT 9223372036854775807 AS big_max, -9223372036854775808 AS big_min, 42 AS small',
      signal: new AbortController().signal,
      keepResultSets: 'first',
    });
  expect(resultSets[0].rows).toEqual([[9223372036854775807n, -9223372036854775808n, 42]]);
  await writeResultSet({
    destination: { engine: 'postgres', serverName: pgServerName(), databaseName: destination.name, schemaName: 'public', tableName: 'ints', credentialName: 'd' },
    credential,
    resultSet: resultSets[0],
    childExecutionId: crypto.randomUUID(),
    sourceServer: 'tenants',
    sourceDatabase: 'a.db',
    drivers,
  });
  const client = new Client({ connectionString: pgUrl(destination.name) });
  await client.connect();
  try {
    expect((await client.query('SELECT big_max::text, big_min::text, small::text FROM ints')).rows).toEqual([{ big_max: '9223372036854775807', big_min: '-9223372036854775808', small: '42' }]);
  } finally {
    await client.end();
  }
});
