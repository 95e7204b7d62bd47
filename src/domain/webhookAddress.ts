/**
 * Where a job's webhook may point. The product sends a signed POST from inside the deployment,
 * so a webhook is also a way to make the app itself call an address: in Azure that must never be
 * the instance metadata service, the platform's wire server, a link-local address or anything
 * on a private network. The same rules are applied twice: to the URL when a job is written (an
 * address literal, `localhost`), and to every address the name resolves to just before a POST
 * (src/notifications/webhookPost.ts), which then connects to the address it checked.
 *
 * - Azure: https only, and only public addresses.
 * - Local host: https to public or private addresses; plain http only to loopback (a receiver on
 *   the same machine); never link-local, metadata, unspecified, multicast or reserved addresses.
 */
import net from 'node:net';

export type WebhookHostKind = 'local' | 'azure';

export type AddressClass = 'public' | 'private' | 'loopback' | 'linkLocal' | 'metadata' | 'unspecified' | 'multicast' | 'reserved';

const CLASS_WORDS: Record<AddressClass, string> = {
  public: 'a public address',
  private: 'a private-network address',
  loopback: 'a loopback address',
  linkLocal: 'a link-local address',
  metadata: 'a cloud metadata service address',
  unspecified: 'an unspecified address',
  multicast: 'a multicast address',
  reserved: 'a reserved address',
};

function blockList(entries: [string, number, 'ipv4' | 'ipv6'][]): net.BlockList {
  const list = new net.BlockList();
  for (const [address, prefix, family] of entries) list.addSubnet(address, prefix, family);
  return list;
}

/** In order: the first list that holds an address names its class. */
const V4: [AddressClass, net.BlockList][] = [
  // Azure IMDS (and every other cloud's), and Azure's wire server (DHCP, DNS, health probes).
  ['metadata', blockList([['169.254.169.254', 32, 'ipv4'], ['168.63.129.16', 32, 'ipv4'], ['100.100.100.200', 32, 'ipv4']])],
  ['unspecified', blockList([['0.0.0.0', 8, 'ipv4']])],
  ['loopback', blockList([['127.0.0.0', 8, 'ipv4']])],
  ['linkLocal', blockList([['169.254.0.0', 16, 'ipv4']])],
  ['private', blockList([['10.0.0.0', 8, 'ipv4'], ['172.16.0.0', 12, 'ipv4'], ['192.168.0.0', 16, 'ipv4'], ['100.64.0.0', 10, 'ipv4']])],
  ['multicast', blockList([['224.0.0.0', 4, 'ipv4']])],
  [
    'reserved',
    blockList([
      ['192.0.0.0', 24, 'ipv4'],
      ['192.0.2.0', 24, 'ipv4'],
      ['198.18.0.0', 15, 'ipv4'],
      ['198.51.100.0', 24, 'ipv4'],
      ['203.0.113.0', 24, 'ipv4'],
      ['240.0.0.0', 4, 'ipv4'],
    ]),
  ],
];

const V6: [AddressClass, net.BlockList][] = [
  // AWS's IPv6 metadata endpoint (inside fc00::/7, so named before it).
  ['metadata', blockList([['fd00:ec2::254', 128, 'ipv6']])],
  ['unspecified', blockList([['::', 128, 'ipv6']])],
  ['loopback', blockList([['::1', 128, 'ipv6']])],
  ['linkLocal', blockList([['fe80::', 10, 'ipv6']])],
  ['private', blockList([['fc00::', 7, 'ipv6'], ['64:ff9b:1::', 48, 'ipv6']])],
  ['multicast', blockList([['ff00::', 8, 'ipv6']])],
  // Documentation, discard, IETF protocol assignments (Teredo among them), IPv4-compatible.
  ['reserved', blockList([['2001:db8::', 32, 'ipv6'], ['100::', 64, 'ipv6'], ['2001::', 23, 'ipv6'], ['::', 96, 'ipv6']])],
];

/** The 32-bit IPv4 address as dotted text. */
const dotted = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

