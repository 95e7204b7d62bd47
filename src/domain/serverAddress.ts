/**
 * The one reading of a target's `serverName` for the networked engines: connecting, target
 * identity, de-duplication in expansion, credential scope and `allowedServers` patterns all go
 * through `parseServerName`, so one server has one address however it is spelled.
 *
 * Accepted spellings:
 * - SQL Server: `host`, `host,port`, `host:port`, an optional `tcp:` prefix (as the Azure
 *   portal writes it), a named instance `host\instance` (optionally `host\instance,port`: a
 *   port wins over the SQL Browser, as in SqlClient), `[ipv6]`, `[ipv6],port`, `[ipv6]:port`.
 * - PostgreSQL: `host`, `host:port`, `[ipv6]`, `[ipv6]:port`.
 * - Both: a bare IPv6 address (`::1`, `2001:db8::10`) only without a port, since its last
 *   group cannot be told from a port.
 *
 * Refused: paths (`/tmp/x`, a PostgreSQL Unix socket directory, which the driver would use
 * instead of TCP), protocol prefixes other than `tcp:` (`np:`, `lpc:`, `admin:`, `file:`...),
 * named pipes (`\\.\pipe\...`), an empty host, a port outside 1-65535, characters no host name
 * has. The host is folded to lower case and IP addresses to their canonical text by the WHATWG
 * URL host parser (the same rules getaddrinfo applies to numeric hosts: `127.1` is `127.0.0.1`);
 * nothing is ever resolved by DNS, so `localhost` and `127.0.0.1` stay two names. The engine's
 * default port is the same server as no port.
 */
import { ValidationError } from './errors';

export type NetworkEngine = 'sqlserver' | 'postgres';

/** TCP ports the engines listen on when none is named. */
export const DEFAULT_PORTS: Readonly<Record<NetworkEngine, number>> = { sqlserver: 1433, postgres: 5432 };

export interface ServerAddress {
  /** Lower case; an IPv6 address without its brackets, canonical (`2001:db8::10`). */
  host: string;
  /** The TCP port when one other than the engine's default is named; null for the default port (or, for a named instance, the port the SQL Browser gives). */
  port: number | null;
  /** A SQL Server named instance, lower case (instance names are case-insensitive); null for the default instance. */
  instance: string | null;
}

/** A server name (or an `allowedServers` pattern) that is not one of the accepted spellings. */
export class ServerNameError extends ValidationError {}

/** What the parser reads before the default port is folded; `glob` allows `*` and `?` (patterns). */
interface Parts {
  host: string;
  port: number | null;
  instance: string | null;
}

