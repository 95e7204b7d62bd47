/**
 * Every reader of SQL Server results, fed the rows mssql really builds for the request mode the
 * driver uses. No SQL Server runs here, so the wire is stood in for one level down: a tedious
 * connection that answers each request with tedious' own events (columnMetadata with tedious
 * TYPES, row, doneInProc). Everything above it is the real code: mssql's Request (which turns
 * those events into arrays or objects by `arrayRowMode`, lib/tedious/request.js), the driver's
 * PinnedConnection, the pool config the driver really builds, and the readers.
 */
import { EventEmitter } from 'node:events';
import { TYPES } from 'tedious';
import type { ConnectionPool } from 'mssql';
import { destinationColumns } from '../../../src/results/destinationColumns';
import { ensureResultTable } from '../../../src/results/resultTable';
import { sqlServerResultWriter } from '../../../src/results/sqlServerResultWriter';
import { toShardLocations } from '../../../src/targets/shardMap';
import { sqlServerColumnInfo, type MssqlColumn } from '../../../src/targets/sqlServerColumns';
import { sqlServerPoolConfig } from '../../../src/targets/sqlServerConnection';
import { PinnedConnection, type PooledTediousConnection } from '../../../src/targets/sqlServerPinnedConnection';
import { listDatabasesOn, listElasticPoolDatabasesOn, readShardRowsOn, scriptRequest, sqlServerSession } from '../../../src/targets/sqlServerRequests';
import type { ResultSet } from '../../../src/targets/driver';

interface Column {
  colName: string;
  type: unknown;
  dataLength?: number;
  precision?: number;
  scale?: number;
}
interface Answer {
  columns: Column[];
  rows: unknown[][];
}
interface TediousRequest extends EventEmitter {
  sqlTextOrProcedure: string;
  parameters: { name: string; value: unknown }[];
  callback(error: Error | null, rowCount?: number): void;
}

/** Answers each request the way tedious reports a server's answer to mssql. */
class StandInTediousConnection extends EventEmitter implements PooledTediousConnection {
  readonly sent: { text: string; parameters: Record<string, unknown> }[] = [];

  constructor(private readonly answer: (text: string) => Answer[]) {
    super();
  }

  execSql(request: TediousRequest) {
    this.respond(request);
  }

  execSqlBatch(request: TediousRequest) {
    this.respond(request);
  }

  cancel() {}
  reset(callback: (error?: Error | null) => void) {
    callback(null);
  }
  close() {}

  private respond(request: TediousRequest) {
    this.sent.push({ text: request.sqlTextOrProcedure, parameters: Object.fromEntries(request.parameters.map((p) => [p.name, p.value])) });
    setImmediate(() => {
      for (const set of this.answer(request.sqlTextOrProcedure)) {
        const metadata = set.columns.map((c) => ({ colName: c.colName, type: c.type, dataLength: c.dataLength, precision: c.precision, scale: c.scale, flags: 0x01 }));
        request.emit('columnMetadata', metadata);
        for (const row of set.rows) request.emit('row', row.map((value, i) => ({ value, metadata: metadata[i] })));
        request.emit('doneInProc', set.rows.length, true);
      }
      request.callback(null);
    });
  }
}

const name = (colName: string): Column => ({ colName, type: TYPES.NVarChar, dataLength: 256 });

/** A pinned connection over the stand-in, with the pool config the driver really makes (plus `poolRowMode` to prove it is not inherited). */
function parentOver(connection: StandInTediousConnection, poolRowMode?: boolean): ConnectionPool {
  const config = sqlServerPoolConfig({ serverName: 'srv,1433', databaseName: 'master' }, { authentication: 'sql', username: 'u', password: 'p' }, { encrypt: false, trustServerCertificate: true });
  const pool = { config: poolRowMode === undefined ? config : { ...config, arrayRowMode: poolRowMode } } as unknown as ConnectionPool;
  return new PinnedConnection(pool, connection).asParent();
}