/** The eight 16-bit groups of an IPv6 address (any valid spelling, an embedded IPv4 tail too). */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase();
  const v4Tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4Tail) {
    const [a, b, c, d] = v4Tail[1].split('.').map(Number);
    text = text.slice(0, -v4Tail[1].length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array(8 - headGroups.length - tailGroups.length).fill('0');
  return [...headGroups, ...fill, ...tailGroups].map((g) => parseInt(g, 16));
}

/**
 * The IPv4 address an IPv6 one carries and is routed to: IPv4-mapped (::ffff:a.b.c.d), NAT64
 * (64:ff9b::/96) and 6to4 (2002:aabb:ccdd::). Undefined for any other.
 */
function embeddedIpv4(address: string): string | undefined {
  const g = ipv6Groups(address);
  const low32 = ((g[6] << 16) | g[7]) >>> 0;
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return dotted(low32);
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return dotted(low32);
  if (g[0] === 0x2002) return dotted(((g[1] << 16) | g[2]) >>> 0);
  return undefined;
}

/** What kind of address an IP literal is; undefined when the text is not an IP address. */
export function classifyAddress(address: string): AddressClass | undefined {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const family = net.isIP(bare);
  if (family === 4) return V4.find(([, list]) => list.check(bare, 'ipv4'))?.[0] ?? 'public';
  if (family !== 6) return undefined;
  const v4 = embeddedIpv4(bare);
  if (v4 !== undefined) return classifyAddress(v4);
  return V6.find(([, list]) => list.check(bare, 'ipv6'))?.[0] ?? 'public';
}

/** Whether a POST may go to an address of this class from this host. */
export function addressAllowed(kind: AddressClass, host: WebhookHostKind): boolean {
  if (host === 'azure') return kind === 'public';
  return kind === 'public' || kind === 'private' || kind === 'loopback';
}

/** `localhost` and its subdomains resolve to loopback by definition (RFC 6761). */
const isLocalhostName = (hostname: string) => hostname === 'localhost' || hostname.endsWith('.localhost');

/** Names of metadata services that answer on a link-local address anyway: refused by name too. */
const METADATA_NAMES = new Set(['metadata.google.internal', 'metadata.azure.internal', 'instance-data', 'instance-data.ec2.internal']);

/**
 * Why a webhook URL is refused on this host, or undefined when it may be stored. Checks the
 * scheme, the absence of user info, and the host when it is an address literal or a name known to
 * be loopback or metadata; a name's addresses are checked again at send time
 * (`refusedAddress`). The message names the problem, never echoes the URL's path or query.
 */
export function webhookUrlProblem(text: string, host: WebhookHostKind): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be an absolute URL such as https://hooks.example.com/elastic-jobs';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an https URL';
  if (url.username || url.password) return 'must not carry a user name or password (the signature header authenticates the product to the receiver)';
  const hostname = url.hostname.toLowerCase().replace(/\.$/, '');
  const literal = classifyAddress(hostname);
  const kind: AddressClass | undefined = literal ?? (isLocalhostName(hostname) ? 'loopback' : METADATA_NAMES.has(hostname) ? 'metadata' : undefined);
  if (kind !== undefined && !addressAllowed(kind, host)) return refusal(literal === undefined ? hostname : hostname.replace(/^\[|\]$/g, ''), kind, host);
  if (url.protocol === 'http:' && !(host === 'local' && kind === 'loopback')) {
    return host === 'local' ? 'must be an https URL (plain http only to a loopback address such as 127.0.0.1 on the local host)' : 'must be an https URL';
  }
  return undefined;
}

/**
 * Why a POST must not go to this resolved address (`scheme` is the URL's), or undefined when it
 * may. Applied to every address a name resolves to, just before connecting to one of them.
 */
export function refusedAddress(address: string, scheme: 'http:' | 'https:', host: WebhookHostKind): string | undefined {
  const kind = classifyAddress(address);
  if (kind === undefined) return `${address} is not an IP address`;
  if (!addressAllowed(kind, host)) return refusal(address, kind, host);
  if (scheme === 'http:' && !(host === 'local' && kind === 'loopback')) return `plain http may only reach a loopback address, and the name resolves to ${address}`;
  return undefined;
}

function refusal(what: string, kind: AddressClass, host: WebhookHostKind): string {
  const where = host === 'azure' ? 'in Azure only public addresses are allowed' : 'webhooks may not reach it';
  return `must not point at ${what}: that is ${CLASS_WORDS[kind]}, and ${where}`;
}
