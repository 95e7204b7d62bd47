import { destinationColumns } from '../../../src/results/destinationColumns';
import { sqlServerResultWriter as writer } from '../../../src/results/sqlServerResultWriter';
import type { ResultSet } from '../../../src/targets/driver';

const resultSet: ResultSet = {
  engine: 'sqlserver',
  columns: [
    { name: 'Notes', type: 'nvarchar', length: -1, nullable: true },
    { name: 'Amount', type: 'decimal', precision: 18, scale: 4, nullable: false },
    { name: 'SeenAt', type: 'datetime2', scale: 3, nullable: true },
    { name: 'Id', type: 'uniqueidentifier', nullable: false },
    { name: 'Blob', type: 'varbinary', length: -1, nullable: true },
    { name: 'odd]name', type: 'int', nullable: true },
  ],
  rows: [],
};

describe('SQL Server result writer (T-SQL as text)', () => {
  const table = writer.table('reports', 'Results');
  const columns = destinationColumns(resultSet, 'sqlserver');

  it('creates the schema only when missing, through EXEC (CREATE SCHEMA must be alone in its batch)', () => {
    expect(writer.createStatements(table, columns)[0]).toBe("IF SCHEMA_ID(N'reports') IS NULL EXEC(N'CREATE SCHEMA [reports]');");
  });

  it('creates the table from the mssql column metadata, plus the three internal columns', () => {
    expect(writer.createStatements(table, columns)[1]).toBe(
      [
        "IF OBJECT_ID(N'[reports].[Results]', N'U') IS NULL",
        'CREATE TABLE [reports].[Results] (',
        '  [Notes] nvarchar(max) NULL,',
        '  [Amount] decimal(18,4) NULL,',
        '  [SeenAt] datetime2(3) NULL,',
        '  [Id] uniqueidentifier NULL,',
        '  [Blob] varbinary(max) NULL,',
        '  [odd]]name] int NULL,',
        '  [internal_execution_id] uniqueidentifier NOT NULL,',
        '  [source_server] nvarchar(256) NOT NULL,',
        '  [source_database] nvarchar(128) NOT NULL',
        ');',
      ].join('\n'),
    );
  });

  it('indexes internal_execution_id when the index is missing', () => {
    expect(writer.createStatements(table, columns)[2]).toBe(
      "IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE object_id = OBJECT_ID(N'[reports].[Results]') AND name = N'ix_Results_internal_execution_id')\nCREATE INDEX [ix_Results_internal_execution_id] ON [reports].[Results] ([internal_execution_id]);",
    );
  });

  it('reads the existing columns from INFORMATION_SCHEMA with parameters', () => {
    expect(writer.readColumns(table)).toEqual({
      text: 'SELECT COLUMN_NAME AS name, DATA_TYPE AS type FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = @p1 AND TABLE_NAME = @p2 ORDER BY ORDINAL_POSITION;',
      params: ['reports', 'Results'],
    });
  });

  it('deletes and inserts with numbered parameters', () => {
    expect(writer.deleteRows(table)).toBe('DELETE FROM [reports].[Results] WHERE [internal_execution_id] = @p1;');
    expect(writer.insertRows(table, ['a', 'b'], 2)).toBe('INSERT INTO [reports].[Results] ([a], [b]) VALUES (@p1, @p2), (@p3, @p4);');
  });

  it('recognises "already exists" errors of a concurrent creation', () => {
    expect(writer.isAlreadyExists({ number: 2714 })).toBe(true);
    expect(writer.isAlreadyExists({ originalError: { info: { number: 1913 } } })).toBe(true);
    expect(writer.isAlreadyExists({ number: 208 })).toBe(false);
  });

  it('turns values the driver cannot send into ones it can', () => {
    const [notes] = columns;
    expect(writer.toParam(12n, notes)).toBe('12');
    expect(writer.toParam({ a: 1 }, notes)).toBe('{"a":1}');
    expect(writer.toParam(undefined, notes)).toBeNull();
    const date = new Date();
    expect(writer.toParam(date, notes)).toBe(date);
  });
});
