/**
 * The program of a SQLite worker process, which runs attempts one at a time. better-sqlite3 is
 * synchronous and cannot interrupt a statement (it exposes no sqlite3_interrupt), and a worker
 * thread cannot be stopped while it is inside native code: measured, Worker.terminate() waited
 * for the whole statement. Killing a process stops it at once; SQLite's journal rolls back the
 * unfinished write the next time the file is opened. A process starts in 0.3-0.8 s, so the host
 * keeps a few and hands each one attempt after another (sqliteWorkerPool.ts); every attempt
 * opens and closes its own connection, so nothing of one (TEMP tables, PRAGMAs) reaches the
 * next. The program is plain JavaScript held in a string so it runs the same from ts-node, jest
 * and the compiled build.
 */

export interface AttemptJob {
  file: string;
  pieces: { text: string; line: number }[];
  keepResultSets: 'none' | 'first' | 'all';
  maxRows: number | null;
  busyTimeoutMs: number;
  /** Rows kept of each result set after the first (captured output only; see keptOutput.ts). */
  capturedRows: number;
  /** Bytes (roughly, as JSON) of captured result sets kept at the head, and again for the last one. */
  capturedBytes: number;
}

export interface AttemptColumn {
  name: string;
  /** The declared type, when the column comes straight from a table. */
  declaredType: string | null;
}

export interface AttemptResultSets {
  resultSets: { columns: AttemptColumn[]; rows: unknown[][]; rowCount: number }[];
  /** Result sets read and not kept, cut after the first `resultSetsAt` kept ones. */
  omittedResultSets: number;
  resultSetsAt: number;
}

/** The reply carries the result sets read so far also on failure: a failed attempt keeps what it produced. */
export type AttemptReply = (
  | ({ ok: true; statements: number } & AttemptResultSets)
  | ({ ok: false; code: string | null; message: string; line: number | null; statements: number } & AttemptResultSets)
) & {
  /** False when the attempt's connection could not be closed: the worker then holds state and is not used again. */
  closed: boolean;
};

/** What the host sends a worker (one attempt) and what the worker answers, matched by `id`. */
export interface WorkerRequest {
  id: number;
  job: AttemptJob;
}
export interface WorkerAnswer {
  id: number;
  reply: AttemptReply;
}

/** The argument that marks a SQLite worker process of this product in its command line (found again by stopEarlierSessions). */
export const SQLITE_WORKER_MARK = 'elastic-jobs-sqlite-worker';

/** The error code the program gives a statement it refuses to run (see REFUSED_PRAGMAS and the bytecode check). */
export const REFUSED_CODE = 'ELASTIC_JOBS_REFUSED';

/**
 * PRAGMAs a script may not run: each acts on the whole process or on files other than the
 * database (temp_store_directory is even applied while the statement is compiled). Every other
 * PRAGMA acts on the one connection or the one file. writable_schema is harmless here: the
 * build runs SQLite in defensive mode (SQLITE_DBCONFIG_DEFENSIVE), which forbids writing the schema.
 */
export const REFUSED_PRAGMAS = ['temp_store_directory', 'data_store_directory', 'hard_heap_limit', 'soft_heap_limit'] as const;

/**
 * The box a script runs in: better-sqlite3 exposes no authorizer (sqlite3_set_authorizer) and no
 * sqlite3_limit, so each statement is compiled twice, the second time under EXPLAIN, and its
 * bytecode read: ATTACH and DETACH call the internal functions sqlite_attach and sqlite_detach
 * (a Function opcode naming them), VACUUM INTO is a Vacuum opcode whose P2 names the register
 * holding the file name (P2 is 0 for a plain VACUUM). Such a statement is refused before it runs.
 * load_extension() needs nothing here: better-sqlite3 enables extension loading for its C API
 * only (SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION), so SQL's load_extension() answers "not authorized".
 * A PRAGMA is checked on its text, before compiling, because some act while being compiled.
 */
