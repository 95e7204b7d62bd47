/**
 * One driver per engine (sqlserver, postgres, sqlite), all behind this interface: run a script on
 * one database (cancellable, bounded in time), and enumerate the databases a server, an elastic
 * pool or a shard map stands for. The execution layer and the result writer know nothing else
 * about engines.
 */
import type { Engine } from '../domain/schemas/common';

export interface DatabaseRef {
  engine: Engine;
  /** As the target gives it: `host`, `host,port` (sqlserver), `host:port` (postgres), a folder (sqlite). */
  serverName: string;
  databaseName: string;
}

/** The password in clear, for the time of one connection only. Never logged, never in an error. */
export interface ConnectionCredential {
  authentication: 'sql' | 'managedIdentity';
  username: string;
  password?: string;
  /**
   * The credential's `allowedServers`: the SQL Server and PostgreSQL drivers refuse, right
   * before connecting, an address these patterns do not admit (src/targets/connectScope.ts).
   * Every credential read from the control database carries them; left out, only the checks
   * made before the driver was called apply.
   */
  allowedServers?: readonly string[];
}

/** Column metadata of a result set, as the engine reports it (mapped to destination types by src/results). */
export interface ColumnInfo {
  name: string;
  /** Engine-native type name, lower case: `nvarchar`, `decimal`, `int4`, `text`, `datetime2`... Empty when the engine cannot tell (a SQLite expression with no value). */
  type: string;
  /** Characters for character types, bytes for binary ones; -1 for `max`. */
  length?: number;
  precision?: number;
  scale?: number;
  nullable: boolean;
}

export interface ResultSet {
  engine: Engine;
  columns: ColumnInfo[];
  rows: unknown[][];
  /** Rows the statement returned, kept or not (see RunOptions.maxRows). */
  rowCount?: number;
}

export interface RunOptions {
  script: string;
  /** Aborted on cancel: the driver cancels the running statement on the server and throws TaskCanceledError. */
  signal: AbortSignal;
  /** taskTimeout of the policy: past it the driver cancels the statement and throws TaskTimeoutError. */
  timeoutMs?: number;
  /** Which result sets to keep: the seed keeps the first (for the destination); `all` for captured output. */
  keepResultSets: 'none' | 'first' | 'all';
  /** Cap on rows kept per result set (the rest are counted, not kept). */
  maxRows?: number;
  /**
   * The attempt's session tag (see src/domain/attemptRecord.ts sessionTagOf): PostgreSQL
   * `application_name`, SQL Server CONTEXT_INFO, the SQLite attempt process's arguments, so a
   * later attempt can find this one's statement with `stopEarlierSessions`.
   */
  sessionTag?: string;
}

export interface RunResult {
  resultSets: ResultSet[];
  /** Informational messages (PRINT, RAISE NOTICE), in order. */
  messages: string[];
  /** Batches executed (a T-SQL script split on GO, with GO n repeats). */
  batches: number;
  /** What the driver left out while reading, to stay within its bound (see keptOutput.ts); absent when nothing was. */
  omitted?: OmittedOutput;
}

/** Messages and result sets a driver read but did not keep, all cut at one place between the head and the tail. */
export interface OmittedOutput {
  messages: number;
  /** The cut is after this many of the kept messages. */
  messagesAt: number;
  resultSets: number;
  /** The cut is after this many of the kept result sets. */
  resultSetsAt: number;
}

export interface ShardLocation extends DatabaseRef {
  /** 1 online; other values are offline in the Elastic Database client library. */
  status: number;
}

/**
 * A connection to one database for the result writer (src/results): plain SQL with positional
 * parameters written the engine's way (`$1` postgres, `?` sqlite, `@p1` sqlserver).
 */
export interface SqlSession {
  query(text: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  /** Runs `work` in one transaction on this connection: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (session: SqlSession) => Promise<T>): Promise<T>;
}

export interface TargetDriver {
  readonly engine: Engine;
  run(database: DatabaseRef, credential: ConnectionCredential, options: RunOptions): Promise<RunResult>;
  /** Every user database of a server (system databases and unavailable ones excluded). */
  listDatabases(serverName: string, credential: ConnectionCredential): Promise<string[]>;
  /** SQL Server only: the databases of an elastic pool. */
  listElasticPoolDatabases?(serverName: string, poolName: string, credential: ConnectionCredential): Promise<string[]>;
  /** The shards of a shard map, read from the shard map manager database. */
  readShardMap(manager: DatabaseRef, shardMapName: string, credential: ConnectionCredential): Promise<ShardLocation[]>;
  /**
   * Lends one connection to `work` and releases it after (the result writer's way in). Unlike
   * `run`, a SQLite destination file is created when missing (its folder must exist).
   */
  withSession?<T>(database: DatabaseRef, credential: ConnectionCredential, work: (session: SqlSession) => Promise<T>): Promise<T>;
  /**
   * Makes sure no session tagged with one of `tags` (earlier attempts of the same child) still
   * runs: cancels, then terminates each one found, and resolves once none is left. Throws a
   * TransientTargetError when one is still there after `waitMs` (default 15 s): the next
   * attempt then does not start. PostgreSQL: pg_stat_activity by
   * application_name, pg_cancel_backend then pg_terminate_backend (allowed on one's own role's
   * sessions). SQL Server: sys.dm_exec_sessions by CONTEXT_INFO and KILL (needs VIEW SERVER
   * STATE / VIEW DATABASE STATE to see other sessions, ALTER ANY CONNECTION / KILL DATABASE
   * CONNECTION to end them; without it the driver waits; a login that cannot see other sessions
   * finds none). SQLite: the attempt processes (killed; they also end when their host dies).
   */
  stopEarlierSessions(database: DatabaseRef, credential: ConnectionCredential, tags: readonly string[], options?: { waitMs?: number }): Promise<void>;
  /** Releases pools. */
  close(): Promise<void>;
}