describe('SQL Server readers on the rows mssql builds', () => {
  const databases = () =>
    new StandInTediousConnection(() => [{ columns: [name('name')], rows: [['Tenant1'], ['Tenant2'], ['Tenant3']] }]);

  it('the pool config the driver makes sets no row mode for its requests to inherit', () => {
    const config = sqlServerPoolConfig({ serverName: 'srv', databaseName: 'master' }, { authentication: 'sql', username: 'u', password: 'p' }, { encrypt: true, trustServerCertificate: false });
    expect(config.arrayRowMode).toBeUndefined();
  });

  it.each([undefined, true, false])('lists the user databases of a server by name (pool row mode %s)', async (poolRowMode) => {
    const connection = databases();
    await expect(listDatabasesOn(parentOver(connection, poolRowMode), 1_000)).resolves.toEqual(['Tenant1', 'Tenant2', 'Tenant3']);
    expect(connection.sent[0].text).toContain('FROM sys.databases');
  });

  it('lists the databases of an elastic pool by name, the pool name as a parameter', async () => {
    const connection = databases();
    await expect(listElasticPoolDatabasesOn(parentOver(connection, true), 1_000, 'pool1')).resolves.toEqual(['Tenant1', 'Tenant2', 'Tenant3']);
    expect(connection.sent[0].parameters).toEqual({ poolName: 'pool1' });
  });

  it('reads shard rows by column name into shard locations, offline status kept', async () => {
    const connection = new StandInTediousConnection(() => [
      {
        columns: [{ colName: 'shardMapId', type: TYPES.UniqueIdentifier }, name('serverName'), name('databaseName'), { colName: 'port', type: TYPES.Int }, { colName: 'status', type: TYPES.Int }],
        rows: [
          ['A6E0C1B2-0000-0000-0000-000000000001', 'srv', 'Shard0', 1433, 1],
          ['A6E0C1B2-0000-0000-0000-000000000001', 'srv', 'Shard1', 11000, 0],
        ],
      },
    ]);
    const rows = await readShardRowsOn(parentOver(connection, true), 1_000, 'CustomerIDShardMap');
    expect(connection.sent[0].parameters).toEqual({ shardMapName: 'CustomerIDShardMap' });
    expect(toShardLocations('sqlserver', { engine: 'sqlserver', serverName: 'srv', databaseName: 'smm' }, 'CustomerIDShardMap', rows)).toEqual([
      { engine: 'sqlserver', serverName: 'srv', databaseName: 'Shard0', status: 1 },
      { engine: 'sqlserver', serverName: 'srv,11000', databaseName: 'Shard1', status: 0 },
    ]);
  });

  it('says which columns a database list row has when it has no name, instead of listing undefined', async () => {
    const connection = new StandInTediousConnection(() => [{ columns: [name('db')], rows: [['Tenant1']] }]);
    await expect(listDatabasesOn(parentOver(connection), 1_000)).rejects.toThrow(`no text column 'name' (got ["db"])`);
  });

  it("the result writer's session reads an existing table's columns by name and accepts the table it created", async () => {
    const result: ResultSet = {
      engine: 'sqlserver',
      columns: [
        { name: 'db', type: 'nvarchar', length: 128, nullable: true },
        { name: 'n', type: 'int', nullable: true },
      ],
      rows: [],
    };
    const catalog = [
      ['db', 'nvarchar'],
      ['n', 'int'],
      ['internal_execution_id', 'uniqueidentifier'],
      ['source_server', 'nvarchar'],
      ['source_database', 'nvarchar'],
    ];
    const connection = new StandInTediousConnection((text) => (text.includes('INFORMATION_SCHEMA.COLUMNS') ? [{ columns: [name('name'), name('type')], rows: catalog }] : []));
    const parent = parentOver(connection, true);
    const table = sqlServerResultWriter.table('dbo', 'Collected');
    await expect(ensureResultTable(sqlServerSession(() => parent, 1_000), sqlServerResultWriter, table, destinationColumns(result, 'sqlserver'))).resolves.toBeUndefined();
    expect(connection.sent[0].parameters).toEqual({ p1: 'dbo', p2: 'Collected' });
  });

  it("a user's script keeps rows as arrays with column metadata in order, duplicate and unnamed columns included", async () => {
    const connection = new StandInTediousConnection(() => [
      {
        columns: [
          { colName: 'a', type: TYPES.Int },
          { colName: 'a', type: TYPES.Decimal, precision: 9, scale: 2 },
          { colName: '', type: TYPES.NVarChar, dataLength: 20 },
        ],
        rows: [[1, 12.5, 'ünï']],
      },
    ]);
    const result = await scriptRequest(parentOver(connection, false)).batch('SELECT 1 AS a, CAST(12.5 AS decimal(9,2)) AS a, N\'ünï\'');
    const recordset = (result.recordsets as unknown[])[0] as unknown as unknown[][] & { columns: MssqlColumn[] };
    expect([...recordset]).toEqual([[1, 12.5, 'ünï']]);
    expect(recordset.columns.map(sqlServerColumnInfo)).toEqual([
      { name: 'a', type: 'int', nullable: true },
      { name: 'a', type: 'decimal', precision: 9, scale: 2, nullable: true },
      { name: '', type: 'nvarchar', length: 10, nullable: true },
    ]);
  });
});
