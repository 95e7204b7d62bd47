/**
 * Opens the control database named by one setting (`CONTROL_DB`):
 *   sqlite:<file>                 embedded default (better-sqlite3)
 *   postgres://user@host:port/db  PostgreSQL (pg)
 *   mssql://server[:port]/db?...  SQL Server / Azure SQL (tedious); user:password@ for SQL auth,
 *                                 otherwise Entra (azure-active-directory-default)
 * This is the only module that knows which driver backs which dialect.
 */
import path from 'node:path';
import { CamelCasePlugin, Kysely, MssqlDialect, PostgresDialect, SqliteDialect } from 'kysely';
import { controlDialectOf, redactUrl, type ControlDialect } from '../domain/controlDatabaseUrl';
import { createPrivateFile, makePrivateFolder } from '../privateFiles';
import type { ControlSchema } from './schema';
import { requireTlsBeforeLogin } from '../targets/tediousTls';

// CONTROL_DB is parsed in src/domain, so src/config.ts checks it without importing the control layer.
export type { ControlDialect } from '../domain/controlDatabaseUrl';

export interface ControlDatabase {
  db: Kysely<ControlSchema>;
  dialect: ControlDialect;
  /** A description safe to log: no password. */
  description: string;
  close(): Promise<void>;
}

export function openControlDatabase(url: string): ControlDatabase {
  const dialect = controlDialectOf(url);
  const plugins = [new CamelCasePlugin()];
  const description = `${dialect} ${redactUrl(url)}`;
  if (dialect === 'sqlite') {
    const file = url.slice('sqlite:'.length);
    if (file !== ':memory:') {
      // Private from the start: SQLite gives the -wal and -shm files the database file's own mode.
      makePrivateFolder(path.dirname(path.resolve(file)));
      createPrivateFile(file);
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const BetterSqlite3 = require('better-sqlite3') as typeof import('better-sqlite3');
    const sqlite = new BetterSqlite3(file);
    sqlite.pragma('journal_mode = WAL');
    // WAL with synchronous NORMAL survives a killed process intact; only an OS crash or power loss can
    // lose the last commits. FULL would fsync every one of the several writes each attempt makes.
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    const db = new Kysely<ControlSchema>({ dialect: new SqliteDialect({ database: keptPrepared(sqlite) }), plugins });
    return { db, dialect, description, close: () => db.destroy() };
  }
  if (dialect === 'postgres') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Pool } = require('pg') as typeof import('pg');
    const pool = new Pool({ connectionString: url, max: 10 });
    // An idle client that loses its server must not crash the process: the next query reports it.
    pool.on('error', () => undefined);
    const db = new Kysely<ControlSchema>({ dialect: new PostgresDialect({ pool }), plugins });
    return { db, dialect, description, close: () => db.destroy() };
  }
  const db = new Kysely<ControlSchema>({ dialect: mssqlDialect(url), plugins });
  return { db, dialect, description, close: () => db.destroy() };
}

/** Statements kept prepared, at most (by SQL text: the queue's claim and record are two of a few dozen). */
const PREPARED_KEPT = 256;

/**
 * The SQLite database as Kysely's driver sees it, with its statements kept prepared: Kysely
 * prepares every query it runs (better-sqlite3's `prepare` compiles the SQL each time), and the
 * engine sends the same few statements for every attempt. Kysely runs a statement to its end
 * with `all` or `run` before it prepares the next, except `iterate` (streaming), which no code
 * here uses on the control database; a statement busy iterating is not handed out again.
 */
function keptPrepared(sqlite: import('better-sqlite3').Database) {
  const kept = new Map<string, import('better-sqlite3').Statement>();
  return {
    prepare(text: string) {
      let statement = kept.get(text);
      if (statement && !statement.busy) {
        // Most recently used last, so the oldest is the one dropped.
        kept.delete(text);
        kept.set(text, statement);
        return statement;
      }
      statement = sqlite.prepare(text);
      kept.set(text, statement);
      if (kept.size > PREPARED_KEPT) kept.delete(kept.keys().next().value!);
      return statement;
    },
    close: () => sqlite.close(),
  };
}

export interface MssqlConnectionSettings {
  server: string;
  port: number;
  database: string;
  user?: string;
  password?: string;
  encrypt: boolean;
  trustServerCertificate: boolean;
}

export function parseMssqlUrl(url: string): MssqlConnectionSettings {
  const u = new URL(url.replace(/^sqlserver:/, 'mssql:'));
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!u.hostname || !database) throw new Error('CONTROL_DB for SQL Server must look like mssql://server[:port]/database');
  return {
    server: u.hostname,
    port: u.port ? Number(u.port) : 1433,
    database,
    user: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    encrypt: u.searchParams.get('encrypt') !== 'false',
    trustServerCertificate: u.searchParams.get('trustServerCertificate') === 'true',
  };
}

/** tedious options for the control database: SQL auth when a user is given, else Entra. */
export function mssqlTediousConfig(s: MssqlConnectionSettings) {
  return {
    server: s.server,
    authentication: s.user
      ? { type: 'default' as const, options: { userName: s.user, password: s.password ?? '' } }
      : { type: 'azure-active-directory-default' as const, options: {} },
    options: {
      port: s.port,
      database: s.database,
      encrypt: s.encrypt,
      trustServerCertificate: s.trustServerCertificate,
      connectTimeout: 15_000,
      requestTimeout: 30_000,
    },
  };
}

function mssqlDialect(url: string): MssqlDialect {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tedious = require('tedious') as typeof import('tedious');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tarn = require('tarn') as typeof import('tarn');
  const config = mssqlTediousConfig(parseMssqlUrl(url));
  // encrypt=true (the default) must mean TLS here too: no login to a control database that declines it.
  requireTlsBeforeLogin();
  return new MssqlDialect({
    // propagateCreateError: a dead server fails the query at once instead of waiting for the pool.
    tarn: { ...tarn, options: { min: 0, max: 10, propagateCreateError: true } },
    tedious: { ...tedious, connectionFactory: () => new tedious.Connection(config as never) },
  });
}
