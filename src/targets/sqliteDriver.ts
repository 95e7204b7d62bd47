/**
 * SQLite targets: a "server" is a folder under the configured root, a database a file in it.
 * Each attempt runs in its own child process (see sqliteAttemptProcess.ts), killed on cancel or
 * timeout. The file is never created by a run (a missing file is a missing database); the
 * result writer's session creates its destination file, in an existing folder only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { setTimeout as sleep } from 'node:timers/promises';
import { SESSION_NAME } from '../domain/attemptRecord';
import { boundAttempt, throwIfCanceled } from './attemptBounds';
import type { ColumnInfo, DatabaseRef, ResultSet, RunOptions, RunResult, SqlSession, TargetDriver } from './driver';
import { DatabaseMissingError, PermanentTargetError, TargetError, TransientTargetError, withPartialOutput } from './errors';
import { KEPT_OUTPUT_BYTES, KEPT_ROWS_PER_CAPTURED_SET } from './keptOutput';
import { createProcessSlots, DEFAULT_SQLITE_PROCESSES, DEFAULT_SQLITE_PROCESS_MEMORY_MB, watchResidentMemory } from './sqliteProcessLimits';
import { messageOf } from './redaction';
import { sqliteShardMapsUnsupported } from './shardMap';
import { SQLITE_ATTEMPT_PROGRAM, type AttemptColumn, type AttemptJob, type AttemptReply } from './sqliteAttemptProcess';
import { classifySqliteError } from './sqliteErrors';
import { createSqliteFileNoFollow, isSqliteFileName, resolveSqliteFile, resolveSqliteFolder } from './sqliteFiles';
import { splitGoBatches, batchRuns, checkStatementCount } from './goSplitter';
import { splitSqliteStatements, type StatementPiece } from './sqliteStatements';

export interface SqliteDriverOptions {
  /** The only folder SQLite targets may live under. */
  root: string;
  /** Attempt processes running at once; further attempts wait (see sqliteProcessLimits.ts). */
  maxProcesses?: number;
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

/** The attempt processes of this host by session tag, for stopEarlierSessions. */
const attemptProcesses = new Map<string, ChildProcess>();

/**
 * Attempt processes on this machine whose arguments carry one of `tags` and that still run
 * (Linux /proc; a zombie has already stopped). An earlier host's process ends itself when that
 * host dies (see the watchdog in sqliteAttemptProcess.ts); this finds one still on its way out.
 */
function taggedProcesses(tags: readonly string[]): number[] {
  if (process.platform !== 'linux') return [];
  const wanted = new Set(tags);
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (!args.some((a) => wanted.has(a))) continue;
      if (/^State:\s+Z/m.test(fs.readFileSync(`/proc/${entry}/status`, 'utf8'))) continue;
      found.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

function runInChild(job: AttemptJob, options: RunOptions, memoryMb: number): Promise<AttemptReply> {
  return new Promise((resolve, reject) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const moduleDir = path.dirname(require.resolve('better-sqlite3/package.json'));
    const tag = options.sessionTag ?? SESSION_NAME;
    // Half the bound for V8's old space (the rows it holds); the resident watch below bounds the whole process.
    const child = spawn(process.execPath, [`--max-old-space-size=${Math.max(32, Math.floor(memoryMb / 2))}`, '-e', SQLITE_ATTEMPT_PROGRAM, moduleDir, tag], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
      // The host's NODE_OPTIONS (an inspector port, a loader) are not for this helper.
      env: { ...process.env, NODE_OPTIONS: '' },
      windowsHide: true,
    });
    if (options.sessionTag) attemptProcesses.set(options.sessionTag, child);
    let reply: AttemptReply | undefined;
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < 4_000) stderr += chunk.toString();
    });
    const bounds = boundAttempt(options, () => child.kill('SIGKILL'));
    let overMb: number | undefined;
    const unwatch =
      child.pid === undefined
        ? () => undefined
        : watchResidentMemory(child.pid, memoryMb, (mb) => {
            overMb = mb;
            child.kill('SIGKILL');
          });
    child.on('message', (message) => {
      reply = message as AttemptReply;
      bounds.dispose();
      unwatch();
      resolve(reply);
    });
    child.on('error', (error) => {
      bounds.dispose();
      reject(new TransientTargetError(`The SQLite attempt process could not start: ${messageOf(error)}`));
    });
    // 'close', not 'exit': a process can be seen to exit before its last IPC message arrives, and
    // an attempt whose script committed must not be taken for one that died (it would run again).
    child.on('close', (code, signal) => {
      if (options.sessionTag && attemptProcesses.get(options.sessionTag) === child) attemptProcesses.delete(options.sessionTag);
      bounds.dispose();
      unwatch();
      if (reply) return;
      if (bounds.reason) reject(bounds.error());
      else if (overMb !== undefined || /heap out of memory|Allocation failed/i.test(stderr)) {
        // The same script would only run out again: not worth a retry.
        reject(new PermanentTargetError(`The SQLite attempt needed more than its memory bound of ${memoryMb} MB and was stopped; keep fewer rows (a destination keeps every row of the first result set).`));
      } else reject(new TransientTargetError(`The SQLite attempt process ended without an answer (${signal ?? `exit code ${code}`}): ${stderr.trim().slice(0, 500)}`));
    });
    child.send(job);
  });
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

export function createSqliteDriver(options: SqliteDriverOptions): TargetDriver {
  const busyTimeoutMs = options.busyTimeoutMs ?? 5_000;
  const slots = createProcessSlots(options.maxProcesses ?? DEFAULT_SQLITE_PROCESSES);
  const processMemoryMb = options.processMemoryMb ?? DEFAULT_SQLITE_PROCESS_MEMORY_MB;
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
      const startedAt = Date.now();
      throwIfCanceled(runOptions.signal);
      const file = existingFile(database);
      const batches = splitGoBatches(runOptions.script);
      const pieces = statementsOf(batches);
      const release = await slots.acquire(runOptions, runOptions.timeoutMs === undefined ? undefined : { timeoutMs: runOptions.timeoutMs, startedAt });
      let reply: AttemptReply;
      try {
        const job: AttemptJob = {
          file,
          pieces,
          keepResultSets: runOptions.keepResultSets,
          maxRows: runOptions.maxRows ?? null,
          busyTimeoutMs,
          capturedRows: KEPT_ROWS_PER_CAPTURED_SET,
          capturedBytes: Math.floor(KEPT_OUTPUT_BYTES / 4),
        };
        reply = await runInChild(job, runOptions, processMemoryMb);
      } finally {
        release();
      }
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
        const own = tags.map((t) => attemptProcesses.get(t)).filter((c): c is ChildProcess => c !== undefined);
        const others = taggedProcesses(tags).filter((pid) => !own.some((c) => c.pid === pid));
        if (own.length === 0 && others.length === 0) return;
        if (Date.now() >= until) throw new TransientTargetError('An earlier attempt\'s SQLite process is still running; this attempt did not start, so the script never runs twice at once.');
        // Killing is how a SQLite attempt is cancelled: its journal rolls the unfinished write back.
        for (const child of own) child.kill('SIGKILL');
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

    async close() {},
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
