/**
 * The benchmark's PostgreSQL databases, `ej_bench_0001`...: created when missing and kept, so
 * a second run does not pay for them again (`npm run bench -- drop` removes them).
 */
import { Client } from 'pg';

export const PG_ADMIN_URL = process.env.PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PREFIX = 'ej_bench_';

export function pgServerName(): string {
  const u = new URL(PG_ADMIN_URL);
  return `${u.hostname}:${u.port || '5432'}`;
}

async function withAdmin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export function benchDatabaseName(i: number): string {
  return `${PREFIX}${String(i).padStart(4, '0')}`;
}

export async function benchDatabases(count: number, print: (line: string) => void): Promise<string[]> {
  const wanted = Array.from({ length: count }, (_, i) => benchDatabaseName(i + 1));
  return withAdmin(async (client) => {
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${PREFIX}%`]);
    const existing = new Set(rows.map((r) => r.datname));
    const missing = wanted.filter((name) => !existing.has(name));
    if (missing.length) {
      const started = performance.now();
      for (const [i, name] of missing.entries()) {
        await client.query(`CREATE DATABASE "${name}"`);
        if ((i + 1) % 250 === 0) print(`  created ${i + 1}/${missing.length} benchmark databases`);
      }
      print(`created ${missing.length} benchmark databases in ${((performance.now() - started) / 1000).toFixed(1)} s (kept for the next run; \`npm run bench -- drop\` removes them)`);
    }
    return wanted;
  });
}

export async function dropBenchDatabases(print: (line: string) => void): Promise<void> {
  await withAdmin(async (client) => {
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1 ORDER BY datname', [`${PREFIX}%`]);
    for (const { datname } of rows) await client.query(`DROP DATABASE "${datname}" WITH (FORCE)`);
    print(`dropped ${rows.length} benchmark databases`);
  });
}

/** Runs `work` with the URL of a fresh, empty PostgreSQL database for a control database, dropped after. */
export async function withBenchControlDatabase<T>(work: (url: string) => Promise<T>): Promise<T> {
  const name = `ej_controlbench_${process.pid}_${Date.now()}`;
  await withAdmin((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  try {
    return await work(url.toString());
  } finally {
    await withAdmin((client) => client.query(`DROP DATABASE "${name}" WITH (FORCE)`));
  }
}
