/**
 * The T-SQL the SQL Server driver sends besides the user's script. The first two run in
 * `master` of the logical server, where Azure SQL lists every database of the server.
 */

export const SQLSERVER_SYSTEM_DATABASES = ['master', 'tempdb', 'model', 'msdb'] as const;

/** Every user database that can take a connection now (offline, restoring, suspect... are left out; so are snapshots). */
export const LIST_DATABASES_SQL = `SELECT d.name
FROM sys.databases AS d
WHERE d.name NOT IN (${SQLSERVER_SYSTEM_DATABASES.map((n) => `N'${n}'`).join(', ')})
  AND d.state_desc = N'ONLINE'
  AND d.source_database_id IS NULL
ORDER BY d.name;`;

/** The databases of one elastic pool (parameter @poolName). */
export const LIST_ELASTIC_POOL_DATABASES_SQL = `SELECT d.name
FROM sys.databases AS d
JOIN sys.database_service_objectives AS so ON so.database_id = d.database_id
WHERE so.elastic_pool_name = @poolName
  AND d.name NOT IN (${SQLSERVER_SYSTEM_DATABASES.map((n) => `N'${n}'`).join(', ')})
  AND d.state_desc = N'ONLINE'
ORDER BY d.name;`;

/**
 * The shards of one shard map (parameter @shardMapName), from the global shard map tables of
 * the Elastic Database client library. A LEFT JOIN so that a map with no shard yet is told
 * apart from a map that does not exist (no row at all).
 */
export const READ_SHARD_MAP_SQL = `SELECT m.ShardMapId AS shardMapId, s.ServerName AS serverName, s.DatabaseName AS databaseName, s.Port AS port, s.Status AS status
FROM [__ShardManagement].[ShardMapsGlobal] AS m
LEFT JOIN [__ShardManagement].[ShardsGlobal] AS s ON s.ShardMapId = m.ShardMapId
WHERE m.Name = @shardMapName
ORDER BY s.ServerName, s.DatabaseName;`;
