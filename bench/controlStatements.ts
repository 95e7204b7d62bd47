/**
 * Counts the statements the process sends to an embedded SQLite control database: Kysely's
 * SQLite driver prepares every statement it runs (queries, and the `begin`/`commit` of each
 * transaction) through better-sqlite3's `Database.prototype.prepare`, so wrapping that one
 * method counts them all without touching src/. SQLite targets run in worker processes, so
 * nothing else in the benchmark's process prepares statements while a run is measured.
 */
import Database from 'better-sqlite3';

let prepared = 0;
let installed = false;

/** Starts counting (once per process); returns a reader of the statements prepared so far. */
export function countControlStatements(): () => number {
  if (!installed) {
    installed = true;
    const proto = Database.prototype as unknown as { prepare: (...args: unknown[]) => unknown };
    const prepare = proto.prepare;
    proto.prepare = function countedPrepare(this: unknown, ...args: unknown[]) {
      prepared++;
      return prepare.apply(this, args);
    };
  }
  return () => prepared;
}
