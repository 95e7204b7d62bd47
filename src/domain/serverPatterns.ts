/**
 * `allowedServers` of a credential: the one rule for where its password may go. A pattern and a
 * server name are both read by the one server-address parser (src/domain/serverAddress.ts) for
 * the server's engine, and compared part by part on the address that is actually connected to:
 *
 * - host: a glob, case-insensitive; `*` matches any run of characters (dots included), `?` one.
 *   An IP address is compared in its canonical text, whole (`::ffff:7f00` never admits
 *   `::ffff:7f00:2`);
 * - port: a pattern without a port admits any port; a pattern with one admits that port only,
 *   the engine's default port and no port being the same (`127.0.0.1:5432` admits `127.0.0.1`).
 *   For a named instance the port is the one the SQL Browser answered, checked at connect time;
 * - instance: a SQL Server named instance (`host\instance`) only where the pattern names the
 *   instance (`*.database.windows.net` never admits `127.0.0.1\x`; `host\*` admits any of host's).
 *
 * A server name or a pattern that does not parse admits nothing. SQLite "servers" are folders on
 * this host, matched as a glob over the name as written.
 */
import type { Engine } from './schemas/common';
import { DEFAULT_PORTS, parseServerName, parseServerPattern, type NetworkEngine, type ServerAddress, type ServerPattern } from './serverAddress';

function globToRegExp(pattern: string): RegExp {
  const source = pattern
    .split('')
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 'i');
}

function patternOf(engine: NetworkEngine, pattern: string): ServerPattern | undefined {
  try {
    return parseServerPattern(engine, pattern);
  } catch {
    return undefined; // a pattern written for the other engine (`srv,1433` is no PostgreSQL name), or none at all
  }
}

/**
 * The port a connection to `address` reaches: its own, the default, or for a named instance
 * the port the SQL Browser answered (`'unresolved'` before it was asked).
 */
function portReached(engine: NetworkEngine, address: ServerAddress, browserPort: number | 'unresolved'): number | 'unresolved' {
  if (address.port !== null) return address.port;
  return address.instance === null ? DEFAULT_PORTS[engine] : browserPort;
}

function admits(engine: NetworkEngine, pattern: ServerPattern, address: ServerAddress, browserPort: number | 'unresolved'): boolean {
  if (!globToRegExp(pattern.host).test(address.host)) return false;
  if ((pattern.instance === null) !== (address.instance === null)) return false;
  if (pattern.instance !== null && !globToRegExp(pattern.instance).test(address.instance!)) return false;
  if (pattern.port === null) return true;
  const reached = portReached(engine, address, browserPort);
  // Before the Browser is asked, a named instance's port is not known: it is checked again once it is.
  return reached === 'unresolved' || reached === pattern.port;
}

/**
 * Whether `patterns` admit an address already parsed for `engine`. `browserPort` is the port
 * the SQL Browser gave for a named instance without a port; left out, the port of such an
 * instance is not judged (plan-time checks), and the driver checks it once known.
 */
export function addressAllowed(patterns: readonly string[], engine: NetworkEngine, address: ServerAddress, browserPort: number | 'unresolved' = 'unresolved'): boolean {
  return patterns.some((p) => {
    const pattern = patternOf(engine, p);
    return pattern !== undefined && admits(engine, pattern, address, browserPort);
  });
}

/** Whether `patterns` admit the server `serverName` of `engine`; a name that does not parse is admitted by none. */
export function serverAllowed(patterns: readonly string[], serverName: string, engine: Engine): boolean {
  if (engine === 'sqlite') return patterns.some((p) => globToRegExp(p).test(serverName));
  let address: ServerAddress;
  try {
    address = parseServerName(engine, serverName);
  } catch {
    return false;
  }
  return addressAllowed(patterns, engine, address);
}

export function describePatterns(patterns: readonly string[]): string {
  return patterns.map((p) => `'${p}'`).join(', ');
}
