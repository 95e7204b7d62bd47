import { Printer, renderJson, renderRecord, renderTable, shortTime } from '../../../src/cli/output';
import { MemoryOutput } from './cliHarness';

interface Row {
  name: string;
  note: string | null;
}

const columns = [
  { header: 'NAME', value: (r: Row) => r.name },
  { header: 'NOTE', value: (r: Row) => r.note, max: 10 },
];

describe('output formatting', () => {
  it('aligns table columns to the widest cell and leaves no trailing spaces', () => {
    const table = renderTable<Row>(
      [
        { name: 'a', note: 'short' },
        { name: 'a-longer-name', note: null },
      ],
      columns,
    );
    expect(table).toBe(['NAME           NOTE', 'a              short', 'a-longer-name  -'].join('\n') + '\n');
  });

  it('keeps each row on one line and cuts long cells', () => {
    const table = renderTable<Row>([{ name: 'x', note: 'line one\nline two is long' }], columns);
    expect(table.split('\n')[1]).toBe('x     line one…');
  });

  it('renders a record with aligned labels and indented continuation lines', () => {
    const text = renderRecord<{ a: string; b: string }>({ a: 'one', b: 'two\nlines' }, [
      { label: 'A', value: (r) => r.a },
      { label: 'Longer', value: (r) => r.b },
    ]);
    expect(text).toBe('A:      one\nLonger: two\n        lines\n');
  });

  it('prints JSON that parses back to the same object', () => {
    const value = { items: [{ name: 'x', n: 1 }], nextCursor: null };
    expect(JSON.parse(renderJson(value))).toEqual(value);
  });

  it('shortens ISO timestamps to the second, keeping UTC visible', () => {
    expect(shortTime('2026-11-25T20:00:05.123Z')).toBe('2026-11-25 20:00:05Z');
    expect(shortTime(null)).toBe('-');
  });

  it('in JSON mode writes only JSON to stdout and notes to stderr', () => {
    const stdout = new MemoryOutput();
    const stderr = new MemoryOutput();
    const out = new Printer('json', stdout, stderr);
    out.list({ items: [{ name: 'x', note: null }], nextCursor: null }, columns, 'none');
    out.text('a table for people');
    out.note('Removed x.');
    expect(JSON.parse(stdout.text)).toEqual({ items: [{ name: 'x', note: null }], nextCursor: null });
    expect(stderr.text).toBe('Removed x.\n');
  });

  it('in table mode says so when a list is empty', () => {
    const stdout = new MemoryOutput();
    new Printer('table', stdout, new MemoryOutput()).list({ items: [], nextCursor: null }, columns, 'No things.');
    expect(stdout.text).toBe('No things.\n');
  });
});