const NAME_LABELS = /^[a-z0-9_-]+(?:\.[a-z0-9_-]+)*$/;
const GLOB_NAME = /^[a-z0-9_*?.-]+$/;
const IPV6_TEXT = /^[0-9a-f:.]+$/;
const GLOB_IPV6 = /^[0-9a-f:.*?]+$/;
const INSTANCE = /^[a-z0-9_$#&]{1,16}$/;
const GLOB_INSTANCE = /^[a-z0-9_$#&*?]{1,16}$/;
const PROTOCOL = /^([a-z][a-z0-9+.-]*):(.*)$/i;

const fail = (serverName: string, why: string): never => {
  throw new ServerNameError(`Server name '${serverName}' ${why}`);
};

function parsePort(serverName: string, text: string): number {
  const value = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(value >= 1 && value <= 65535)) fail(serverName, `has an invalid port '${text}' (a number from 1 to 65535).`);
  return value;
}

/** The canonical text of a host with no glob in it, by the WHATWG URL host parser (no DNS). */
function canonicalHost(serverName: string, host: string, ipv6: boolean): string {
  try {
    const parsed = new URL(`http://${ipv6 ? `[${host}]` : host}/`).hostname;
    return ipv6 ? parsed.slice(1, -1) : parsed;
  } catch {
    return fail(serverName, ipv6 ? `has an invalid IPv6 address '${host}'.` : `has an invalid host '${host}'.`);
  }
}

function checkHost(serverName: string, host: string, glob: boolean): string {
  const h = host.toLowerCase();
  if (!h) fail(serverName, 'has no host.');
  if (h.length > 253) fail(serverName, 'has a host longer than 253 characters.');
  const ipv6 = h.includes(':');
  const shape = ipv6 ? (glob ? GLOB_IPV6 : IPV6_TEXT) : glob ? GLOB_NAME : NAME_LABELS;
  if (!shape.test(h) || (!ipv6 && glob && /\.\.|^\.|\.$/.test(h))) {
    fail(serverName, ipv6 ? `has an invalid IPv6 address '${host}'.` : `has an invalid host '${host}' (letters, digits, '-', '_' and dots only).`);
  }
  return glob && /[*?]/.test(h) ? h : canonicalHost(serverName, h, ipv6);
}

function checkInstance(serverName: string, instance: string, glob: boolean): string {
  const i = instance.toLowerCase();
  if (!(glob ? GLOB_INSTANCE : INSTANCE).test(i)) fail(serverName, `has an invalid instance name '${instance}' (1 to 16 letters, digits, '_', '$', '#' or '&').`);
  return i;
}

function parseParts(engine: NetworkEngine, serverName: string, glob: boolean): Parts {
  let text = serverName;
  if (/\s/.test(text)) fail(serverName, 'contains white space.');
  if (engine === 'sqlserver' && /^tcp:/i.test(text)) text = text.slice(4);
  if (text.includes('/')) fail(serverName, 'is a path (a Unix socket directory or a file), not a TCP server: only host, host:port' + (engine === 'sqlserver' ? ' or host,port' : '') + ' are accepted.');
  if (text.startsWith('\\')) fail(serverName, 'is a named pipe or a local form: only TCP servers are accepted.');
  if (engine === 'postgres' && text.includes('\\')) fail(serverName, 'names an instance (host\\instance), which only SQL Server has.');
  if (engine === 'postgres' && text.includes(',')) fail(serverName, "has a comma: a PostgreSQL port is written host:port.");

  let host: string;
  let rest: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) fail(serverName, "opens '[' without closing it.");
    host = text.slice(1, close);
    if (!host.includes(':')) fail(serverName, 'brackets something that is not an IPv6 address.');
    rest = text.slice(close + 1);
  } else {
    const firstColon = text.indexOf(':');
    const colons = text.split(':').length - 1;
    if (colons >= 2) {
      // A bare IPv6 address: everything up to an instance is the address, and no port may follow.
      if (text.includes(',')) fail(serverName, 'has an IPv6 address with a port: write it in brackets, [address]' + (engine === 'sqlserver' ? ',port.' : ':port.'));
      const slash = text.indexOf('\\');
      host = slash >= 0 ? text.slice(0, slash) : text;
      rest = slash >= 0 ? text.slice(slash) : '';
    } else {
      const protocol = PROTOCOL.exec(text);
      if (protocol && !/^\d*$/.test(protocol[2].replace(/\\.*$/, ''))) {
        fail(
          serverName,
          `has '${protocol[2]}' after '${protocol[1]}:', which is not a port; protocol prefixes (np:, lpc:, admin:, file:...) are not supported, only TCP servers${engine === 'sqlserver' ? " (tcp: may be written)" : ''}.`,
        );
      }
      const comma = engine === 'sqlserver' ? text.indexOf(',') : -1;
      const at = comma >= 0 ? comma : firstColon;
      const head = at >= 0 ? text.slice(0, at) : text;
      const slash = head.indexOf('\\');
      host = slash >= 0 ? head.slice(0, slash) : head;
      rest = (slash >= 0 ? head.slice(slash) : '') + (at >= 0 ? text.slice(at) : '');
    }
  }
  host = checkHost(serverName, host, glob);

  // What may follow the host: `\instance` (SQL Server), then `,port` (SQL Server) or `:port`.
  const tail = /^(?:\\([^\\,:]*))?(?:([,:])(.*))?$/.exec(rest);
  if (!tail) return fail(serverName, `has '${rest}' after the host, which is not an instance or a port.`);
  const [, instanceText, separator, portText] = tail;
  if (separator === ',' && engine !== 'sqlserver') fail(serverName, "has a comma: a PostgreSQL port is written host:port.");
  const instance = instanceText === undefined ? null : checkInstance(serverName, instanceText, glob);
  const port = separator === undefined ? null : parsePort(serverName, portText);
  return { host, port, instance };
}

/**
 * Reads a target's `serverName` for `engine`, folding case and the default port.
 * @throws ServerNameError when it is not an accepted spelling (the message says why).
 */
export function parseServerName(engine: NetworkEngine, serverName: string): ServerAddress {
  const parts = parseParts(engine, serverName, false);
  return { ...parts, port: parts.port === DEFAULT_PORTS[engine] ? null : parts.port };
}

/** The message of a refused spelling, or undefined when `serverName` is accepted: for validation at the edge. */
export function serverNameProblem(engine: NetworkEngine, serverName: string): string | undefined {
  try {
    parseServerName(engine, serverName);
    return undefined;
  } catch (e) {
    if (e instanceof ServerNameError) return e.message;
    throw e;
  }
}

/**
 * The one spelling of an address: `host`, `host\instance`, with `,port` (SQL Server) or `:port`
 * (PostgreSQL) when not the default; an IPv6 host in brackets. `withDefaultPort` writes the
 * default port out (the target identity key does, so keys stay as they were for plain names).
 */
export function formatServerAddress(engine: NetworkEngine, address: ServerAddress, options: { withDefaultPort?: boolean } = {}): string {
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  const named = address.instance === null ? host : `${host}\\${address.instance}`;
  const port = address.port ?? (options.withDefaultPort && address.instance === null ? DEFAULT_PORTS[engine] : null);
  if (port === null) return named;
  return engine === 'sqlserver' ? `${named},${port}` : `${named}:${port}`;
}

/**
 * An `allowedServers` pattern read the same way as a server name, for one engine; `*` and `?`
 * may stand in the host and the instance. Unlike a server name, the port stays as written:
 * a pattern without a port admits any port, a pattern with one admits that port only (the
 * default port and no port being the same).
 */
export interface ServerPattern {
  host: string;
  /** null: any port. */
  port: number | null;
  /** null: the default instance only. */
  instance: string | null;
}

/** @throws ServerNameError when the pattern is not an accepted spelling for `engine`. */
export function parseServerPattern(engine: NetworkEngine, pattern: string): ServerPattern {
  return parseParts(engine, pattern, true);
}
