/**
 * What writing a result set needs from one destination engine: its SQL texts (identifiers
 * quoted its way, values always parameters), its parameter limits and its value conversions.
 * One implementation per engine; writeResultSet.ts holds the steps they share.
 */
import type { Engine } from '../domain/schemas/common';
import type { DestinationColumn } from './destinationColumns';

export interface DestinationTable {
  /** The schema, where the engine has schemas. */
  schema: string | null;
  name: string;
  /** Quoted and qualified, as it goes into SQL. */
  sql: string;
  /** For messages. */
  display: string;
}

export interface ResultWriter {
  engine: Engine;
  /** Parameters one statement may carry, kept under the engine's limit. */
  maxParameters: number;
  maxRowsPerInsert: number;
  /** Whether an existing table's column types must match (SQLite keeps any value in any column). */
  comparesTypes: boolean;
  /** Whether the engine compares column names without case. */
  namesIgnoreCase: boolean;
  table(schemaName: string, tableName: string): DestinationTable;
  /** Creates what is missing (schema, table, index); each statement is safe to run when the object exists. */
  createStatements(table: DestinationTable, columns: readonly DestinationColumn[]): string[];
  /** Rows `{ name, type }` of the table's columns; none when the table does not exist. */
  readColumns(table: DestinationTable): { text: string; params: unknown[] };
  /** Parameter 1: the child execution id. */
  deleteRows(table: DestinationTable): string;
  insertRows(table: DestinationTable, columnNames: readonly string[], rowCount: number): string;
  /** A value of a result column as this engine's driver takes it. */
  toParam(value: unknown, column: DestinationColumn): unknown;
  /** A concurrent writer created the object first. */
  isAlreadyExists(error: unknown): boolean;
}

/** A value that is not a scalar the drivers know, as JSON text. */
export function asJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

export const isPlainObject = (value: unknown) =>
  typeof value === 'object' && value !== null && !(value instanceof Date) && !(value instanceof Uint8Array);
