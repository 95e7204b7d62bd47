/**
 * Where a DACPAC may be fetched from (DACPAC_ALLOWED_HOSTS). The worker downloads a content's
 * URI from inside the host's network: without a list, whoever may write a content could make
 * it call any address (a loopback port, a metadata endpoint) and read from the task's message
 * whether something answered. A pattern is a host name or IP (`stej42.blob.core.windows.net`,
 * `127.0.0.1`, `[::1]`) or `*.` and a suffix (`*.blob.core.windows.net`: one or more labels
 * before it), with an optional `:port`. A pattern without a port admits the scheme's default
 * port only (443 for https), so `*.blob.core.windows.net` reaches no other port of those hosts;
 * Azurite on a laptop is `127.0.0.1:10000`. Plain http is allowed for loopback hosts only.
 */

/** Azure Storage's blob endpoints (public cloud); the default list, on both hosts. */
export const DEFAULT_DACPAC_ALLOWED_HOSTS: readonly string[] = ['*.blob.core.windows.net'];

const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const PATTERN = new RegExp(`^(?:(\\*\\.)?(${LABEL}(?:\\.${LABEL})*)|(\\[[0-9a-f:.]+\\]))(?::(\\d{1,5}))?$`);
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export interface DacpacHostPattern {
  /** `*.` patterns: true; the name is then the suffix after the dot. */
  wildcard: boolean;
  name: string;
  port: number | undefined;
}

/** One pattern, or undefined when it is not one (a bare `*`, a path, a scheme). */
export function parseDacpacHostPattern(text: string): DacpacHostPattern | undefined {
  const match = PATTERN.exec(text.trim().toLowerCase());
  if (!match) return undefined;
  const port = match[4] === undefined ? undefined : Number(match[4]);
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  return { wildcard: match[1] !== undefined, name: match[2] ?? match[3], port };
}

function defaultPort(protocol: string): number {
  return protocol === 'http:' ? 80 : 443;
}

function admits(pattern: DacpacHostPattern, url: URL): boolean {
  // WHATWG URL has already lower-cased the host, brought IPv4 to dotted form and bracketed IPv6.
  const host = url.hostname;
  const nameMatches = pattern.wildcard ? host.endsWith(`.${pattern.name}`) && host.length > pattern.name.length + 1 : host === pattern.name;
  const port = url.port === '' ? defaultPort(url.protocol) : Number(url.port);
  return nameMatches && port === (pattern.port ?? defaultPort(url.protocol));
}

/**
 * Why a DACPAC URI may not be fetched, or undefined when it may. The reason names the host and
 * the setting, never the query (a SAS token is a secret). `allowed` holds parsed patterns.
 */
export function dacpacUriRefusal(uri: string, allowed: readonly DacpacHostPattern[]): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'is not a valid URI';
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) return 'must use https';
  if (url.username || url.password) return 'must not carry a user name or password';
  if (!allowed.some((p) => admits(p, url))) return `names host ${url.host}, which DACPAC_ALLOWED_HOSTS does not list`;
  return undefined;
}
