/**
 * Builds a shard map manager in a PostgreSQL database: the Elastic Database client library's
 * global tables (`__ShardManagement.ShardMapsGlobal`, `__ShardManagement.ShardsGlobal`) with
 * the same table and column names, and rows for the maps and shards a test needs.
 */
import crypto from 'node:crypto';
import { Client } from 'pg';

export interface TestShard {
  serverName: string;
  databaseName: string;
  /** 0 (the library's "default port") when omitted. */
  port?: number;
  /** 1 online (default), 0 offline. */
  status?: number;
}

export interface TestShardMap {
  name: string;
  shards: TestShard[];
}

const SCHEMA_SQL = `
CREATE SCHEMA IF NOT EXISTS "__ShardManagement";
CREATE TABLE IF NOT EXISTS "__ShardManagement"."ShardMapsGlobal" (
  "ShardMapId" uuid PRIMARY KEY,
  "Name" varchar(50) NOT NULL UNIQUE,
  "ShardMapType" int NOT NULL DEFAULT 1,
  "KeyType" int NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS "__ShardManagement"."ShardsGlobal" (
  "ShardId" uuid PRIMARY KEY,
  "Version" uuid NOT NULL,
  "ShardMapId" uuid NOT NULL REFERENCES "__ShardManagement"."ShardMapsGlobal" ("ShardMapId"),
  "Protocol" int NOT NULL DEFAULT 0,
  "ServerName" varchar(128) NOT NULL,
  "Port" int NOT NULL DEFAULT 0,
  "DatabaseName" varchar(128) NOT NULL,
  "Status" int NOT NULL DEFAULT 1,
  "LastOperationId" uuid
);`;

/** Creates the shard map tables in the database at `databaseUrl` (idempotent) and adds the maps. */
export async function createShardMapManager(databaseUrl: string, maps: TestShardMap[]): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(SCHEMA_SQL);
    for (const map of maps) {
      const mapId = crypto.randomUUID();
      await client.query('INSERT INTO "__ShardManagement"."ShardMapsGlobal" ("ShardMapId", "Name") VALUES ($1, $2)', [mapId, map.name]);
      for (const shard of map.shards) {
        await client.query(
          'INSERT INTO "__ShardManagement"."ShardsGlobal" ("ShardId", "Version", "ShardMapId", "ServerName", "Port", "DatabaseName", "Status") VALUES ($1, $2, $3, $4, $5, $6, $7)',
          [crypto.randomUUID(), crypto.randomUUID(), mapId, shard.serverName, shard.port ?? 0, shard.databaseName, shard.status ?? 1],
        );
      }
    }
  } finally {
    await client.end();
  }
}
