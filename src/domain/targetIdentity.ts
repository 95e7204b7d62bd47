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
import { formatServerAddress, parseServerName } from './serverAddress';

/** The column holding the key is 700 characters wide; longer keys are stored as a digest. */
export const MAX_IDENTITY_KEY_LENGTH = 700;

/**
 * The server part of an identity key, by the one server-address parser: `Host`, `tcp:host,1433`,
 * `host:1433` and `host` are one SQL Server (`host,1433`); `Pg` and `pg:5432` one PostgreSQL
 * server (`pg:5432`); IPv6 in brackets (`[::1]:5432`). The default port is spelled out and a SQL
 * Server named instance (`host\instance`) has none, as keys always had.
 * SQLite servers are folders: the path is normalised but its case kept (file systems differ).
 * @throws ServerNameError when a SQL Server or PostgreSQL name is not an accepted spelling.
 */
export function normalizeServerName(engine: Engine, serverName: string): string {
  if (engine === 'sqlite') {
    const normal = path.normalize(serverName);
    return normal.length > 1 ? normal.replace(/[\\/]+$/, '') : normal;
  }
  return formatServerAddress(engine, parseServerName(engine, serverName), { withDefaultPort: true });
}

/**
 * A server's key however it is spelled (normalizeServerName); a name the parser refuses (a shard
 * map can hold anything) keys as written, under `unparsed:`: it is never admitted by any
 * credential and its child fails with the parser's reason.
 */
export function serverKeyOf(engine: Engine, serverName: string): string {
  try {
    return normalizeServerName(engine, serverName);
  } catch {
    return `unparsed:${serverName}`;
  }
}

/** One key per database however its server is spelled: expansion de-duplicates by it, and a canary names databases by it. */
export function databaseKey(d: { engine: Engine; serverName: string; databaseName: string }): string {
  return JSON.stringify([d.engine, serverKeyOf(d.engine, d.serverName), d.databaseName]);
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
