import { boundaryRefusal, ownOrigins, parseHostHeader, type BoundaryRequest } from '../../../src/local/hostBoundary';

const PORT = 7071;
const request = (overrides: Partial<BoundaryRequest>): BoundaryRequest => ({
  method: 'POST',
  host: `127.0.0.1:${PORT}`,
  origin: undefined,
  secFetchSite: undefined,
  secFetchMode: undefined,
  ...overrides,
});
const statusOf = (overrides: Partial<BoundaryRequest>) => boundaryRefusal(request(overrides), PORT)?.status;

describe('the local host boundary: Host', () => {
  it.each(['127.0.0.1:7071', '127.0.0.1', 'localhost:7071', 'LOCALHOST:7071', 'localhost', '[::1]:7071', '[::1]'])('answers Host %s', (host) => {
    expect(statusOf({ host })).toBeUndefined();
  });

  it('answers a request without Host (HTTP/1.0)', () => {
    expect(statusOf({ host: undefined })).toBeUndefined();
  });

  it.each(['rebind.evil.example:7071', 'rebind.evil.example', '127.0.0.1:8080', 'localhost:80', '127.0.0.2:7071', 'localhost.:7071', '0.0.0.0:7071', '[::ffff:127.0.0.1]:7071'])(
    'is misdirected (421) for Host %s',
    (host) => {
      expect(statusOf({ host })).toBe(421);
    },
  );

  it.each(['a b', '', 'x/y', 'user@127.0.0.1', '127.0.0.1:70710', '127.0.0.1:port', '[::1', 'a\tb'])('is a bad request (400) for the malformed Host %j', (host) => {
    expect(statusOf({ host })).toBe(400);
  });

  it('parses name and port, lower-cased, IPv6 in brackets', () => {
    expect(parseHostHeader('LocalHost:7071')).toEqual({ name: 'localhost', port: 7071 });
    expect(parseHostHeader('[::1]')).toEqual({ name: '[::1]', port: undefined });
    expect(parseHostHeader('a b')).toBeUndefined();
  });
});

describe('the local host boundary: Origin and Fetch Metadata', () => {
  it.each(['http://127.0.0.1:7071', 'http://localhost:7071', 'http://[::1]:7071'])('answers its own origin %s', (origin) => {
    expect(statusOf({ origin, secFetchSite: 'same-origin', secFetchMode: 'cors' })).toBeUndefined();
  });

  it.each(['https://evil.example', 'null', 'http://127.0.0.1:8080', 'https://127.0.0.1:7071', 'http://localhost', 'http://127.0.0.1:7071.evil.example', ''])(
    'refuses (403) Origin %j',
    (origin) => {
      expect(statusOf({ origin })).toBe(403);
    },
  );

  it('writes the origins as browsers serialize them (no :80)', () => {
    expect(ownOrigins(80)).toEqual(['http://127.0.0.1', 'http://localhost', 'http://[::1]']);
    expect(ownOrigins(PORT)).toContain('http://127.0.0.1:7071');
  });

  it.each([
    ['cross-site', 'no-cors', 'POST'],
    ['cross-site', 'cors', 'GET'],
    ['same-site', 'no-cors', 'GET'],
    ['cross-site', 'navigate', 'POST'],
  ])('refuses (403) Sec-Fetch-Site %s, mode %s, %s without an Origin', (secFetchSite, secFetchMode, method) => {
    expect(statusOf({ secFetchSite, secFetchMode, method })).toBe(403);
  });

  it('lets a link from another site open a page (a top-level GET navigation carries no body)', () => {
    expect(statusOf({ secFetchSite: 'cross-site', secFetchMode: 'navigate', method: 'GET' })).toBeUndefined();
  });

  it.each(['same-origin', 'none'])('answers Sec-Fetch-Site %s', (secFetchSite) => {
    expect(statusOf({ secFetchSite, secFetchMode: 'cors' })).toBeUndefined();
  });

  it('checks Host before Origin: a rebinding page sends its own origin, and is misdirected', () => {
    expect(statusOf({ host: 'rebind.evil.example:7071', origin: 'http://rebind.evil.example:7071', secFetchSite: 'same-origin' })).toBe(421);
  });
});
