/**
 * Counts the statements the process runs on an embedded SQLite control database: every one
 * goes through a better-sqlite3 Statement's `run`, `all`, `get` or `iterate` (Kysely's driver
 * runs queries and the `begin`/`commit` of its transactions that way), so wrapping those four
 * methods counts them all, whether the statement was prepared now or kept prepared, without
 * touching src/. SQLite targets run in worker processes, so nothing else in the benchmark's
 * process runs statements while a run is measured.
 */
import Database from 'better-sqlite3';

let executed = 0;
let installed = false;

/** Starts counting (once per process); returns a reader of the statements run so far. */
export function countControlStatements(): () => number {
  if (!installed) {
    installed = true;
    const probe = new Database(':memory:');
    const proto = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Record<'run' | 'all' | 'get' | 'iterate', (...args: unknown[]) => unknown>;
    probe.close();
    for (const method of ['run', 'all', 'get', 'iterate'] as const) {
      const original = proto[method];
      proto[method] = function counted(this: unknown, ...args: unknown[]) {
        executed++;
        return original.apply(this, args);
      };
    }
  }
  return () => executed;
}
