/**
 * What a task execution keeps of an attempt's result sets and messages when the job captures
 * output: at most ROWS_PER_RESULT_SET rows per set and TOTAL_BYTES of JSON in all, the limits
 * written into the stored document so a reader knows what "truncated" means. Values are made
 * JSON-safe (bigint as text, binary as hex).
 */
import type { CapturedOutput } from '../domain/schemas/execution';
import type { RunResult } from '../targets/driver';

export const ROWS_PER_RESULT_SET = 100;
export const TOTAL_BYTES = 64 * 1024;

function jsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Buffer.isBuffer(value)) return `0x${value.toString('hex')}`;
  if (value instanceof Uint8Array) return `0x${Buffer.from(value).toString('hex')}`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)]));
  return value;
}

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

/** `result` undefined (a failed attempt whose driver attached no partial output) captures nothing. */
export function captureOutput(output: Pick<RunResult, 'resultSets' | 'messages'> | undefined): CapturedOutput {
  const result = output ?? { resultSets: [], messages: [] };
  const out: CapturedOutput = { resultSets: [], messages: [], truncated: false, limits: { rowsPerResultSet: ROWS_PER_RESULT_SET, totalBytes: TOTAL_BYTES } };
  // Room for the envelope itself, so the whole document stays under the limit.
  let budget = TOTAL_BYTES - bytes(out) - 64;
  for (const message of result.messages) {
    const cost = bytes(message) + 1;
    if (cost > budget) {
      out.truncated = true;
      break;
    }
    out.messages.push(message);
    budget -= cost;
  }
  for (const set of result.resultSets) {
    const captured = { columns: set.columns.map((c) => ({ name: c.name, type: c.type })), rows: [] as unknown[][], truncated: false };
    const cost = bytes(captured) + 1;
    if (cost > budget) {
      out.truncated = true;
      break;
    }
    budget -= cost;
    out.resultSets.push(captured);
    for (const [i, row] of set.rows.entries()) {
      const safe = jsonSafe(row) as unknown[];
      const rowCost = bytes(safe) + 1;
      if (i >= ROWS_PER_RESULT_SET || rowCost > budget) {
        captured.truncated = true;
        out.truncated = true;
        break;
      }
      captured.rows.push(safe);
      budget -= rowCost;
    }
    if ((set.rowCount ?? set.rows.length) > captured.rows.length) {
      captured.truncated = true;
      out.truncated = true;
    }
  }
  return out;
}
