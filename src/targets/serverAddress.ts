/**
 * A target's `serverName` as host and port. SQL Server writes `host,port` (the sqlcmd and
 * connection-string habit, optionally `tcp:host,port` as the Azure portal shows it), PostgreSQL
 * `host:port`; both forms are read for both engines, and a bracketed IPv6 address keeps its
 * colons (`[::1]:5432`).
 */
import type { Engine } from '../domain/schemas/common';
import { PermanentTargetError } from './errors';

export const DEFAULT_PORTS = { sqlserver: 1433, postgres: 5432 } as const;

export interface ServerAddress {
  host: string;
  port: number;
}

export function parseServerAddress(serverName: string, defaultPort: number): ServerAddress {
  const name = serverName.trim().replace(/^tcp:/i, '');
  const bracketed = /^\[([^\]]+)\](?:[,:](.*))?$/.exec(name);
  let host: string;
  let port: string | undefined;
  if (bracketed) {
    [, host, port] = bracketed;
  } else {
    const comma = name.lastIndexOf(',');
    const colon = name.indexOf(':') === name.lastIndexOf(':') ? name.indexOf(':') : -1; // a bare IPv6 address has several
    const at = comma >= 0 ? comma : colon;
    host = at >= 0 ? name.slice(0, at) : name;
    port = at >= 0 ? name.slice(at + 1) : undefined;
  }
  host = host.trim();
  if (!host) throw new PermanentTargetError(`Server name '${serverName}' has no host.`);
  if (port === undefined) return { host, port: defaultPort };
  const value = /^\s*\d{1,5}\s*$/.test(port) ? Number(port) : NaN;
  if (!(value >= 1 && value <= 65535)) throw new PermanentTargetError(`Server name '${serverName}' has an invalid port '${port.trim()}' (1-65535).`);
  return { host, port: value };
}

/** The `serverName` of a server known by host and port (a shard of a shard map), written the engine's way. */
export function formatServerName(engine: Exclude<Engine, 'sqlite'>, host: string, port: number | null | undefined): string {
  // The Elastic Database client library stores 0 for "the default port".
  if (!port || port === DEFAULT_PORTS[engine]) return host;
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return engine === 'sqlserver' ? `${h},${port}` : `${h}:${port}`;
}
