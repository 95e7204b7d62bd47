/**
 * The local host's boundary as a hostile page meets it: `npm start`'s entry in a child process,
 * on a fresh data folder, sent what a browser on another origin (or a DNS-rebound name) sends.
 */
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startLocalHost, type RunningLocalHost } from '../support/localHost';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** One request with exactly these headers (fetch would not let a test set Host, Origin or Sec-Fetch-*). */
function request(host: RunningLocalHost, method: string, pathname: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: host.port, method, path: pathname, headers: { ...headers, ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The raw bytes of a request, for a header no client library would send (`Host: a b`). */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString('utf8')));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

const CREDENTIAL = JSON.stringify({ name: 'planted', username: 'u', password: 'Planted-Pa55word', allowedServers: ['*'] });

describe('the local host boundary over HTTP', () => {
  let host: RunningLocalHost;
  let dataDir: string;
  beforeAll(async () => {
    // A folder that does not exist yet: the host creates it, so its mode is the host's doing.
    dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ej-boundary-')), 'state');
    host = await startLocalHost({ dataDir, timeoutMs: 110_000 });
  }, 120_000);
  afterAll(async () => host.stop());

  const own = () => `127.0.0.1:${host.port}`;
  const credentialNames = async () => {
    const res = await request(host, 'GET', '/api/credentials', { host: own() });
    expect(res.status).toBe(200);
    return (JSON.parse(res.text) as { items: { name: string }[] }).items.map((c) => c.name);
  };

  it('refuses a cross-origin text/plain POST (what a form or no-cors fetch sends) and writes nothing', async () => {
    const res = await request(host, 'POST', '/api/credentials', { host: own(), origin: 'https://evil.example', 'content-type': 'text/plain;charset=UTF-8', 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' }, CREDENTIAL);
    expect(res.status).toBe(403);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(await credentialNames()).toEqual([]);
  });

  it('refuses a text/plain body with 415 even from this machine, and writes nothing', async () => {
    const res = await request(host, 'POST', '/api/credentials', { host: own(), 'content-type': 'text/plain' }, CREDENTIAL);
    expect(res.status).toBe(415);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(await credentialNames()).toEqual([]);
  });

  it('answers a foreign Host (a DNS-rebound name) with 421 and no data, for reads and writes', async () => {
    const seeded = await request(host, 'POST', '/api/contents', { host: own(), 'content-type': 'application/json' }, JSON.stringify({ name: 'visible', type: 'script', commandText: 'SELECT 1' }));
    expect(seeded.status).toBe(201);
    const read = await request(host, 'GET', '/api/contents', { host: `rebind.evil.example:${host.port}` });
    expect(read.status).toBe(421);
    expect(read.text).not.toContain('visible');
    const write = await request(host, 'POST', '/api/credentials', { host: `rebind.evil.example:${host.port}`, origin: `http://rebind.evil.example:${host.port}`, 'content-type': 'application/json' }, CREDENTIAL);
    expect(write.status).toBe(421);
    expect(await credentialNames()).toEqual([]);
  });

  it('serves a same-origin browser request (the dashboard beside the API)', async () => {
    const created = await request(
      host,
      'POST',
      '/api/credentials',
      { host: own(), origin: `http://${own()}`, 'content-type': 'application/json', 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors' },
      JSON.stringify({ name: 'from-dashboard', username: 'u', password: 'Dashboard-Pa55', allowedServers: ['*'] }),
    );
    expect(created.status).toBe(201);
    const read = await request(host, 'GET', '/api/credentials', { host: `localhost:${host.port}`, origin: `http://localhost:${host.port}`, 'sec-fetch-site': 'same-origin' });
    expect(read.status).toBe(200);
    expect(read.text).toContain('from-dashboard');
  });

  it('grants no CORS preflight to another origin', async () => {
    const res = await request(host, 'OPTIONS', '/api/credentials', { host: own(), origin: 'https://evil.example', 'access-control-request-method': 'POST' });
    expect(res.status).toBe(403);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['access-control-allow-methods']).toBeUndefined();
  });

  it('answers a malformed Host (`a b`) with 400, not 500', async () => {
    const answer = await rawRequest(host.port, 'GET /api/health HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(host.output()).not.toContain('Local host request failed');
  });

  it('answers a request target that is not a path with 400', async () => {
    const answer = await rawRequest(host.port, `GET //evil.example/api/health HTTP/1.1\r\nHost: ${own()}\r\nConnection: close\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
  });

  it('answers a 1 MiB body of 60,000 unknown keys with an error under 16 KiB', async () => {
    const body = JSON.stringify(Object.fromEntries(Array.from({ length: 60_000 }, (_, i) => [`unknown${String(i).padStart(5, '0')}`, 1])));
    expect(body.length).toBeGreaterThan(900_000);
    const res = await request(host, 'POST', '/api/credentials', { host: own(), 'content-type': 'application/json' }, body);
    expect(res.status).toBe(400);
    expect(Buffer.byteLength(res.text)).toBeLessThan(16 * 1024);
    expect(JSON.parse(res.text).errors.at(-1).message).toMatch(/^and \d+ more$/);
  });

  it('refuses a DACPAC content on a loopback port over HTTP, naming the field', async () => {
    const res = await request(host, 'POST', '/api/contents', { host: own(), 'content-type': 'application/json' }, JSON.stringify({ name: 'probe', type: 'dacpac', dacpacUri: 'http://127.0.0.1:6379/x.dacpac?sv=1&sig=SECRETSIG' }));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).errors).toEqual([{ path: 'body.dacpacUri', message: expect.stringContaining('DACPAC_ALLOWED_HOSTS') }]);
    expect(res.text).not.toContain('SECRETSIG');
  });

  it('creates its data folder 0700 and its files 0600 (control.db, its WAL files, master.key)', () => {
    expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
    const files = fs.readdirSync(dataDir).filter((f) => f.startsWith('control.db') || f === 'master.key');
    expect(files).toEqual(expect.arrayContaining(['control.db', 'master.key']));
    for (const file of files) expect([file, fs.statSync(path.join(dataDir, file)).mode & 0o777]).toEqual([file, 0o600]);
  });
});
