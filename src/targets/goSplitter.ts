/**
 * Splits a T-SQL script into batches the way sqlcmd does: on a line holding only `GO` (any
 * case, leading blanks allowed), optionally followed by a count (`GO 3` runs the batch three
 * times) and a `--` comment. A GO inside a block comment (T-SQL nests them), a string literal
 * ('' escapes), a [bracketed] or "quoted" identifier is text, not a separator. Batches holding
 * only blanks and comments are not sent. One attempt runs at most MAX_STATEMENTS_PER_ATTEMPT
 * statements, repeats included (one rule for every engine): a short script with large GO
 * counts must not become unbounded work, nor, on a restart, the same unbounded work again.
 */
import { PermanentTargetError } from './errors';

export interface Batch {
  text: string;
  /** How many times to run it (the count after GO; 1 without one). */
  repeat: number;
  /** 1-based line of the script where the batch starts, for error messages. */
  line: number;
}

const GO_LINE = /^[ \t]*go(?:[ \t]+(\d+))?[ \t]*(?:--.*)?$/i;

/**
 * Statements (SQLite) or batches (SQL Server, PostgreSQL) one attempt may run, GO repeats
 * included. Past it the script is refused before anything runs (PermanentTargetError).
 */
export const MAX_STATEMENTS_PER_ATTEMPT = 10_000;

/** Throws PermanentTargetError when `count` statements (repeats included) exceed MAX_STATEMENTS_PER_ATTEMPT; `what` names them in the message. */
export function checkStatementCount(count: number, what = 'statements'): void {
  if (count > MAX_STATEMENTS_PER_ATTEMPT) {
    throw new PermanentTargetError(
      `The script would run ${count.toLocaleString('en-US')} ${what} (GO repeats included); an attempt runs at most ${MAX_STATEMENTS_PER_ATTEMPT.toLocaleString('en-US')}. Lower the counts after GO, or loop inside the script.`,
    );
  }
}

type State = { kind: 'code' } | { kind: 'block'; depth: number } | { kind: 'quoted'; close: string };

/** Scans one line from `state`; returns the state at its end and whether it held anything but blanks and comments. */
function scanLine(line: string, start: State): { state: State; code: boolean } {
  let state = start;
  let code = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    const next = line[i + 1];
    if (state.kind === 'block') {
      if (ch === '/' && next === '*') {
        state = { kind: 'block', depth: state.depth + 1 };
        i++;
      } else if (ch === '*' && next === '/') {
        state = state.depth === 1 ? { kind: 'code' } : { kind: 'block', depth: state.depth - 1 };
        i++;
      }
      continue;
    }
    if (state.kind === 'quoted') {
      code = true;
      if (ch === state.close) {
        if (next === state.close) i++; // '' ]] "" escape the closing character
        else state = { kind: 'code' };
      }
      continue;
    }
    if (ch === '-' && next === '-') break;
    if (ch === '/' && next === '*') {
      state = { kind: 'block', depth: 1 };
      i++;
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '[') {
      state = { kind: 'quoted', close: ch === '[' ? ']' : ch };
      code = true;
      continue;
    }
    if (!/\s/.test(ch)) code = true;
  }
  return { state, code };
}

export function splitGoBatches(script: string): Batch[] {
  const lines = script.split(/\r?\n/);
  const batches: Batch[] = [];
  let current: string[] = [];
  let currentStart = 1;
  let hasCode = false;
  let state: State = { kind: 'code' };

  const flush = (repeat: number, nextStart: number) => {
    if (hasCode) batches.push({ text: current.join('\n'), repeat, line: currentStart });
    current = [];
    hasCode = false;
    currentStart = nextStart;
  };

  lines.forEach((line, index) => {
    const go = state.kind === 'code' ? GO_LINE.exec(line) : null;
    if (go) {
      const repeat = go[1] === undefined ? 1 : Number(go[1]);
      if (repeat < 1 || repeat > MAX_STATEMENTS_PER_ATTEMPT) {
        throw new PermanentTargetError(`Line ${index + 1}: the count after GO must be between 1 and ${MAX_STATEMENTS_PER_ATTEMPT.toLocaleString('en-US')} (got ${go[1]}).`);
      }
      flush(repeat, index + 2);
      return;
    }
    const scanned = scanLine(line, state);
    state = scanned.state;
    hasCode ||= scanned.code;
    current.push(line);
  });
  flush(1, lines.length + 1);
  checkStatementCount(batchRuns(batches), 'batches');
  return batches;
}

/** Batches the server will run, repeats included. */
export function batchRuns(batches: readonly Batch[]): number {
  return batches.reduce((n, b) => n + b.repeat, 0);
}
