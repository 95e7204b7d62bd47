/**
 * Shard maps of the Elastic Database client library: the shard map manager database holds
 * `__ShardManagement.ShardMapsGlobal` (ShardMapId, Name, ...) and `__ShardManagement.ShardsGlobal`
 * (ShardId, ShardMapId, ServerName, DatabaseName, Port, Status, ...). The same layout, with the
 * same names, is read from a PostgreSQL database. A shard's Status 1 is online.
 */
import type { Engine } from '../domain/schemas/common';
import type { DatabaseRef, ShardLocation } from './driver';
import { PermanentTargetError } from './errors';
import { formatServerName } from './serverAddress';
import { READ_SHARD_MAP_SQL } from './sqlServerQueries';

export const SHARD_STATUS_ONLINE = 1;

export const READ_SHARD_MAP_SQL_BY_ENGINE = {
  sqlserver: READ_SHARD_MAP_SQL,
  postgres: `SELECT m."ShardMapId" AS "shardMapId", s."ServerName" AS "serverName", s."DatabaseName" AS "databaseName", s."Port" AS "port", s."Status" AS "status"
FROM "__ShardManagement"."ShardMapsGlobal" AS m
LEFT JOIN "__ShardManagement"."ShardsGlobal" AS s ON s."ShardMapId" = m."ShardMapId"
WHERE m."Name" = $1
ORDER BY s."ServerName", s."DatabaseName";`,
} as const;

export interface ShardRow {
  shardMapId: unknown;
  serverName: string | null;
  databaseName: string | null;
  port: number | null;
  status: number | null;
}

/** The shard locations of the rows read; no row at all means the shard map does not exist. */
export function toShardLocations(engine: Exclude<Engine, 'sqlite'>, manager: DatabaseRef, shardMapName: string, rows: readonly ShardRow[]): ShardLocation[] {
  if (rows.length === 0) {
    throw new PermanentTargetError(`Shard map '${shardMapName}' does not exist in the shard map manager ${manager.serverName}/${manager.databaseName}.`);
  }
  return rows
    .filter((r) => r.serverName !== null && r.databaseName !== null)
    .map((r) => ({
      engine,
      serverName: formatServerName(engine, r.serverName!, r.port === null ? null : Number(r.port)),
      databaseName: r.databaseName!,
      status: Number(r.status ?? 0),
    }));
}

export function notAShardMapManager(manager: DatabaseRef): PermanentTargetError {
  return new PermanentTargetError(
    `${manager.serverName}/${manager.databaseName} is not a shard map manager database: it has no __ShardManagement.ShardMapsGlobal / ShardsGlobal tables.`,
  );
}

export function sqliteShardMapsUnsupported(): PermanentTargetError {
  return new PermanentTargetError('Shard maps are not supported on SQLite targets: use a custom collection of SQLite databases instead.');
}
