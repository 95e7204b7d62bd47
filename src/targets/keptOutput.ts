/**
 * What a driver keeps of an attempt's output WHILE it reads it, so that no script can make the
 * host hold more than a bounded amount: rows nobody keeps are counted and dropped as they come,
 * and captured messages and result sets are bounded in bytes, keeping the head and the tail
 * (the first and the last messages, the first result sets and the last one) with counts of
 * what was cut between them. The destination's result set (the first, `maxRows` undefined) is
 * the one thing kept whole: the destination asks for every row.
 */
import type { OmittedOutput, RunOptions } from './driver';

/** Bytes of captured messages and result sets (beyond the destination's set) a driver keeps while reading; captureOutput later fits them into what is stored. */
export const KEPT_OUTPUT_BYTES = 256 * 1024;
/** Rows kept of each captured result set other than the destination's (one more than captureOutput stores, to tell it was cut). */
export const KEPT_ROWS_PER_CAPTURED_SET = 101;
/** A single message longer than this is cut (a RAISE NOTICE of a megabyte must not take the whole budget). */
export const KEPT_MESSAGE_CHARS = 8 * 1024;

/** A result set as it is kept: `columns` in the driver's own form, mapped when the attempt ends. */
export interface KeptSet<C> {
  columns: C;
  rows: unknown[][];
  /** Rows the statement returned, kept or not. */
  rowCount: number;
}

export interface OutputKeeper<C> {
  message(text: string): void;
  /** Starts the next result set; rows are then added with `row` until the next set starts. */
  resultSet(columns: C): void;
  row(row: unknown[]): void;
  /** What was kept so far (also after an error: the attempt keeps the output it produced before it). */
  output(): { resultSets: KeptSet<C>[]; messages: string[]; omitted: OmittedOutput };
}

/** Roughly the bytes a value takes as JSON: cheap enough to run on every kept row. */
export function approximateBytes(value: unknown): number {
  if (value === null || value === undefined) return 4;
  if (typeof value === 'string') return value.length + 2;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return 8;
  if (value instanceof Uint8Array) return value.byteLength * 2 + 4;
  if (value instanceof Date) return 26;
  if (Array.isArray(value)) return value.reduce<number>((n, v) => n + approximateBytes(v) + 1, 2);
  if (typeof value === 'object') return Object.entries(value).reduce<number>((n, [k, v]) => n + k.length + 4 + approximateBytes(v), 2);
  return 8;
}

const shorten = (text: string) => (text.length > KEPT_MESSAGE_CHARS ? `${text.slice(0, KEPT_MESSAGE_CHARS)}… (${text.length - KEPT_MESSAGE_CHARS} more characters)` : text);

/**
 * Keeps what `options` asks for: `none` keeps no rows, `first` the rows of the first result set
 * (up to `maxRows`), `all` the first set so, and the others bounded (head sets while they fit,
 * then only the latest). Messages are always kept, bounded: the first ones, then a window of
 * the latest. `maxBytes` is shared out: a quarter for the head messages, a quarter for the tail
 * messages, a quarter for the head result sets and a quarter for the last one.
 */
export function createOutputKeeper<C>(options: Pick<RunOptions, 'keepResultSets' | 'maxRows'>, maxBytes = KEPT_OUTPUT_BYTES): OutputKeeper<C> {
  const share = Math.floor(maxBytes / 4);
  const headMessages: string[] = [];
  const tailMessages: string[] = [];
  let headMessageBytes = 0;
  let tailMessageBytes = 0;
  let omittedMessages = 0;

  const headSets: KeptSet<C>[] = [];
  let headSetBytes = 0;
  let tail: KeptSet<C> | undefined;
  let tailBytes = 0;
  let omittedSets = 0;
  let seenSets = 0;
  /** Where the current set's rows go: kept (with a byte account) or only counted. */
  let current: { set: KeptSet<C>; rowCap: number; account: 'none' | 'head' | 'tail' | 'uncounted'; keep: boolean } | undefined;

  const rowCapOf = (index: number) => {
    if (index === 0) return options.maxRows ?? Number.POSITIVE_INFINITY;
    return Math.min(options.maxRows ?? KEPT_ROWS_PER_CAPTURED_SET, KEPT_ROWS_PER_CAPTURED_SET);
  };

  return {
    message(text) {
      const kept = shorten(text);
      const cost = kept.length + 2;
      if (omittedMessages === 0 && tailMessages.length === 0 && headMessageBytes + cost <= share) {
        headMessages.push(kept);
        headMessageBytes += cost;
        return;
      }
      tailMessages.push(kept);
      tailMessageBytes += cost;
      while (tailMessageBytes > share && tailMessages.length > 1) {
        tailMessageBytes -= tailMessages.shift()!.length + 2;
        omittedMessages++;
      }
    },

    resultSet(columns) {
      const index = seenSets++;
      const set: KeptSet<C> = { columns, rows: [], rowCount: 0 };
      const wanted = options.keepResultSets === 'all' || (options.keepResultSets === 'first' && index === 0);
      if (!wanted) {
        current = { set, rowCap: 0, account: 'none', keep: false };
        return;
      }
      const cost = approximateBytes(columns);
      // The destination's set is kept whole, outside the byte account.
      if (index === 0 && options.maxRows === undefined) {
        headSets.push(set);
        current = { set, rowCap: Number.POSITIVE_INFINITY, account: 'uncounted', keep: true };
        return;
      }
      if (!tail && headSetBytes + cost <= share) {
        headSets.push(set);
        headSetBytes += cost;
        current = { set, rowCap: rowCapOf(index), account: 'head', keep: true };
        return;
      }
      if (tail) omittedSets++;
      tail = set;
      tailBytes = cost;
      current = { set, rowCap: rowCapOf(index), account: 'tail', keep: true };
    },

    row(row) {
      if (!current) return; // rows without a description cannot happen; nothing to keep them in
      current.set.rowCount++;
      if (!current.keep || current.set.rows.length >= current.rowCap) return;
      if (current.account === 'uncounted') {
        current.set.rows.push(row);
        return;
      }
      const cost = approximateBytes(row);
      if (current.account === 'head') {
        if (headSetBytes + cost > share) return;
        headSetBytes += cost;
      } else {
        if (tailBytes + cost > share) return;
        tailBytes += cost;
      }
      current.set.rows.push(row);
    },

    output() {
      return {
        resultSets: tail ? [...headSets, tail] : [...headSets],
        messages: [...headMessages, ...tailMessages],
        omitted: { messages: omittedMessages, messagesAt: headMessages.length, resultSets: omittedSets, resultSetsAt: headSets.length },
      };
    },
  };
}
