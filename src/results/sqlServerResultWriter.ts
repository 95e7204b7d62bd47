/**
 * Result tables in SQL Server / Azure SQL. The T-SQL is generated here and checked as text by
 * the unit tests: no SQL Server runs where this is developed.
 */
import type { DestinationColumn } from './destinationColumns';
import { indexName } from './indexName';
import { asJson, type DestinationTable, type ResultWriter } from './resultWriter';

export const quoteSqlServer = (identifier: string) => `[${identifier.replace(/]/g, ']]')}]`;
const unicodeLiteral = (text: string) => `N'${text.replace(/'/g, "''")}'`;

// 2714: there is already an object named ...; 1913: the index already exists; 2759: CREATE SCHEMA failed (a concurrent one won).
const ALREADY_EXISTS = new Set([2714, 1913, 2759]);

export const sqlServerResultWriter: ResultWriter = {
  engine: 'sqlserver',
  // 2100 parameters per request, less what sp_executesql needs for itself.
  maxParameters: 2_000,
  // A table value constructor takes at most 1000 rows.
  maxRowsPerInsert: 1_000,
  comparesTypes: true,
  namesIgnoreCase: true,

  table(schemaName, tableName): DestinationTable {
    return { schema: schemaName, name: tableName, sql: `${quoteSqlServer(schemaName)}.${quoteSqlServer(tableName)}`, display: `${schemaName}.${tableName}` };
  },

  createStatements(table, columns: readonly DestinationColumn[]) {
    const definitions = [
      ...columns.map((c) => `${quoteSqlServer(c.name)} ${c.ddl} NULL`),
      '[internal_execution_id] uniqueidentifier NOT NULL',
      '[source_server] nvarchar(256) NOT NULL',
      '[source_database] nvarchar(128) NOT NULL',
    ];
    const index = indexName(table.name, 128);
    return [
      `IF SCHEMA_ID(${unicodeLiteral(table.schema!)}) IS NULL EXEC(${unicodeLiteral(`CREATE SCHEMA ${quoteSqlServer(table.schema!)}`)});`,
      `IF OBJECT_ID(${unicodeLiteral(table.sql)}, N'U') IS NULL\nCREATE TABLE ${table.sql} (\n  ${definitions.join(',\n  ')}\n);`,
      `IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE object_id = OBJECT_ID(${unicodeLiteral(table.sql)}) AND name = ${unicodeLiteral(index)})\nCREATE INDEX ${quoteSqlServer(index)} ON ${table.sql} ([internal_execution_id]);`,
    ];
  },

  readColumns(table) {
    return {
      text: 'SELECT COLUMN_NAME AS name, DATA_TYPE AS type FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = @p1 AND TABLE_NAME = @p2 ORDER BY ORDINAL_POSITION;',
      params: [table.schema, table.name],
    };
  },

  deleteRows(table) {
    return `DELETE FROM ${table.sql} WHERE [internal_execution_id] = @p1;`;
  },

  insertRows(table, columnNames, rowCount) {
    const width = columnNames.length;
    const rows = Array.from({ length: rowCount }, (_, r) => `(${columnNames.map((_c, i) => `@p${r * width + i + 1}`).join(', ')})`);
    return `INSERT INTO ${table.sql} (${columnNames.map(quoteSqlServer).join(', ')}) VALUES ${rows.join(', ')};`;
  },

  toParam(value, column) {
    if (value === undefined || value === null) return null;
    if (column.jsonValues) return asJson(value);
    if (typeof value === 'bigint') return value.toString();
    if (value instanceof Uint8Array) return Buffer.isBuffer(value) ? value : Buffer.from(value);
    if (typeof value === 'object' && !(value instanceof Date)) return asJson(value);
    return value;
  },

  isAlreadyExists(error) {
    const e = error as { number?: number; originalError?: { info?: { number?: number } } };
    return ALREADY_EXISTS.has(e.number ?? e.originalError?.info?.number ?? -1);
  },
};
