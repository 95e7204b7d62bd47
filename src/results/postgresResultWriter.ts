/** Result tables in PostgreSQL. */
import type { DestinationColumn } from './destinationColumns';
import { asJson, isPlainObject, type DestinationTable, type ResultWriter } from './resultWriter';
import { indexName } from './indexName';

export const quotePostgres = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

// SQLSTATE: duplicate_schema, duplicate_table (also an index), duplicate_object (the table's row
// type, when two sessions create the table at once), unique_violation (the catalog, likewise).
const ALREADY_EXISTS = new Set(['42P06', '42P07', '42710', '23505']);

export const postgresResultWriter: ResultWriter = {
  engine: 'postgres',
  maxParameters: 65_535,
  maxRowsPerInsert: 1_000,
  comparesTypes: true,
  namesIgnoreCase: false,

  table(schemaName, tableName): DestinationTable {
    return { schema: schemaName, name: tableName, sql: `${quotePostgres(schemaName)}.${quotePostgres(tableName)}`, display: `${schemaName}.${tableName}` };
  },

  createStatements(table, columns: readonly DestinationColumn[]) {
    const definitions = [
      ...columns.map((c) => `${quotePostgres(c.name)} ${c.ddl}`),
      '"internal_execution_id" uuid NOT NULL',
      '"source_server" varchar(256) NOT NULL',
      '"source_database" varchar(128) NOT NULL',
    ];
    return [
      // CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the schema exists.
      `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = ${literal(table.schema!)}) THEN CREATE SCHEMA ${quotePostgres(table.schema!)}; END IF; END $$`,
      `CREATE TABLE IF NOT EXISTS ${table.sql} (\n  ${definitions.join(',\n  ')}\n)`,
      `CREATE INDEX IF NOT EXISTS ${quotePostgres(indexName(table.name, 63))} ON ${table.sql} ("internal_execution_id")`,
    ];
  },

  readColumns(table) {
    return {
      text: 'SELECT column_name AS name, udt_name AS type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
      params: [table.schema, table.name],
    };
  },

  deleteRows(table) {
    return `DELETE FROM ${table.sql} WHERE "internal_execution_id" = $1`;
  },

  insertRows(table, columnNames, rowCount) {
    const width = columnNames.length;
    const rows = Array.from({ length: rowCount }, (_, r) => `(${columnNames.map((_c, i) => `$${r * width + i + 1}`).join(', ')})`);
    return `INSERT INTO ${table.sql} (${columnNames.map(quotePostgres).join(', ')}) VALUES ${rows.join(', ')}`;
  },

  toParam(value, column) {
    if (value === undefined || value === null) return null;
    if (column.jsonValues) return asJson(value);
    if (typeof value === 'bigint') return value.toString();
    if (isPlainObject(value) && !Array.isArray(value)) return asJson(value);
    return value;
  },

  isAlreadyExists(error) {
    return ALREADY_EXISTS.has(String((error as { code?: unknown }).code));
  },
};
