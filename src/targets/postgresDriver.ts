/**
 * PostgreSQL targets (pg). A new connection per attempt: the script runs as one simple query
 * (several statements allowed; PostgreSQL runs them in one implicit transaction unless the
 * script says otherwise), so the attempt is one round trip and one backend to cancel. A cancel
 * or a timeout sends pg_cancel_backend from a second connection; if the server does not end
 * the statement within a grace period, the connection is dropped so the attempt still ends.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, type ClientConfig, type FieldDef } from 'pg';
import { SESSION_NAME } from '../domain/attemptRecord';
import { boundAttempt, throwIfCanceled } from './attemptBounds';
import type { ConnectionCredential, DatabaseRef, OmittedOutput, ResultSet, RunResult, ShardLocation, SqlSession, TargetDriver } from './driver';
import { TargetError, PermanentTargetError, TransientTargetError, withPartialOutput } from './errors';
import { createOutputKeeper, type KeptSet } from './keptOutput';
import { runStreamed } from './postgresStreaming';
import { batchRuns, splitGoBatches } from './goSplitter';
import { classifyPostgresError } from './postgresErrors';
import { EXACT_RESULT_TYPES, POSTGRES_TYPE_NAMES, postgresColumnInfo } from './postgresTypes';
import { DEFAULT_PORTS } from '../domain/serverAddress';
import { admittedAddress } from './connectScope';
import { notAShardMapManager, READ_SHARD_MAP_SQL_BY_ENGINE, toShardLocations, type ShardRow } from './shardMap';

/** Databases that exist on every server (or every Azure flexible server) and are no user's target. */
export const POSTGRES_SYSTEM_DATABASES = ['postgres', 'azure_maintenance', 'azure_sys'] as const;

export const LIST_POSTGRES_DATABASES_SQL = `SELECT datname FROM pg_database
WHERE NOT datistemplate AND datallowconn AND datname <> ALL($1::text[])
ORDER BY datname`;

/** Sessions of earlier attempts, by their tag (a login may cancel and terminate its own role's backends). */
export const EARLIER_SESSIONS_SQL = `SELECT pid::int AS pid FROM pg_stat_activity
WHERE application_name = ANY($1::text[]) AND pid <> pg_backend_pid()`;

const ENTRA_SCOPE = 'https://ossrdbms-aad.database.windows.net/.default';

export interface PostgresDriverOptions {
  connectTimeoutMs?: number;
  /** How long a cancelled statement may take to end before the connection is dropped. */
  cancelGraceMs?: number;
  /**
   * POSTGRES_SSLMODE, as libpq names the modes: `disable` (no TLS), `require` (TLS, certificate
   * not verified), `verify-full` (TLS, certificate and host name verified). With TLS asked for,
   * a server that declines it gets no password (pg ends the connection on the server's 'N').
   * Left out: `verify-full` for Azure Database for PostgreSQL hosts, `disable` for others.
   */
  sslMode?: PostgresSslMode;
  /** Entra access token for `managedIdentity` credentials; by default @azure/identity's DefaultAzureCredential. */
  entraToken?: () => Promise<string>;
}

export type PostgresSslMode = 'disable' | 'require' | 'verify-full';

const isAzureHost = (host: string) => /\.postgres\.database\.azure\.com$|\.postgres\.cosmos\.azure\.com$/i.test(host);

function defaultEntraToken(): () => Promise<string> {
  let credential: import('@azure/identity').TokenCredential | undefined;
  return async () => {
    if (!credential) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { DefaultAzureCredential } = require('@azure/identity') as typeof import('@azure/identity');
      credential = new DefaultAzureCredential();
    }
    const token = await credential.getToken(ENTRA_SCOPE);
    if (!token) throw new PermanentTargetError('No Entra token for Azure Database for PostgreSQL could be obtained for the managed identity.');
    return token.token;
  };
}

