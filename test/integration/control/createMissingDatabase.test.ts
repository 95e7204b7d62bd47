/**
 * `serve --control-db postgres://.../missing`: the control database is created when the login
 * may, and a login without CREATEDB gets one plain sentence with the command to run, against the
 * machine's real PostgreSQL.
 */
import crypto from 'node:crypto';
import { ControlDatabaseMissingError, createMissingPostgresDatabase } from '../../../src/control/createMissingDatabase';
import { adminQuery, dropDatabase, pgUrl, uniqueDatabaseName } from '../../support/postgres';

const exists = async (name: string) => (await adminQuery('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;

describe('a missing PostgreSQL control database', () => {
  const created: string[] = [];
  const role = `ej_nocreate_${crypto.randomBytes(4).toString('hex')}`;
  beforeAll(async () => {
    await adminQuery(`CREATE ROLE ${role} LOGIN NOCREATEDB`);
  });
  afterAll(async () => {
    for (const name of created) await dropDatabase(name);
    await adminQuery(`DROP ROLE IF EXISTS ${role}`);
  });

  it('is created when the login may create databases, and an existing one is left alone', async () => {
    const name = uniqueDatabaseName('ctl_missing');
    created.push(name);
    expect(await createMissingPostgresDatabase(pgUrl(name))).toBe(true);
    expect(await exists(name)).toBe(true);
    expect(await createMissingPostgresDatabase(pgUrl(name))).toBe(false);
  });

  it('is refused in plain words, with the statement to run, when the login may not', async () => {
    const name = uniqueDatabaseName('ctl_denied');
    const url = new URL(pgUrl(name));
    url.username = role;
    const error = await createMissingPostgresDatabase(url.toString()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ControlDatabaseMissingError);
    expect((error as Error).message).toBe(
      `The control database '${name}' does not exist on ${url.host}, and ${role} may not create databases. Create it (CREATE DATABASE "${name}";) or grant CREATEDB, then start again.`,
    );
    expect(await exists(name)).toBe(false);
  });
});
