import { missingDatabaseOutcome } from '../../../src/domain/missingDatabase';

const database = { engine: 'postgres' as const, serverName: 'pg.example.net:5432', databaseName: 'tenant_7' };

describe('a database that does not exist', () => {
  it('fails, retryable, when the user named it: it may yet be created', () => {
    expect(missingDatabaseOutcome(database, 'named')).toEqual({
      lifecycle: 'Failed',
      retryable: true,
      message: "The database 'tenant_7' does not exist on server 'pg.example.net:5432'.",
    });
  });

  it('counts a child written before the origin was recorded as named: failing loudly beats skipping silently', () => {
    expect(missingDatabaseOutcome(database, null)).toMatchObject({ lifecycle: 'Failed', retryable: true });
  });

  it('is Skipped, not retried, when it was found by enumeration and has gone since', () => {
    const outcome = missingDatabaseOutcome(database, 'enumerated');
    expect(outcome).toMatchObject({ lifecycle: 'Skipped', retryable: false });
    expect(outcome.message).toContain("database 'tenant_7' does not exist on server 'pg.example.net:5432'");
  });
});
