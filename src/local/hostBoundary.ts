/**
 * Who the local host answers. It listens on 127.0.0.1 with no key by default (the quickstart),
 * so any web page the user opens could otherwise reach it: a form or `fetch(..., {mode:
 * 'no-cors'})` can POST to it (CSRF), and a name the attacker rebinds to 127.0.0.1 makes the
 * browser treat the API as the attacker's own origin (DNS rebinding). Three checks, before any
 * route runs, close both without touching what curl and the CLI send:
 *   - Host must be a loopback name this server answers to (else 421 Misdirected Request,
 *     RFC 9110 §15.5.20): a rebinding page's requests carry the attacker's name;
 *   - Origin, when sent, must be this host's own origin (else 403): browsers send it on every
 *     cross-origin request that can write (Fetch standard, "origin" header);
 *   - Sec-Fetch-Site (Fetch Metadata) other than same-origin/none is refused, except a plain
 *     top-level navigation (a link to the dashboard), which cannot carry a body.
 * A Host that is not even syntactically a host is 400. No CORS header is ever granted.
 */

/** The names of the loopback interface the local host is bound to (IPv6 in URL form). */
export const LOOPBACK_NAMES: readonly string[] = ['127.0.0.1', 'localhost', '[::1]'];

export interface BoundaryRefusal {
  status: 400 | 403 | 421;
  title: string;
  detail: string;
}

/** The request facts the rules read: header values as received (undefined when absent). */
export interface BoundaryRequest {
  method: string;
  host: string | undefined;
  origin: string | undefined;
  secFetchSite: string | undefined;
  secFetchMode: string | undefined;
}

export interface HostName {
  /** Lower case; IPv6 literals keep their brackets. */
  name: string;
  port: number | undefined;
}

// RFC 9110 §7.2: Host = uri-host [ ":" port ]; uri-host is an IP-literal in brackets or a
// reg-name (unreserved / pct-encoded / sub-delims). Anything else (a space, a slash, "@") is malformed.
const HOST_SYNTAX = /^(\[[0-9a-f:.]+\]|[a-z0-9\-._~!$&'()*+,;=%]+)(?::(\d{1,5}))?$/i;

/** The Host header's name and port, or undefined when it is not a host at all (`a b`, `x/y`). */
export function parseHostHeader(value: string): HostName | undefined {
  const match = HOST_SYNTAX.exec(value.trim());
  if (!match) return undefined;
  const port = match[2] === undefined ? undefined : Number(match[2]);
  if (port !== undefined && port > 65535) return undefined;
  return { name: match[1].toLowerCase(), port };
}

/** Whether a parsed Host names this server: a loopback name, with no port or the listening one. */
export function isOwnHost(host: HostName, listeningPort: number): boolean {
  return LOOPBACK_NAMES.includes(host.name) && (host.port === undefined || host.port === listeningPort);
}

/** The origins of this server as browsers serialize them (the default port 80 is omitted). */
export function ownOrigins(listeningPort: number): string[] {
  return LOOPBACK_NAMES.map((name) => (listeningPort === 80 ? `http://${name}` : `http://${name}:${listeningPort}`));
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * The refusal for a request that did not come from this machine's own clients or pages, or
 * undefined when it may go on to the route. A missing Host (HTTP/1.0) is allowed: a browser
 * always sends one.
 */
export function boundaryRefusal(request: BoundaryRequest, listeningPort: number): BoundaryRefusal | undefined {
  if (request.host !== undefined) {
    const host = parseHostHeader(request.host);
    if (!host) return { status: 400, title: 'Bad Request', detail: 'The Host header is not a valid host.' };
    if (!isOwnHost(host, listeningPort)) {
      return {
        status: 421,
        title: 'Misdirected Request',
        detail: `This server answers only to ${LOOPBACK_NAMES.map((n) => `${n}:${listeningPort}`).join(', ')}.`,
      };
    }
  }
  if (request.origin !== undefined && !ownOrigins(listeningPort).includes(request.origin.trim().toLowerCase())) {
    return { status: 403, title: 'Forbidden', detail: 'Requests from another origin are not accepted by the local host.' };
  }
  const site = request.secFetchSite?.trim().toLowerCase();
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    const navigation = request.secFetchMode?.trim().toLowerCase() === 'navigate' && SAFE_METHODS.has(request.method.toUpperCase());
    if (!navigation) return { status: 403, title: 'Forbidden', detail: 'Requests from another site are not accepted by the local host.' };
  }
  return undefined;
}
