/**
 * Result tables in a SQLite file. SQLite has no schemas: the table is `<schema>_<table>`, or
 * just `<table>` for the schema `main`. It keeps any value in any column, so only the column
 * names of an existing table are checked.
 */
import type { DestinationColumn } from './destinationColumns';
import { indexName } from './indexName';
import { asJson, type DestinationTable, type ResultWriter } from './resultWriter';

export const quoteSqlite = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;

export const sqliteResultWriter: ResultWriter = {
  engine: 'sqlite',
  // SQLITE_MAX_VARIABLE_NUMBER is 32766 in current builds, 999 in old ones: stay under both.
  maxParameters: 999,
  maxRowsPerInsert: 500,
  comparesTypes: false,
  namesIgnoreCase: true,

  table(schemaName, tableName): DestinationTable {
    const name = schemaName.toLowerCase() === 'main' ? tableName : `${schemaName}_${tableName}`;
    return { schema: null, name, sql: quoteSqlite(name), display: name };
  },

  createStatements(table, columns: readonly DestinationColumn[]) {
    const definitions = [
      ...columns.map((c) => (c.ddl ? `${quoteSqlite(c.name)} ${c.ddl}` : quoteSqlite(c.name))),
      '"internal_execution_id" text NOT NULL',
      '"source_server" text NOT NULL',
      '"source_database" text NOT NULL',
    ];
    return [
      `CREATE TABLE IF NOT EXISTS ${table.sql} (\n  ${definitions.join(',\n  ')}\n)`,
      `CREATE INDEX IF NOT EXISTS ${quoteSqlite(indexName(table.name, 1_000))} ON ${table.sql} ("internal_execution_id")`,
    ];
  },

  readColumns(table) {
    return { text: 'SELECT name, type FROM pragma_table_info(?)', params: [table.name] };
  },

  deleteRows(table) {
    return `DELETE FROM ${table.sql} WHERE "internal_execution_id" = ?`;
  },

  insertRows(table, columnNames, rowCount) {
    const row = `(${columnNames.map(() => '?').join(', ')})`;
    return `INSERT INTO ${table.sql} (${columnNames.map(quoteSqlite).join(', ')}) VALUES ${Array.from({ length: rowCount }, () => row).join(', ')}`;
  },

  toParam(value) {
    if (value === undefined || value === null) return null;
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (value instanceof Uint8Array) return Buffer.isBuffer(value) ? value : Buffer.from(value);
    if (typeof value === 'object') return asJson(value);
    return value;
  },

  isAlreadyExists(error) {
    return /already exists/i.test(String((error as { message?: unknown }).message));
  },
};
