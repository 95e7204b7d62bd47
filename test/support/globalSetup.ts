/** Fails the run at once, with the fix, when the PostgreSQL server the integration tests need is down. */
import { Client } from 'pg';

export default async function globalSetup(): Promise<void> {
  const url = process.env.PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (e) {
    throw new Error(
      `The tests need PostgreSQL at ${url} (${(e as Error).message}). Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}
