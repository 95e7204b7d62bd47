import { captureOutput, ROWS_PER_RESULT_SET, TOTAL_BYTES } from '../../../src/execution/capturedOutput';
import type { ResultSet } from '../../../src/targets/driver';

const set = (rows: unknown[][], rowCount?: number): ResultSet => ({ engine: 'postgres', columns: [{ name: 'v', type: 'text', nullable: true }], rows, rowCount });

describe('captured output of an attempt', () => {
  it('keeps small result sets and messages whole, with the limits written in', () => {
    const out = captureOutput({ resultSets: [set([['a'], ['b']])], messages: ['hello'] });
    expect(out).toEqual({
      resultSets: [{ columns: [{ name: 'v', type: 'text' }], rows: [['a'], ['b']], truncated: false }],
      messages: ['hello'],
      truncated: false,
      limits: { rowsPerResultSet: 100, totalBytes: 65536 },
    });
  });

  it('keeps the first hundred rows of a set and says it was cut, also when the driver kept fewer than it read', () => {
    const rows = Array.from({ length: 150 }, (_, i) => [i]);
    const out = captureOutput({ resultSets: [set(rows), set(rows.slice(0, 3), 50)], messages: [] });
    expect(out.resultSets[0].rows).toHaveLength(ROWS_PER_RESULT_SET);
    expect(out.resultSets[0].truncated).toBe(true);
    expect(out.resultSets[1].rows).toHaveLength(3);
    expect(out.resultSets[1].truncated).toBe(true);
    expect(out.truncated).toBe(true);
  });

  it('stays under the total size whatever the rows hold', () => {
    const wide = Array.from({ length: 100 }, () => ['x'.repeat(5_000)]);
    const out = captureOutput({ resultSets: [set(wide), set(wide)], messages: ['m'.repeat(10_000)] });
    expect(Buffer.byteLength(JSON.stringify(out))).toBeLessThanOrEqual(TOTAL_BYTES);
    expect(out.truncated).toBe(true);
    expect(out.messages).toEqual(['m'.repeat(10_000)]);
    expect(out.resultSets[0].rows.length).toBeGreaterThan(0);
  });

  it('turns values JSON cannot hold into text: bigint, binary, dates', () => {
    const out = captureOutput({ resultSets: [set([[12345678901234567890n, Buffer.from([1, 255]), new Date('2026-11-25T20:00:00Z')]])], messages: [] });
    expect(out.resultSets[0].rows[0]).toEqual(['12345678901234567890', '0x01ff', '2026-11-25T20:00:00.000Z']);
  });

  it('over the limit keeps the first and the last messages, the closing line included, and counts those cut', () => {
    const messages = [...Array.from({ length: 5_000 }, (_, i) => `progress ${i + 1} ${'.'.repeat(60)}`), 'summary: 5000 rows fixed'];
    const out = captureOutput({ resultSets: [], messages });
    expect(out.messages[0]).toMatch(/^progress 1 /);
    expect(out.messages.at(-1)).toBe('summary: 5000 rows fixed');
    expect(out.truncated).toBe(true);
    expect(out.omitted!.messages + out.messages.length).toBe(5_001);
    // One gap: everything before messagesAt is the head, everything after it the tail, in order.
    const at = out.omitted!.messagesAt;
    expect(out.messages[at - 1]).toBe(messages[at - 1]);
    expect(out.messages[at]).toBe(messages[at + out.omitted!.messages]);
    expect(Buffer.byteLength(JSON.stringify(out))).toBeLessThanOrEqual(TOTAL_BYTES);
  });

  it('keeps the cut the driver already made as the only gap, adding its counts', () => {
    const out = captureOutput({
      resultSets: [set([['first']]), set([['second']]), set([['last']])],
      messages: ['a', 'b', 'y', 'z'],
      omitted: { messages: 996, messagesAt: 2, resultSets: 40, resultSetsAt: 2 },
    });
    expect(out.messages).toEqual(['a', 'b', 'y', 'z']);
    expect(out.omitted).toEqual({ messages: 996, messagesAt: 2, resultSets: 40, resultSetsAt: 2 });
    expect(out.resultSets.map((s) => s.rows)).toEqual([[['first']], [['second']], [['last']]]);
    expect(out.truncated).toBe(true);
  });

  it('over the limit keeps the first result sets and the last one', () => {
    const wide = Array.from({ length: 100 }, (_, i) => [`${i}`.padEnd(400, 'x')]);
    const sets = Array.from({ length: 30 }, (_, i) => set([[`set ${i}`], ...wide]));
    const out = captureOutput({ resultSets: sets, messages: [] });
    expect(out.resultSets[0].rows[0]).toEqual(['set 0']);
    expect(out.resultSets.at(-1)!.rows[0]).toEqual(['set 29']);
    expect(out.omitted!.resultSets + out.resultSets.length).toBe(30);
    expect(out.omitted!.resultSets).toBeGreaterThan(0);
    expect(Buffer.byteLength(JSON.stringify(out))).toBeLessThanOrEqual(TOTAL_BYTES);
  });

  it('captures nothing, and says nothing was cut, when a failed attempt brought no output', () => {
    expect(captureOutput(undefined)).toEqual({ resultSets: [], messages: [], truncated: false, limits: { rowsPerResultSet: 100, totalBytes: 65536 } });
  });
});
