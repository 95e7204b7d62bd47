/**
 * What a task execution keeps of an attempt's result sets and messages when the job captures
 * output: at most ROWS_PER_RESULT_SET rows per set and TOTAL_BYTES of JSON in all, the limits
 * written into the stored document so a reader knows what "truncated" means. Over the limit
 * what matters is kept: the first messages and the last ones (a script's closing summary), the
 * first result sets and the last one, with `omitted` counting what was cut between them (also
 * what the driver already cut while reading, see src/targets/keptOutput.ts). Values are made
 * JSON-safe (bigint as text, binary as hex).
 */
import type { CapturedOutput } from '../domain/schemas/execution';
import type { ResultSet, RunResult } from '../targets/driver';

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

type CapturedSet = CapturedOutput['resultSets'][number];

/**
 * The first items that fit `headBudget` and the last that fit `tailBudget`, cut at one place.
 * `cutAt` is where an earlier cut already is (the driver's): the head stays before it and the
 * tail after it, so there is never more than one gap.
 */
function headAndTail<T>(items: readonly T[], cost: (item: T) => number, cutAt: number | undefined, headBudget: number, tailBudget: number) {
  const headEnd = cutAt ?? items.length;
  const head: T[] = [];
  let spent = 0;
  for (let i = 0; i < headEnd && spent + cost(items[i]) <= headBudget; i++) {
    spent += cost(items[i]);
    head.push(items[i]);
  }
  const tailStart = cutAt ?? head.length;
  const tail: T[] = [];
  let tailSpent = 0;
  for (let j = items.length - 1; j >= tailStart && tailSpent + cost(items[j]) <= tailBudget; j--) {
    tailSpent += cost(items[j]);
    tail.unshift(items[j]);
  }
  return { kept: [...head, ...tail], at: head.length, dropped: items.length - head.length - tail.length, spent: spent + tailSpent };
}

/** One result set within `budget` bytes: its first rows (at most ROWS_PER_RESULT_SET), or undefined when not even its columns fit. */
function captureSet(set: ResultSet, budget: number): { captured: CapturedSet; cost: number } | undefined {
  const captured: CapturedSet = { columns: set.columns.map((c) => ({ name: c.name, type: c.type })), rows: [], truncated: false };
  let cost = bytes(captured) + 1;
  if (cost > budget) return undefined;
  for (const [i, row] of set.rows.entries()) {
    const safe = jsonSafe(row) as unknown[];
    const rowCost = bytes(safe) + 1;
    if (i >= ROWS_PER_RESULT_SET || cost + rowCost > budget) {
      captured.truncated = true;
      break;
    }
    captured.rows.push(safe);
    cost += rowCost;
  }
  if ((set.rowCount ?? set.rows.length) > captured.rows.length) captured.truncated = true;
  return { captured, cost };
}

/**
 * The stored form of an attempt's output, at most TOTAL_BYTES of JSON: a quarter of the room
 * for the first messages, a quarter for the last ones, the rest for the result sets, the last
 * set taking at most half of that. `output` undefined (a failed attempt whose driver attached no
 * partial output) captures nothing.
 */
export function captureOutput(output: Pick<RunResult, 'resultSets' | 'messages' | 'omitted'> | undefined): CapturedOutput {
  const result = output ?? { resultSets: [], messages: [] };
  const earlier = result.omitted;
  const out: CapturedOutput = { resultSets: [], messages: [], truncated: false, limits: { rowsPerResultSet: ROWS_PER_RESULT_SET, totalBytes: TOTAL_BYTES } };
  // Room for the envelope itself and the omitted counts, so the whole document stays under the limit.
  const room = TOTAL_BYTES - bytes(out) - 160;

  const messages = headAndTail(result.messages, (m) => bytes(m) + 1, earlier?.messages ? earlier.messagesAt : undefined, room / 4, room / 4);
  out.messages = messages.kept;

  let setBudget = room - messages.spent;
  const sets = result.resultSets;
  const lastIndex = sets.length - 1;
  const last = lastIndex >= 0 ? captureSet(sets[lastIndex], setBudget / 2) : undefined;
  if (last) setBudget -= last.cost;
  const headEnd = Math.min(earlier?.resultSets ? earlier.resultSetsAt : lastIndex, lastIndex);
  for (let i = 0; i < headEnd; i++) {
    const captured = captureSet(sets[i], setBudget);
    if (!captured) break;
    out.resultSets.push(captured.captured);
    setBudget -= captured.cost;
  }
  const setsAt = out.resultSets.length;
  if (last) out.resultSets.push(last.captured);
  const droppedSets = sets.length - out.resultSets.length;

  const omittedMessages = (earlier?.messages ?? 0) + messages.dropped;
  const omittedSets = (earlier?.resultSets ?? 0) + droppedSets;
  if (omittedMessages > 0 || omittedSets > 0) {
    out.omitted = { messages: omittedMessages, messagesAt: messages.at, resultSets: omittedSets, resultSetsAt: setsAt };
  }
  out.truncated = omittedMessages > 0 || omittedSets > 0 || out.resultSets.some((s) => s.truncated);
  return out;
}
