import { READ_SHARD_MAP_SQL_BY_ENGINE, toShardLocations } from '../../../src/targets/shardMap';
import { PermanentTargetError } from '../../../src/targets/errors';
import type { DatabaseRef } from '../../../src/targets/driver';

const manager: DatabaseRef = { engine: 'sqlserver', serverName: 'smm.database.windows.net', databaseName: 'ShardMapManagerDb' };
const row = (serverName: string | null, databaseName: string | null, port: number | null, status: number | null) => ({ shardMapId: 'id', serverName, databaseName, port, status });

describe('toShardLocations', () => {
  it('writes non-default ports the engine way and keeps the status', () => {
    expect(
      toShardLocations('sqlserver', manager, 'CustomerIDShardMap', [
        row('a.database.windows.net', 'Shard0', 0, 1),
        row('a.database.windows.net', 'Shard1', 1433, 1),
        row('b.database.windows.net', 'Shard2', 11000, 0),
      ]),
    ).toEqual([
      { engine: 'sqlserver', serverName: 'a.database.windows.net', databaseName: 'Shard0', status: 1 },
      { engine: 'sqlserver', serverName: 'a.database.windows.net', databaseName: 'Shard1', status: 1 },
      { engine: 'sqlserver', serverName: 'b.database.windows.net,11000', databaseName: 'Shard2', status: 0 },
    ]);
    expect(toShardLocations('postgres', { ...manager, engine: 'postgres' }, 'M', [row('pg', 'db', 6543, 1)])[0].serverName).toBe('pg:6543');
  });

  it('returns no shard for a map that has none (one row with no shard)', () => {
    expect(toShardLocations('sqlserver', manager, 'Empty', [row(null, null, null, null)])).toEqual([]);
  });

  it('says the map does not exist when there is no row at all', () => {
    expect(() => toShardLocations('sqlserver', manager, 'Nope', [])).toThrow(PermanentTargetError);
    expect(() => toShardLocations('sqlserver', manager, 'Nope', [])).toThrow("Shard map 'Nope' does not exist in the shard map manager smm.database.windows.net/ShardMapManagerDb.");
  });
});

describe('shard map query for PostgreSQL', () => {
  it('reads the same tables and columns with quoted identifiers and a $1 parameter', () => {
    const text = READ_SHARD_MAP_SQL_BY_ENGINE.postgres;
    expect(text).toContain('FROM "__ShardManagement"."ShardMapsGlobal" AS m');
    expect(text).toContain('LEFT JOIN "__ShardManagement"."ShardsGlobal" AS s ON s."ShardMapId" = m."ShardMapId"');
    expect(text).toContain('WHERE m."Name" = $1');
  });
});
