/**
 * `--output table|json`. JSON is the API's own objects, unchanged, for scripts (`jq`); tables
 * are for people. Notes that are not data go to stderr in JSON mode, so stdout always parses.
 */
import type { Page } from '../domain/schemas/common';
import type { OutputStream } from './io';

export type OutputFormat = 'table' | 'json';
export const OUTPUT_FORMATS: OutputFormat[] = ['table', 'json'];

type Cell = string | number | boolean | null | undefined;

export interface Column<T> {
  header: string;
  value(row: T): Cell;
  /** Longest cell shown; the rest is cut with an ellipsis. */
  max?: number;
}

export interface Field<T> {
  label: string;
  value(item: T): Cell;
}

/** Control characters (a newline in a message) would break a table's rows. */
function flat(cell: Cell): string {
  if (cell === null || cell === undefined || cell === '') return '-';
  return String(cell).replace(/[\u0000-\u001f\u007f]+/g, ' ').trim() || '-';
}

function cut(text: string, max: number | undefined): string {
  if (max === undefined || text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
}

export function renderTable<T>(rows: T[], columns: Column<T>[]): string {
  const cells = rows.map((row) => columns.map((c) => cut(flat(c.value(row)), c.max)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i].length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n') + '\n';
}

export function renderRecord<T>(item: T, fields: Field<T>[]): string {
  const width = Math.max(...fields.map((f) => f.label.length)) + 1;
  return (
    fields
      .map((f) => {
        const value = f.value(item);
        const text = value === null || value === undefined || value === '' ? '-' : String(value);
        // Multi-line values (a message, a script) keep their lines, indented under the label.
        return `${`${f.label}:`.padEnd(width)} ${text.replace(/\r?\n/g, `\n${' '.repeat(width + 1)}`)}`;
      })
      .join('\n') + '\n'
  );
}

export function renderJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** `2026-11-25T20:00:00.000Z` -> `2026-11-25 20:00:00Z`: the same instant, easier to scan. */
export function shortTime(iso: string | null | undefined): string {
  if (!iso) return '-';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z$/.exec(iso);
  return m ? `${m[1]} ${m[2]}Z` : iso;
}

export class Printer {
  constructor(
    readonly format: OutputFormat,
    private readonly stdout: OutputStream,
    private readonly stderr: OutputStream,
  ) {}

  list<T>(page: Page<T>, columns: Column<T>[], empty: string): void {
    if (this.format === 'json') return void this.stdout.write(renderJson(page));
    if (page.items.length === 0) this.stdout.write(`${empty}\n`);
    else this.stdout.write(renderTable(page.items, columns));
    if (page.nextCursor) this.stdout.write(`(more: --cursor ${page.nextCursor})\n`);
  }

  item<T>(item: T, fields: Field<T>[]): void {
    if (this.format === 'json') this.stdout.write(renderJson(item));
    else this.stdout.write(renderRecord(item, fields));
  }

  /** Extra text for people (a table under a record, a script's text); nothing in JSON mode. */
  text(text: string): void {
    if (this.format === 'table') this.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** A note about what happened: stdout for people, stderr when stdout is JSON. */
  note(text: string): void {
    (this.format === 'json' ? this.stderr : this.stdout).write(`${text}\n`);
  }
}
