/**
 * SQLite targets: a "server" is a folder under the configured root, a database a file in it.
 * Each attempt runs in a worker process of the driver's pool (see sqliteWorkerPool.ts), killed
 * on cancel or timeout. The file is never created by a run (a missing file is a missing database); the
 * result writer's session creates its destination file, in an existing folder only.
 */
import fs from 'node:fs';
import path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { setTimeout as sleep } from 'node:timers/promises';
import { throwIfCanceled } from './attemptBounds';
import type { ColumnInfo, DatabaseRef, ResultSet, RunOptions, RunResult, SqlSession, TargetDriver } from './driver';
import { DatabaseMissingError, PermanentTargetError, TargetError, TransientTargetError, withPartialOutput } from './errors';
import { KEPT_OUTPUT_BYTES, KEPT_ROWS_PER_CAPTURED_SET } from './keptOutput';
import { DEFAULT_SQLITE_PROCESSES, DEFAULT_SQLITE_PROCESS_MEMORY_MB } from './sqliteProcessLimits';
import { messageOf } from './redaction';
import { sqliteShardMapsUnsupported } from './shardMap';
import { SQLITE_WORKER_MARK, type AttemptColumn, type AttemptJob } from './sqliteAttemptProcess';
import { classifySqliteError } from './sqliteErrors';
import { createSqliteFileNoFollow, isSqliteFileName, resolveSqliteFile, resolveSqliteFolder } from './sqliteFiles';
import { splitGoBatches, batchRuns, checkStatementCount } from './goSplitter';
import { splitSqliteStatements, type StatementPiece } from './sqliteStatements';
import { createSqliteWorkerPool, type SqliteWorkerStats } from './sqliteWorkerPool';

export interface SqliteDriverOptions {
  /** The only folder SQLite targets may live under. */
  root: string;
  /** Worker processes at once, busy or idle; further attempts wait (see sqliteProcessLimits.ts, sqliteWorkerPool.ts). */
  maxProcesses?: number;
  /** How long an idle worker process waits for another attempt before it exits (ms; default 30 s). */
  workerIdleMs?: number;
  /** Resident memory (MB) one attempt process may reach before it is killed and the attempt fails. */
  processMemoryMb?: number;
  /** How long a statement waits for a lock held by another connection before SQLITE_BUSY. */
  busyTimeoutMs?: number;
}

/** The type of a result column: its declared type, else what its first value is (an expression has no declared type). */
export function sqliteColumnInfo(column: AttemptColumn, index: number, rows: readonly unknown[][]): ColumnInfo {
  if (column.declaredType) return { name: column.name, type: column.declaredType.toLowerCase(), nullable: true };
  const value = rows.find((r) => r[index] !== null && r[index] !== undefined)?.[index];
  const type =
    typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value))
      ? 'integer'
      : typeof value === 'number'
        ? 'real'
        : typeof value === 'string'
          ? 'text'
          : value instanceof Uint8Array
            ? 'blob'
            : '';
  return { name: column.name, type, nullable: true };
}

// Structured clone turns a Buffer into a plain Uint8Array on its way from the child.
const asBuffer = (value: unknown) => (value instanceof Uint8Array && !Buffer.isBuffer(value) ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : value);

/**
 * SQLite worker processes on this machine that an earlier host started and that still run (Linux
 * /proc; a zombie has already stopped): their host is gone (the pid in their arguments is no
 * longer their parent). Such a worker ends itself within 100 ms of its host's death (see the
 * watchdog in sqliteAttemptProcess.ts); this finds one still on its way out, which may hold an
 * earlier attempt's statement. A pool worker serves many attempts, so its arguments carry no tag.
 */
