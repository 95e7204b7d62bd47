/**
 * Real PostgreSQL databases for tests, created per run and dropped after. The server is the one
 * on this machine (PG_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/postgres).
 */
import crypto from 'node:crypto';
import { Client } from 'pg';

export const PG_ADMIN_URL = process.env.PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function pgUrl(database: string): string {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${database}`;
  return u.toString();
}

/** host:port of the test server, as a `serverName` of a postgres target. */
export function pgServerName(): string {
  const u = new URL(PG_ADMIN_URL);
  return `${u.hostname}:${u.port || '5432'}`;
}

export async function adminQuery(text: string, values?: unknown[]): Promise<import('pg').QueryResult> {
  const client = new Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

/** One statement in one database of the test server, on a connection of its own. */
export async function queryDatabase(database: string, text: string, values?: unknown[]): Promise<import('pg').QueryResult> {
  const client = new Client({ connectionString: pgUrl(database) });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

export function uniqueDatabaseName(prefix: string): string {
  return `ej_${prefix}_${crypto.randomBytes(4).toString('hex')}`.toLowerCase();
}

export async function createDatabase(name: string): Promise<string> {
  await adminQuery(`CREATE DATABASE "${name}"`);
  return pgUrl(name);
}

export async function dropDatabase(name: string): Promise<void> {
  await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

/** A fresh database for one test file; call `drop` in afterAll. */
export async function createTestDatabase(prefix: string): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const name = uniqueDatabaseName(prefix);
  const url = await createDatabase(name);
  return { name, url, drop: () => dropDatabase(name) };
}

/** How many sessions of other clients run a pg_sleep in `database` right now (pg_stat_activity). */
export async function sleepersIn(database: string): Promise<number> {
  const { rows } = await adminQuery(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND query ILIKE '%pg_sleep%' AND pid <> pg_backend_pid()`, [database]);
  return rows[0].n as number;
}
