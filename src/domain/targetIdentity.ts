/**
 * The identity of a target: two targets that name the same thing (the same database, server,
 * pool, shard map or collection) must not both exist, whatever spelling the user chose. Host
 * names are case-insensitive and a default port is the same server as no port, so the key
 * spells both out; database, pool and shard-map names are kept as given.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import type { CreateTarget } from './schemas/target';
import type { Engine } from './schemas/common';

export const DEFAULT_PORT = { sqlserver: 1433, postgres: 5432 } as const;

/** The column holding the key is 700 characters wide; longer keys are stored as a digest. */
export const MAX_IDENTITY_KEY_LENGTH = 700;

/**
 * `Host,1433` and `host` are one SQL Server; `Host:5432` and `host` one PostgreSQL server. A SQL
 * Server named instance (`host\instance`) has a dynamic port, so none is added to it.
 * SQLite servers are folders: the path is normalised but its case kept (file systems differ).
 */
export function normalizeServerName(engine: Engine, serverName: string): string {
  if (engine === 'sqlite') {
    const normal = path.normalize(serverName);
    return normal.length > 1 ? normal.replace(/[\\/]+$/, '') : normal;
  }
  if (engine === 'sqlserver') {
    const m = /^(.*?)(?:,\s*(\d+))?$/.exec(serverName.trim())!;
    const host = m[1].trim().toLowerCase();
    if (m[2] !== undefined) return `${host},${Number(m[2])}`;
    return host.includes('\\') ? host : `${host},${DEFAULT_PORT.sqlserver}`;
  }
  const bracketed = /^(\[[^\]]+\])(?::(\d+))?$/.exec(serverName.trim());
  if (bracketed) return `${bracketed[1].toLowerCase()}:${bracketed[2] !== undefined ? Number(bracketed[2]) : DEFAULT_PORT.postgres}`;
  const colons = serverName.split(':').length - 1;
  if (colons > 1) return `[${serverName.trim().toLowerCase()}]:${DEFAULT_PORT.postgres}`; // a bare IPv6 address
  const m = /^(.*?)(?::(\d+))?$/.exec(serverName.trim())!;
  return `${m[1].toLowerCase()}:${m[2] !== undefined ? Number(m[2]) : DEFAULT_PORT.postgres}`;
}

/** `|` separates the parts; a `|` or `\` inside a part is escaped so two targets cannot share a key by accident. */
function escapePart(part: string): string {
  return part.replace(/[\\|]/g, (c) => `\\${c}`);
}

function joinKey(parts: string[]): string {
  const key = parts.map(escapePart).join('|');
  if (key.length <= MAX_IDENTITY_KEY_LENGTH) return key;
  return `sha256:${crypto.createHash('sha256').update(key).digest('hex')}`;
}

/** `type|engine|server|database|pool|shardmap`, or `customCollection|name`. */
export function targetIdentityKey(target: CreateTarget): string {
  switch (target.type) {
    case 'database':
      return joinKey([target.type, target.engine, normalizeServerName(target.engine, target.serverName), target.databaseName, '', '']);
    case 'server':
      return joinKey([target.type, target.engine, normalizeServerName(target.engine, target.serverName), '', '', '']);
    case 'elasticPool':
      return joinKey([target.type, target.engine, normalizeServerName(target.engine, target.serverName), '', target.elasticPoolName, '']);
    case 'shardMap':
      return joinKey([target.type, target.engine, normalizeServerName(target.engine, target.serverName), target.databaseName, '', target.shardMapName]);
    case 'customCollection':
      return joinKey([target.type, target.name]);
  }
}