/** `applicationName`: the attempt's session tag, else the product's name (pg_stat_activity.application_name). */
export function postgresClientConfig(database: DatabaseRef, credential: ConnectionCredential, options: PostgresDriverOptions = {}, applicationName: string = SESSION_NAME): ClientConfig {
  // Every connection is made from this config: the credential's allowedServers are judged here, on the parsed address.
  const address = admittedAddress('postgres', database.serverName, credential);
  const host = address.host;
  const port = address.port ?? DEFAULT_PORTS.postgres;
  const sslMode = options.sslMode ?? (isAzureHost(host) ? 'verify-full' : 'disable');
  let password: ClientConfig['password'];
  if (credential.authentication === 'managedIdentity') password = options.entraToken ?? defaultEntraToken();
  else password = credential.password ?? '';
  return {
    host,
    port,
    database: database.databaseName,
    user: credential.username,
    password,
    ssl: sslMode === 'disable' ? false : { rejectUnauthorized: sslMode === 'verify-full' },
    connectionTimeoutMillis: options.connectTimeoutMs ?? 15_000,
    application_name: applicationName,
  };
}

async function typeNames(client: Client, oids: number[]): Promise<Map<number, string>> {
  if (oids.length === 0) return new Map();
  try {
    const { rows } = await client.query<{ oid: number; typname: string }>('SELECT oid::int AS oid, typname FROM pg_type WHERE oid = ANY($1::oid[])', [oids]);
    return new Map(rows.map((r) => [r.oid, r.typname]));
  } catch {
    return new Map(); // a name is a nicety: the column becomes `unknown` and is written as text
  }
}

/** Kept sets with their column types named; `askServer` false after an error (the connection may be gone): unknown types stay unnamed. */
async function toResultSets(client: Client, kept: KeptSet<FieldDef[]>[], askServer = true): Promise<ResultSet[]> {
  const unknown = [...new Set(kept.flatMap((r) => r.columns.map((f) => f.dataTypeID)).filter((oid) => !POSTGRES_TYPE_NAMES[oid]))];
  const names = askServer ? await typeNames(client, unknown) : new Map<number, string>();
  return kept.map((r) => ({
    engine: 'postgres' as const,
    columns: r.columns.map((f) => postgresColumnInfo(f, POSTGRES_TYPE_NAMES[f.dataTypeID] ?? names.get(f.dataTypeID))),
    rows: r.rows,
    rowCount: r.rowCount,
  }));
}

const omittedOf = (omitted: OmittedOutput) => (omitted.messages > 0 || omitted.resultSets > 0 ? { omitted } : {});

