/**
 * stopEarlierSessions on PostgreSQL: a statement an earlier attempt left running (found by its
 * session tag in pg_stat_activity) is ended before the next attempt may start; sessions with
 * other tags are left alone; no tag, nothing to do.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { sessionTagOf } from '../../../src/domain/attemptRecord';
import type { ConnectionCredential, DatabaseRef } from '../../../src/targets/driver';
import { createPostgresDriver } from '../../../src/targets/postgresDriver';
import { adminQuery, createTestDatabase, pgServerName } from '../../support/postgres';

const credential: ConnectionCredential = { authentication: 'sql', username: 'postgres', password: 'not-checked-by-trust-auth' };
const driver = createPostgresDriver({ cancelGraceMs: 3_000 });
let database: DatabaseRef;
let drop: () => Promise<void>;

const sessionsTagged = async (tag: string) =>
  (await adminQuery('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [tag])).rows[0].n as number;

beforeAll(async () => {
  const created = await createTestDatabase('earlier');
  drop = created.drop;
  database = { engine: 'postgres', serverName: pgServerName(), databaseName: created.name };
});
afterAll(() => drop());

describe('PostgreSQL earlier attempt sessions', () => {
  it('tags the attempt session and ends an earlier attempt statement before the next may start, sparing others', async () => {
    const earlier = sessionTagOf('11111111-1111-4111-8111-111111111111');
    const other = sessionTagOf('22222222-2222-4222-8222-222222222222');
    const run = (tag: string) => driver.run(database, credential, { script: 'SELECT pg_sleep(30)', signal: new AbortController().signal, keepResultSets: 'none', sessionTag: tag });
    const first = run(earlier);
    const second = run(other);
    first.catch(() => undefined);
    second.catch(() => undefined);
    for (let i = 0; i < 100 && ((await sessionsTagged(earlier)) === 0 || (await sessionsTagged(other)) === 0); i++) await sleep(50);
    expect(await sessionsTagged(earlier)).toBe(1);

    const began = Date.now();
    await driver.stopEarlierSessions(database, credential, [earlier]);
    expect(Date.now() - began).toBeLessThan(5_000);
    expect(await sessionsTagged(earlier)).toBe(0);
    await expect(first).rejects.toThrow();
    // Another child's attempt runs on.
    expect(await sessionsTagged(other)).toBe(1);
    await driver.stopEarlierSessions(database, credential, [other]);
    await expect(second).rejects.toThrow();
  }, 30_000);

  it('returns at once with no tags, and when no session carries them', async () => {
    await driver.stopEarlierSessions(database, credential, []);
    await driver.stopEarlierSessions(database, credential, [sessionTagOf('33333333-3333-4333-8333-333333333333')]);
  });
});
