/**
 * The two kinds of request the SQL Server driver sends, and the readers of their rows.
 *
 * mssql shapes rows by the request's `arrayRowMode` (mssql lib/tedious/request.js,
 * `createColumns` and the `row` handler): in array mode a row is an array of values and
 * `recordset.columns` an array of column metadata, so a user's script keeps unnamed and
 * duplicate columns; in object mode a row is an object keyed by column name and
 * `recordset.columns` an object keyed the same way. The driver's own queries (database lists,
 * shard maps, the result writer) read columns by name, so they use object mode. The mode is set
 * on every request here and never inherited from the pool's config (a request whose mode is
 * null takes `pool.config.arrayRowMode`), so the two cannot be mixed up again.
 */
import type { ConnectionPool, Request } from 'mssql';
import type { SqlSession } from './driver';
import type { ShardRow } from './shardMap';
import { LIST_DATABASES_SQL, LIST_ELASTIC_POOL_DATABASES_SQL, READ_SHARD_MAP_SQL } from './sqlServerQueries';

// Loaded on first use: most processes never reach a SQL Server target.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const mssql = () => require('mssql') as typeof import('mssql');

/** A pool, or a pinned connection posing as one (sqlServerPinnedConnection.ts). */
export type RequestParent = ConnectionPool;

/** A request for the user's script: rows as arrays, `recordset.columns` an array in column order. */
export function scriptRequest(parent: RequestParent): Request {
  const request = new (mssql().Request)(parent);
  request.arrayRowMode = true;
  return request;
}

/** A request for the driver's own queries: rows as objects keyed by column name, bounded by `timeoutMs`. */
export function ownRequest(parent: RequestParent, timeoutMs: number): Request {
  // mssql 12 takes per-request overrides as a second argument; its typings do not know it yet.
  const request = new (mssql().Request as unknown as new (p: ConnectionPool, o: { requestTimeout: number }) => Request)(parent, { requestTimeout: timeoutMs });
  request.arrayRowMode = false;
  return request;
}

/** Rows of the first result set of `text`, as objects; `inputs` are nvarchar parameters (@name). */
export async function ownQuery<T>(parent: RequestParent, timeoutMs: number, text: string, inputs: Record<string, string> = {}): Promise<T[]> {
  const request = ownRequest(parent, timeoutMs);
  for (const [name, value] of Object.entries(inputs)) request.input(name, mssql().NVarChar(4000), value);
  return ((await request.query(text)).recordset ?? []) as unknown as T[];
}

/** A column read by name that is not there is a reader bug (a row in the wrong mode), never an empty value. */
function nameColumn(row: Record<string, unknown>): string {
  if (typeof row.name !== 'string') throw new Error(`A database list row has no text column 'name' (got ${JSON.stringify(Object.keys(row))}).`);
  return row.name;
}

/** User databases of the server the parent is connected to (run it on `master`). */
export async function listDatabasesOn(parent: RequestParent, timeoutMs: number): Promise<string[]> {
  return (await ownQuery<Record<string, unknown>>(parent, timeoutMs, LIST_DATABASES_SQL)).map(nameColumn);
}

/** Databases of one elastic pool (run it on `master` of an Azure SQL logical server). */
export async function listElasticPoolDatabasesOn(parent: RequestParent, timeoutMs: number, poolName: string): Promise<string[]> {
  return (await ownQuery<Record<string, unknown>>(parent, timeoutMs, LIST_ELASTIC_POOL_DATABASES_SQL, { poolName })).map(nameColumn);
}

/** The shard rows of one shard map (run it on the shard map manager database). */
export function readShardRowsOn(parent: RequestParent, timeoutMs: number, shardMapName: string): Promise<ShardRow[]> {
  return ownQuery<ShardRow>(parent, timeoutMs, READ_SHARD_MAP_SQL, { shardMapName });
}

/**
 * The result writer's session on one connection: `@p1`, `@p2`... parameters, rows as objects.
 * A Date parameter is sent as datetime2(7) (mssql would send datetime, 3.33 ms steps).
 */
export function sqlServerSession(parent: () => RequestParent, timeoutMs: number): SqlSession {
  const session: SqlSession = {
    async query(text, params = []) {
      const request = ownRequest(parent(), timeoutMs);
      params.forEach((value, i) => {
        if (value instanceof Date) request.input(`p${i + 1}`, mssql().DateTime2(7), value);
        else request.input(`p${i + 1}`, value);
      });
      return ((await request.query(text)).recordset ?? []) as Record<string, unknown>[];
    },
    async transaction(work) {
      await ownRequest(parent(), timeoutMs).batch('BEGIN TRANSACTION');
      try {
        const result = await work(session);
        await ownRequest(parent(), timeoutMs).batch('COMMIT TRANSACTION');
        return result;
      } catch (error) {
        await ownRequest(parent(), timeoutMs)
          .batch('IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION')
          .catch(() => undefined);
        throw error;
      }
    },
  };
  return session;
}
