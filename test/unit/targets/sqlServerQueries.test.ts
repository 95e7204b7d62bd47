import { LIST_DATABASES_SQL, LIST_ELASTIC_POOL_DATABASES_SQL, READ_SHARD_MAP_SQL } from '../../../src/targets/sqlServerQueries';

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

describe('SQL Server query texts', () => {
  it('lists online user databases from sys.databases, without system databases or snapshots', () => {
    expect(oneLine(LIST_DATABASES_SQL)).toBe(
      "SELECT d.name FROM sys.databases AS d WHERE d.name NOT IN (N'master', N'tempdb', N'model', N'msdb') AND d.state_desc = N'ONLINE' AND d.source_database_id IS NULL ORDER BY d.name;",
    );
  });

  it('lists the databases of an elastic pool from sys.database_service_objectives, the pool name a parameter', () => {
    expect(oneLine(LIST_ELASTIC_POOL_DATABASES_SQL)).toBe(
      "SELECT d.name FROM sys.databases AS d JOIN sys.database_service_objectives AS so ON so.database_id = d.database_id WHERE so.elastic_pool_name = @poolName AND d.name NOT IN (N'master', N'tempdb', N'model', N'msdb') AND d.state_desc = N'ONLINE' ORDER BY d.name;",
    );
  });

  it('reads a shard map from the __ShardManagement global tables, the map name a parameter', () => {
    expect(oneLine(READ_SHARD_MAP_SQL)).toBe(
      'SELECT m.ShardMapId AS shardMapId, s.ServerName AS serverName, s.DatabaseName AS databaseName, s.Port AS port, s.Status AS status FROM [__ShardManagement].[ShardMapsGlobal] AS m LEFT JOIN [__ShardManagement].[ShardsGlobal] AS s ON s.ShardMapId = m.ShardMapId WHERE m.Name = @shardMapName ORDER BY s.ServerName, s.DatabaseName;',
    );
  });

  it('never splices a value into the text', () => {
    for (const text of [LIST_ELASTIC_POOL_DATABASES_SQL, READ_SHARD_MAP_SQL]) expect(text).not.toMatch(/\$\{/);
  });
});