export function createPostgresDriver(options: PostgresDriverOptions = {}): TargetDriver {
  const cancelGraceMs = options.cancelGraceMs ?? 5_000;

  const newClient = (database: DatabaseRef, credential: ConnectionCredential, applicationName?: string) => {
    const client = new Client(postgresClientConfig(database, credential, options, applicationName));
    // A connection the server drops between queries must not crash the process: the query in flight reports it.
    client.on('error', () => undefined);
    return client;
  };

  const classify = (error: unknown, database: DatabaseRef, credential: ConnectionCredential, script?: string) =>
    error instanceof TargetError ? error : classifyPostgresError(error, { database, credential, script });

  async function cancelBackend(database: DatabaseRef, credential: ConnectionCredential, pid: number): Promise<void> {
    const canceller = newClient(database, credential);
    try {
      await canceller.connect();
      await canceller.query('SELECT pg_cancel_backend($1)', [pid]);
    } catch {
      // The grace timer drops the connection instead.
    } finally {
      await canceller.end().catch(() => undefined);
    }
  }

  async function withClient<T>(database: DatabaseRef, credential: ConnectionCredential, work: (client: Client) => Promise<T>): Promise<T> {
    const client = newClient(database, credential);
    try {
      await client.connect();
      return await work(client);
    } catch (error) {
      throw classify(error, database, credential);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  const sessionOf = (client: Client): SqlSession => {
    const session: SqlSession = {
      async query(text, params) {
        return (await client.query(text, params as unknown[] | undefined)).rows as Record<string, unknown>[];
      },
      async transaction(work) {
        await client.query('BEGIN');
        try {
          const result = await work(session);
          await client.query('COMMIT');
          return result;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
      },
    };
    return session;
  };

  return {
    engine: 'postgres',

    async run(database, credential, runOptions): Promise<RunResult> {
      throwIfCanceled(runOptions.signal);
      const client = newClient(database, credential, runOptions.sessionTag);
      // Rows and notices are kept as they arrive, within a bound (keptOutput.ts); the rest are counted and dropped.
      const keeper = createOutputKeeper<FieldDef[]>(runOptions);
      client.on('notice', (notice) => keeper.message(notice.message ?? ''));
      let phase: 'connecting' | 'querying' | 'done' = 'connecting';
      let grace: NodeJS.Timeout | undefined;
      let failingBatch = runOptions.script;
      const bounds = boundAttempt(runOptions, () => {
        if (phase === 'connecting') {
          void client.end().catch(() => undefined);
        } else if (phase === 'querying') {
          // pg keeps the BackendKeyData pid on the client without typing it.
          const pid = (client as unknown as { processID: number | null }).processID;
          if (pid !== null) void cancelBackend(database, credential, pid);
          // The attempt must end even when the server cannot be reached to cancel.
          grace = setTimeout(() => void client.end().catch(() => undefined), cancelGraceMs);
        }
      });
      try {
        await client.connect();
        if (bounds.reason) throw bounds.error();
        phase = 'querying';
        // sqlcmd's GO works here too, so one script form serves every engine; each batch is one round trip.
        const batches = splitGoBatches(runOptions.script);
        for (const batch of batches) {
          for (let run = 0; run < batch.repeat; run++) {
            failingBatch = batch.text;
            await runStreamed(client, batch.text, EXACT_RESULT_TYPES, keeper);
            if (bounds.reason) throw bounds.error();
          }
        }
        phase = 'done';
        const kept = keeper.output();
        const resultSets = await toResultSets(client, kept.resultSets);
        return { resultSets, messages: kept.messages, batches: batchRuns(batches), ...omittedOf(kept.omitted) };
      } catch (error) {
        // What the script printed and returned before the error stays with it (the attempt keeps it).
        const kept = keeper.output();
        const partial = { resultSets: await toResultSets(client, kept.resultSets, false), messages: kept.messages, ...omittedOf(kept.omitted) };
        if (bounds.reason) throw withPartialOutput(bounds.error(), partial);
        throw withPartialOutput(classify(error, database, credential, failingBatch), partial);
      } finally {
        phase = 'done';
        bounds.dispose();
        clearTimeout(grace);
        await client.end().catch(() => undefined);
      }
    },

    async listDatabases(serverName, credential) {
      const admin: DatabaseRef = { engine: 'postgres', serverName, databaseName: 'postgres' };
      return withClient(admin, credential, async (client) => {
        const { rows } = await client.query<{ datname: string }>(LIST_POSTGRES_DATABASES_SQL, [POSTGRES_SYSTEM_DATABASES]);
        return rows.map((r) => r.datname);
      });
    },

    async readShardMap(manager, shardMapName, credential): Promise<ShardLocation[]> {
      return withClient(manager, credential, async (client) => {
        try {
          const { rows } = await client.query<ShardRow>(READ_SHARD_MAP_SQL_BY_ENGINE.postgres, [shardMapName]);
          return toShardLocations('postgres', manager, shardMapName, rows);
        } catch (error) {
          if ((error as { code?: string }).code === '42P01' || (error as { code?: string }).code === '3F000') throw notAShardMapManager(manager);
          throw error;
        }
      });
    },

    async withSession(database, credential, work) {
      return withClient(database, credential, (client) => work(sessionOf(client)));
    },

    async stopEarlierSessions(database, credential, tags, stopOptions = {}) {
      if (tags.length === 0) return;
      const waitMs = stopOptions.waitMs ?? 15_000;
      await withClient(database, credential, async (client) => {
        const until = Date.now() + waitMs;
        const cancelled = new Map<number, number>();
        for (;;) {
          // Every database of the server: the tag names the attempt wherever it connected.
          const { rows } = await client.query<{ pid: number }>(EARLIER_SESSIONS_SQL, [tags]);
          if (rows.length === 0) return;
          const now = Date.now();
          if (now >= until) {
            throw new TransientTargetError(
              `An earlier attempt's statement is still running on the server (backend ${rows.map((r) => r.pid).join(', ')}) after ${waitMs} ms; this attempt did not start, so the script never runs twice at once.`,
            );
          }
          for (const { pid } of rows) {
            // Cancel first (the statement ends, the transaction rolls back); terminate what a cancel did not end within a second.
            const since = cancelled.get(pid);
            if (since === undefined) {
              cancelled.set(pid, now);
              await client.query('SELECT pg_cancel_backend($1)', [pid]);
            } else if (now - since >= 1_000) {
              await client.query('SELECT pg_terminate_backend($1)', [pid]);
            }
          }
          await sleep(100);
        }
      });
    },

    async close() {},
  };
}
