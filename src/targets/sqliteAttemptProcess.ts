/**
 * The program that runs one SQLite attempt in a child process. better-sqlite3 is synchronous
 * and cannot interrupt a statement (it exposes no sqlite3_interrupt), and a worker thread cannot
 * be stopped while it is inside native code: measured, Worker.terminate() waited for the whole
 * statement. Killing a process stops it at once; SQLite's journal rolls back the unfinished
 * write the next time the file is opened. The program is plain JavaScript held in a string so it
 * runs the same from ts-node, jest and the compiled build.
 */

export interface AttemptJob {
  file: string;
  pieces: { text: string; line: number }[];
  keepResultSets: 'none' | 'first' | 'all';
  maxRows: number | null;
  busyTimeoutMs: number;
}

export interface AttemptColumn {
  name: string;
  /** The declared type, when the column comes straight from a table. */
  declaredType: string | null;
}

export type AttemptReply =
  | { ok: true; statements: number; resultSets: { columns: AttemptColumn[]; rows: unknown[][]; rowCount: number }[] }
  | { ok: false; code: string | null; message: string; line: number | null; statements: number };

export const SQLITE_ATTEMPT_PROGRAM = String.raw`
'use strict';
const Database = require(process.argv[1]);
process.once('message', (job) => {
  let db;
  let statements = 0;
  let line = null;
  let reply;
  try {
    db = new Database(job.file, { fileMustExist: true, timeout: job.busyTimeoutMs });
    const resultSets = [];
    let readers = 0;
    let pending = '';
    let pendingLine = null;
    for (const piece of job.pieces) {
      const sql = pending + piece.text;
      line = pendingLine === null ? piece.line : pendingLine;
      let statement;
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
      if (statement.reader) {
        const keep = job.keepResultSets === 'all' || (job.keepResultSets === 'first' && readers === 0);
        readers++;
        const columns = statement.columns().map((c) => ({ name: c.name, declaredType: c.type }));
        statement.raw(true);
        const rows = [];
        let rowCount = 0;
        for (const row of statement.iterate()) {
          rowCount++;
          if (keep && (job.maxRows === null || rows.length < job.maxRows)) rows.push(row);
        }
        if (keep) resultSets.push({ columns, rows, rowCount });
      } else {
        statement.run();
      }
      statements++;
    }
    if (pending.trim()) db.exec(pending); // let SQLite word the error of an unfinished statement
    reply = { ok: true, statements, resultSets };
  } catch (error) {
    reply = { ok: false, code: error && error.code ? String(error.code) : null, message: String(error && error.message || error), line, statements };
  } finally {
    try { if (db) db.close(); } catch (ignored) {}
  }
  process.send(reply, () => process.disconnect());
});
`;
