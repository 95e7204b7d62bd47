import { Migrator } from 'kysely';
import { migrations } from '../../../src/control/migrate';
import { serverIdentity, type IdentityPlan } from '../../../src/control/migrations/0005_server_identity';
import { openControlDatabase, type ControlDatabase } from '../../../src/control/connection';
import { CONTROL_DIALECTS, createControlUrl } from '../../support/controlDatabases';

describe.each(CONTROL_DIALECTS)('migration 0005_server_identity on %s', (dialect) => {
  let control: ControlDatabase;
  let drop: () => Promise<void>;
  const reports: IdentityPlan[] = [];
  const migrator = () =>
    new Migrator({
      db: control.db,
      provider: { getMigrations: async () => ({ ...migrations(control.dialect), '0005_server_identity': serverIdentity((p) => reports.push(p)) }) },
      migrationTableName: 'schema_migrations',
      migrationLockTableName: 'schema_migrations_lock',
    });

  beforeAll(async () => {
    const created = await createControlUrl(dialect);
    drop = created.drop;
    control = openControlDatabase(created.url);
  });
  afterAll(async () => {
    await control.close();
    await drop();
  });

  it('recomputes keys with the one parser, keeps both rows of a collision and reports them, and refuses nothing at start-up', async () => {
    expect((await migrator().migrateTo('0004_trigger_fire_status')).error).toBeUndefined();
    const rows = [
      // Keys as the old readings made them.
      { id: 'a0000000-0000-4000-8000-000000000001', engine: 'sqlserver', serverName: 'srv', databaseName: 'db1', identityKey: 'database|sqlserver|srv,1433|db1||' },
      { id: 'a0000000-0000-4000-8000-000000000002', engine: 'sqlserver', serverName: 'tcp:srv,1433', databaseName: 'db1', identityKey: 'database|sqlserver|tcp:srv,1433|db1||' },
      { id: 'a0000000-0000-4000-8000-000000000003', engine: 'sqlserver', serverName: 'srv:1433', databaseName: 'db2', identityKey: 'database|sqlserver|srv:1433,1433|db2||' },
      { id: 'a0000000-0000-4000-8000-000000000004', engine: 'postgres', serverName: '/tmp/x', databaseName: 'd', identityKey: 'database|postgres|/tmp/x:5432|d||' },
      { id: 'a0000000-0000-4000-8000-000000000005', engine: 'sqlserver', serverName: '::1', databaseName: 'd', identityKey: 'database|sqlserver|::1,1433|d||' },
    ];
    for (const [i, r] of rows.entries()) {
      await control.db.insertInto('targets').values({ ...r, type: 'database', createdAt: `2026-01-0${i + 1}T00:00:00.000Z` } as never).execute();
    }

    const result = await migrator().migrateToLatest();
    expect(result.error).toBeUndefined();

    const keys = Object.fromEntries((await control.db.selectFrom('targets').select(['id', 'identityKey']).execute()).map((r) => [r.id, r.identityKey]));
    expect(keys).toEqual({
      [rows[0].id]: 'database|sqlserver|srv,1433|db1||',
      [rows[1].id]: 'database|sqlserver|tcp:srv,1433|db1||', // kept: it repeats rows[0]
      [rows[2].id]: 'database|sqlserver|srv,1433|db2||',
      [rows[3].id]: 'database|postgres|/tmp/x:5432|d||', // kept: its name is refused now
      [rows[4].id]: 'database|sqlserver|[::1],1433|d||',
    });
    expect(reports).toEqual([{ updates: expect.any(Array), duplicates: [{ id: rows[1].id, sameAs: rows[0].id }], unparsable: [rows[3].id] }]);
  });
});