export const SQLITE_ATTEMPT_PROGRAM = String.raw`
'use strict';
const Database = require(process.argv[1]);
const REFUSED_PRAGMAS = new Set(${JSON.stringify(REFUSED_PRAGMAS)});
const REFUSED_CODE = ${JSON.stringify(REFUSED_CODE)};

// The first tokens of a statement, lower case, comments skipped, quoted names unquoted.
function leadingTokens(sql, max) {
  const tokens = [];
  let i = 0;
  while (i < sql.length && tokens.length < max) {
    const ch = sql[i];
    if (/\s/.test(ch)) { i++; continue; }
    if (ch === '-' && sql[i + 1] === '-') { const end = sql.indexOf('\n', i); i = end < 0 ? sql.length : end + 1; continue; }
    if (ch === '/' && sql[i + 1] === '*') { const end = sql.indexOf('*/', i + 2); i = end < 0 ? sql.length : end + 2; continue; }
    if (ch === '"' || ch === "'" || ch === '\x60' || ch === '[') {
      const close = ch === '[' ? ']' : ch;
      let text = '';
      let j = i + 1;
      for (; j < sql.length; j++) {
        if (sql[j] === close) {
          if (close !== ']' && sql[j + 1] === close) { text += close; j++; continue; }
          break;
        }
        text += sql[j];
      }
      tokens.push(text.toLowerCase());
      i = j + 1;
      continue;
    }
    const word = /^[A-Za-z0-9_$\u0080-\uffff]+/.exec(sql.slice(i, i + 200));
    if (word) { tokens.push(word[0].toLowerCase()); i += word[0].length; continue; }
    tokens.push(ch);
    i++;
  }
  return tokens;
}

function refuse(what) {
  const error = new Error(what + ' is refused on SQLite targets: a script works on its own database file only.');
  error.code = REFUSED_CODE;
  return error;
}

function checkPragma(sql) {
  let t = leadingTokens(sql, 8);
  if (t[0] === 'explain') t = t[1] === 'query' && t[2] === 'plan' ? t.slice(3) : t.slice(1);
  if (t[0] !== 'pragma') return;
  const name = t[2] === '.' ? t[3] : t[1];
  if (REFUSED_PRAGMAS.has(name)) throw refuse('PRAGMA ' + name);
}

function checkProgram(db, sql) {
  if (leadingTokens(sql, 1)[0] === 'explain') return; // an EXPLAIN runs nothing
  let program;
  try {
    program = db.prepare('EXPLAIN ' + sql).all();
  } catch (error) {
    throw refuse('A statement that cannot be checked (' + error.message + ')');
  }
  for (const op of program) {
    if (/func/i.test(op.opcode) && /^sqlite_(attach|detach)\(/.test(String(op.p4))) throw refuse('ATTACH and DETACH');
    if (op.opcode === 'Vacuum' && op.p2 !== 0) throw refuse('VACUUM INTO');
  }
}

function approximateBytes(value) {
  if (value === null || value === undefined) return 4;
  if (typeof value === 'string') return value.length + 2;
  if (value instanceof Uint8Array) return value.byteLength * 2 + 4;
  if (Array.isArray(value)) return value.reduce((n, v) => n + approximateBytes(v) + 1, 2);
  return 8;
}
// A statement inside SQLite never comes back to the event loop, so 'disconnect' cannot fire while
// it runs: a thread watches for the host's death (this process reparented) and ends the process,
// so no attempt outlives the host that started it. process.argv[2] marks the process as a worker,
// process.argv[3] is the pid of the host that started it.
const host = process.ppid;
const watchdog = new (require('node:worker_threads').Worker)('setInterval(() => { if (process.ppid !== ' + host + ') process.kill(process.pid, "SIGKILL"); }, 100);', { eval: true });
// Unref'd only once online: the 'message' listener is gone by then (once), and an unref'd worker
// not yet online would let the process exit before the job runs.
const watching = new Promise((resolve) => watchdog.once('online', () => { watchdog.unref(); resolve(); }));
function keptSets(kept) {
  return { resultSets: kept.tail ? kept.head.concat([kept.tail]) : kept.head, omittedResultSets: kept.omitted, resultSetsAt: kept.head.length };
}

// The host closing the channel (an idle worker let go, the host stopping) ends the worker.
process.on('disconnect', () => process.exit(0));
process.on('message', (request) => watching.then(() => {
  const job = request.job;
  let db;
  let statements = 0;
  let line = null;
  let reply;
  const kept = { head: [], tail: null, headBytes: 0, tailBytes: 0, omitted: 0 };
  try {
    db = new Database(job.file, { fileMustExist: true, timeout: job.busyTimeoutMs });
    let readers = 0;
    let pending = '';
    let pendingLine = null;
    for (const piece of job.pieces) {
      const sql = pending + piece.text;
      line = pendingLine === null ? piece.line : pendingLine;
      let statement;
      checkPragma(sql);
      try {
        statement = db.prepare(sql);
      } catch (error) {
        if (/incomplete input/.test(error.message)) {
          pending = sql;
          pendingLine = line;
          continue;
        }
        throw error;
      }
      pending = '';
      pendingLine = null;
      checkProgram(db, sql);
      if (statement.reader) {
        const index = readers++;
        const keep = job.keepResultSets === 'all' || (job.keepResultSets === 'first' && index === 0);
        const columns = statement.columns().map((c) => ({ name: c.name, declaredType: c.type }));
        statement.raw(true);
        // Integers as bigint, so none past 2^53 is rounded (exact result values); those that fit a number go back to one below.
        statement.safeIntegers(true);
        const set = { columns, rows: [], rowCount: 0 };
        // The destination's set (the first, no row cap) is kept whole; captured ones within a byte bound, head and tail.
        const whole = index === 0 && job.maxRows === null;
        const rowCap = index === 0 ? (job.maxRows === null ? Infinity : job.maxRows) : Math.min(job.maxRows === null ? job.capturedRows : job.maxRows, job.capturedRows);
        let account = null;
        if (keep) {
          if (whole) kept.head.push(set);
          else if (!kept.tail && kept.headBytes < job.capturedBytes) { kept.head.push(set); account = 'head'; }
          else { if (kept.tail) kept.omitted++; kept.tail = set; kept.tailBytes = 0; account = 'tail'; }
        }
        for (const read of statement.iterate()) {
          set.rowCount++;
          const row = read.map((v) => (typeof v === 'bigint' && v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v));
          if (!keep || set.rows.length >= rowCap) continue;
          if (account) {
            const cost = approximateBytes(row);
            const used = account === 'head' ? kept.headBytes : kept.tailBytes;
            if (used + cost > job.capturedBytes) continue;
            if (account === 'head') kept.headBytes += cost; else kept.tailBytes += cost;
          }
          set.rows.push(row);
        }
      } else {
        statement.run();
      }
      statements++;
    }
    if (pending.trim()) db.prepare(pending); // let SQLite word the error of an unfinished statement (never runs it)
    reply = { ok: true, statements, ...keptSets(kept) };
  } catch (error) {
    reply = { ok: false, code: error && error.code ? String(error.code) : null, message: String(error && error.message || error), line, statements, ...keptSets(kept) };
  }
  let closed = true;
  try { if (db) db.close(); } catch (ignored) { closed = false; }
  reply.closed = closed;
  process.send({ id: request.id, reply });
}));
`;
