/**
 * SQL Server and Azure SQL targets (mssql over tedious). The script is split on GO lines like
 * sqlcmd and its batches run in order on one connection of a pool kept per server, database
 * and login. A cancel or a timeout cancels the running request (a TDS attention), and the
 * attempt throws TaskCanceledError or TaskTimeoutError. SQL Server cannot run where this is
 * developed: everything that can be checked without a server lives in the small modules this
 * one calls (GO splitting, error numbers, login options, query texts, column metadata, the
 * streamed reading of a batch). Rows are streamed (sqlServerStreaming.ts): the attempt keeps
 * what its options ask for within a bound (keptOutput.ts) and counts the rest, and a failing
 * script's error carries the messages and result sets read before it (withPartialOutput).
 */
import type { ConnectionPool, Request } from 'mssql';
import { boundAttempt, throwIfCanceled } from './attemptBounds';
import type { ConnectionCredential, DatabaseRef, OmittedOutput, ResultSet, RunResult, ShardLocation, TargetDriver } from './driver';
import { TargetError, TransientTargetError, withPartialOutput } from './errors';
import { batchRuns, splitGoBatches } from './goSplitter';
import { createOutputKeeper, type KeptSet } from './keptOutput';
import { createPoolCache } from './poolCache';
import { sqlServerColumnInfo, type MssqlColumn } from './sqlServerColumns';
import { connectableSqlServerConfig, sqlServerPoolKey, type SqlServerSettings } from './sqlServerConnection';
import { classifySqlServerError } from './sqlServerErrors';
import { withPinnedConnection } from './sqlServerPinnedConnection';
import { earlierSessionsOn, killSession, tagSession } from './sqlServerSessions';
import { listDatabasesOn, listElasticPoolDatabasesOn, readShardRowsOn, scriptRequest, sqlServerSession, type RequestParent } from './sqlServerRequests';
import { notAShardMapManager, toShardLocations } from './shardMap';
import { runStreamedBatch } from './sqlServerStreaming';

export interface SqlServerDriverOptions extends SqlServerSettings {
  /** A pool unused this long is closed. */
  poolIdleMs?: number;
  /** Bound on the driver's own queries (database lists, shard maps, result writes). */
  metadataTimeoutMs?: number;
}

const INVALID_OBJECT_NAME = 208;

const toResultSets = (kept: KeptSet<MssqlColumn[]>[]): ResultSet[] =>
  kept.map((set) => ({ engine: 'sqlserver', columns: set.columns.map(sqlServerColumnInfo), rows: set.rows, rowCount: set.rowCount }));

const omittedOf = (omitted: OmittedOutput) => (omitted.messages > 0 || omitted.resultSets > 0 ? { omitted } : {});

// Loaded on first use: most processes never reach a SQL Server target.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const mssql = () => require('mssql') as typeof import('mssql');

