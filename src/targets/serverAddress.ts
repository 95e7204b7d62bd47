/**
 * Server names made from a host and a port read elsewhere (a shard map's ShardsGlobal rows).
 * Reading a `serverName` is the one parser's job: src/domain/serverAddress.ts.
 */
import type { Engine } from '../domain/schemas/common';
import { DEFAULT_PORTS } from '../domain/serverAddress';

export { DEFAULT_PORTS };

/**
 * The `serverName` of a server known by host and port, written the engine's way (`host,port`
 * for SQL Server, `host:port` for PostgreSQL, an IPv6 host in brackets). The Elastic Database
 * client library stores 0 for "the default port". The result is read by the parser like any
 * other name: a host it refuses (a path, a prefix) is refused there, never connected to.
 */
export function formatServerName(engine: Exclude<Engine, 'sqlite'>, host: string, port: number | null | undefined): string {
  if (!port || port === DEFAULT_PORTS[engine]) return host;
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return engine === 'sqlserver' ? `${h},${port}` : `${h}:${port}`;
}