function orphanedWorkers(): number[] {
  if (process.platform !== 'linux') return [];
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const at = args.indexOf(SQLITE_WORKER_MARK);
      if (at < 0) continue;
      const status = fs.readFileSync(`/proc/${entry}/status`, 'utf8');
      if (/^State:\s+Z/m.test(status)) continue;
      const parent = /^PPid:\s+(\d+)/m.exec(status)?.[1];
      if (parent !== undefined && parent === args[at + 1]) continue;
      found.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

/** Serialises the in-process sessions on one file: better-sqlite3 waits for a lock synchronously, which would block the very holder of that lock. */
function createFileLocks() {
  const tails = new Map<string, Promise<void>>();
  return async <T>(file: string, work: () => Promise<T>): Promise<T> => {
    const previous = tails.get(file) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = previous.then(() => mine);
    tails.set(file, tail);
    await previous;
    try {
      return await work();
    } finally {
      release();
      if (tails.get(file) === tail) tails.delete(file);
    }
  };
}

/** The SQLite driver, with a look at its worker processes (tests, diagnostics). */
export interface SqliteTargetDriver extends TargetDriver {
  workerStats(): SqliteWorkerStats;
}

export function createSqliteDriver(options: SqliteDriverOptions): SqliteTargetDriver {
  const busyTimeoutMs = options.busyTimeoutMs ?? 5_000;
  const workers = createSqliteWorkerPool({
    size: options.maxProcesses ?? DEFAULT_SQLITE_PROCESSES,
    memoryMb: options.processMemoryMb ?? DEFAULT_SQLITE_PROCESS_MEMORY_MB,
    idleMs: options.workerIdleMs,
  });
  const withFileLock = createFileLocks();
  const where = (database: DatabaseRef) => `${database.serverName}/${database.databaseName}`;

  function existingFile(database: DatabaseRef): string {
    const file = resolveSqliteFile(options.root, database.serverName, database.databaseName);
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    if (!stat) throw new DatabaseMissingError(`SQLite database '${where(database)}' does not exist.`);
    if (!stat.isFile()) throw new PermanentTargetError(`SQLite database '${where(database)}' is not a file.`);
    return file;
  }

  const sessionOf = (db: BetterSqlite3.Database): SqlSession => {
    const session: SqlSession = {
      async query(text, params = []) {
        const statement = db.prepare(text);
        if (statement.reader) return statement.all(...params) as Record<string, unknown>[];
        statement.run(...params);
        return [];
      },
      async transaction(work) {
        db.exec('BEGIN IMMEDIATE');
        try {
          const result = await work(session);
          db.exec('COMMIT');
          return result;
        } catch (error) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw error;
        }
      },
    };
    return session;
  };

  return {
    engine: 'sqlite',

    async run(database, _credential, runOptions): Promise<RunResult> {
      throwIfCanceled(runOptions.signal);
      const file = existingFile(database);
      const batches = splitGoBatches(runOptions.script);
      const job: AttemptJob = {
        file,
        pieces: statementsOf(batches),
        keepResultSets: runOptions.keepResultSets,
        maxRows: runOptions.maxRows ?? null,
        busyTimeoutMs,
        capturedRows: KEPT_ROWS_PER_CAPTURED_SET,
        capturedBytes: Math.floor(KEPT_OUTPUT_BYTES / 4),
      };
      const reply = await workers.run(job, runOptions);
      const resultSets: ResultSet[] = reply.resultSets.map((set) => {
        const rows = set.rows.map((row) => row.map(asBuffer));
        return { engine: 'sqlite', columns: set.columns.map((c, i) => sqliteColumnInfo(c, i, rows)), rows, rowCount: set.rowCount };
      });
      const omitted = reply.omittedResultSets > 0 ? { messages: 0, messagesAt: 0, resultSets: reply.omittedResultSets, resultSetsAt: reply.resultSetsAt } : undefined;
      if (!reply.ok) throw withPartialOutput(classifySqliteError(reply.code ?? undefined, reply.message, where(database), reply.line), { resultSets, messages: [], omitted });
      return { resultSets, messages: [], batches: batchRuns(batches), ...(omitted ? { omitted } : {}) };
    },

    async listDatabases(serverName) {
      const folder = resolveSqliteFolder(options.root, serverName);
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(folder, { withFileTypes: true });
      } catch {
        throw new PermanentTargetError(`SQLite folder '${serverName}' does not exist under the SQLite targets root.`);
      }
      return entries
        .filter((e) => e.isFile() && isSqliteFileName(e.name))
        .map((e) => e.name)
        .sort();
    },

    async readShardMap() {
      throw sqliteShardMapsUnsupported();
    },

    async stopEarlierSessions(_database, _credential, tags, stopOptions = {}) {
      const until = Date.now() + (stopOptions.waitMs ?? 15_000);
      for (;;) {
        // Killing is how a SQLite attempt is cancelled: its journal rolls the unfinished write back.
        const own = workers.killTagged(tags);
        const others = tags.length === 0 ? [] : orphanedWorkers();
        if (own === 0 && others.length === 0) return;
        if (Date.now() >= until) throw new TransientTargetError('An earlier attempt\'s SQLite process is still running; this attempt did not start, so the script never runs twice at once.');
        for (const pid of others) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
        await sleep(50);
      }
    },

    async withSession(database, _credential, work) {
      const file = resolveSqliteFile(options.root, database.serverName, database.databaseName);
      if (!fs.statSync(path.dirname(file), { throwIfNoEntry: false })?.isDirectory()) {
        throw new PermanentTargetError(`SQLite folder '${database.serverName}' does not exist under the SQLite targets root.`);
      }
      return withFileLock(file, async () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const Database = require('better-sqlite3') as typeof BetterSqlite3;
        let db: BetterSqlite3.Database;
        try {
          // Created here without following a link, then opened as an existing file: SQLite itself would follow one.
          createSqliteFileNoFollow(file);
          db = new Database(file, { timeout: busyTimeoutMs, fileMustExist: true });
        } catch (error) {
          if (error instanceof TargetError) throw error;
          if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw new PermanentTargetError(`SQLite database '${where(database)}' is a symbolic link, and cannot be created through it.`);
          throw classifySqliteError((error as { code?: string }).code, messageOf(error), where(database));
        }
        try {
          return await work(sessionOf(db));
        } catch (error) {
          if (error instanceof TargetError) throw error;
          const code = (error as { code?: unknown }).code;
          throw classifySqliteError(typeof code === 'string' ? code : undefined, messageOf(error), where(database));
        } finally {
          db.close();
        }
      });
    },

    workerStats: () => workers.stats(),

    async close() {
      workers.close();
    },
  };
}

/** The statements of a script's GO batches, in order, repeats included, with lines of the whole script. */
function statementsOf(batches: ReturnType<typeof splitGoBatches>): StatementPiece[] {
  const split = batches.map((batch) => splitSqliteStatements(batch.text).length);
  checkStatementCount(batches.reduce((n, batch, i) => n + split[i] * batch.repeat, 0));
  return batches.flatMap((batch) => {
    const pieces = splitSqliteStatements(batch.text).map((p) => ({ ...p, line: p.line + batch.line - 1 }));
    return Array.from({ length: batch.repeat }, () => pieces).flat();
  });
}