export function createSqlServerDriver(options: SqlServerDriverOptions): TargetDriver {
  const pools = createPoolCache<ConnectionPool>({ close: (pool) => pool.close(), idleMs: options.poolIdleMs ?? 5 * 60_000 });
  const metadataTimeoutMs = options.metadataTimeoutMs ?? 60_000;

  const master = (serverName: string): DatabaseRef => ({ engine: 'sqlserver', serverName, databaseName: 'master' });

  function withPool<T>(database: DatabaseRef, credential: ConnectionCredential, work: (pool: ConnectionPool) => Promise<T>): Promise<T> {
    const sql = mssql();
    return pools.use(
      sqlServerPoolKey(database, credential),
      async () => {
        // The credential's allowedServers judge the address (and a named instance's Browser port) before any login is sent.
        const pool = new sql.ConnectionPool(await connectableSqlServerConfig(database, credential, options));
        // Errors of idle connections surface on the next request; an unhandled 'error' event would end the process.
        pool.on('error', () => undefined);
        return pool.connect();
      },
      work,
    );
  }

  const classify = (error: unknown, database: DatabaseRef, credential: ConnectionCredential, batchLine?: number) =>
    error instanceof TargetError ? error : classifySqlServerError(error, { database, credential, batchLine });

  /** One of the driver's own queries on `master` or a manager database, errors classified (or translated first). */
  async function query<T>(
    database: DatabaseRef,
    credential: ConnectionCredential,
    read: (parent: RequestParent) => Promise<T>,
    translate: (error: unknown) => TargetError | undefined = () => undefined,
  ): Promise<T> {
    try {
      return await withPool(database, credential, read);
    } catch (error) {
      throw translate(error) ?? classify(error, database, credential);
    }
  }

  return {
    engine: 'sqlserver',

    async run(database, credential, runOptions): Promise<RunResult> {
      throwIfCanceled(runOptions.signal);
      const batches = splitGoBatches(runOptions.script);
      // Rows and messages are kept as they arrive, within a bound (keptOutput.ts); the rest are counted and dropped.
      const keeper = createOutputKeeper<MssqlColumn[]>(runOptions);
      let runs = 0;
      let batchLine = 1;
      let current: Request | undefined;
      let stopped!: (error: TargetError) => void;
      const stop = new Promise<never>((_, reject) => (stopped = reject));
      const bounds = boundAttempt(runOptions, () => {
        current?.cancel();
        stopped(bounds.error());
      });

      const work = withPool(database, credential, (pool) =>
        withPinnedConnection(pool, async (pinned) => {
          if (runOptions.sessionTag) await tagSession(pinned.asParent(), runOptions.sessionTag, metadataTimeoutMs);
          for (const batch of batches) {
            for (let i = 0; i < batch.repeat; i++) {
              if (bounds.reason) throw bounds.error();
              batchLine = batch.line;
              const request = scriptRequest(pinned.asParent());
              current = request;
              await runStreamedBatch(request, batch.text, keeper);
              current = undefined;
              runs++;
            }
          }
        }),
      );
      work.catch(() => undefined); // still settles after a stop; its outcome no longer matters
      stop.catch(() => undefined);
      const kept = () => {
        const output = keeper.output();
        return { resultSets: toResultSets(output.resultSets), messages: output.messages, ...omittedOf(output.omitted) };
      };
      try {
        await Promise.race([work, stop]);
        return { ...kept(), batches: runs };
      } catch (error) {
        // What the script printed and returned before the error (or the stop) stays with it: the attempt keeps it.
        if (bounds.reason) throw withPartialOutput(bounds.error(), kept());
        throw withPartialOutput(classify(error, database, credential, batchLine), kept());
      } finally {
        bounds.dispose();
      }
    },

    async listDatabases(serverName, credential) {
      return query(master(serverName), credential, (parent) => listDatabasesOn(parent, metadataTimeoutMs));
    },

    async listElasticPoolDatabases(serverName, poolName, credential) {
      return query(master(serverName), credential, (parent) => listElasticPoolDatabasesOn(parent, metadataTimeoutMs, poolName));
    },

    async readShardMap(manager, shardMapName, credential): Promise<ShardLocation[]> {
      const rows = await query(manager, credential, (parent) => readShardRowsOn(parent, metadataTimeoutMs, shardMapName), (error) =>
        (error as { number?: number }).number === INVALID_OBJECT_NAME ? notAShardMapManager(manager) : undefined,
      );
      return toShardLocations('sqlserver', manager, shardMapName, rows);
    },

    async withSession(database, credential, work) {
      try {
        return await withPool(database, credential, (pool) => withPinnedConnection(pool, (pinned) => work(sqlServerSession(() => pinned.asParent(), metadataTimeoutMs))));
      } catch (error) {
        throw classify(error, database, credential);
      }
    },

    async stopEarlierSessions(database, credential, tags, stopOptions = {}) {
      if (tags.length === 0) return;
      const until = Date.now() + (stopOptions.waitMs ?? 15_000);
      await query(database, credential, async (parent) => {
        for (;;) {
          const sessions = await earlierSessionsOn(parent, tags, metadataTimeoutMs);
          if (sessions.length === 0) return;
          if (Date.now() >= until) {
            throw new TransientTargetError(
              `An earlier attempt's session (${sessions.join(', ')}) is still running on the server; this attempt did not start, so the script never runs twice at once.`,
            );
          }
          // Without the KILL permission the session is left to end; the loop waits for it.
          for (const id of sessions) await killSession(parent, id, metadataTimeoutMs);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      });
    },

    async close() {
      await pools.close();
    },
  };
}
