/**
 * Where a password may go, proven with listeners of the test's own on loopback: a fake
 * PostgreSQL server that asks for a cleartext password and records whether one arrives, a fake
 * TDS peer that answers PRELOGIN with "encryption not supported" and records LOGIN7 packets, and
 * a fake SQL Browser on UDP 1434 (tedious always asks there for a named instance).
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { ConnectionCredential } from '../../../src/targets/driver';
import { createPostgresDriver } from '../../../src/targets/postgresDriver';
import { createSqlServerDriver } from '../../../src/targets/sqlServerDriver';
import { freePort } from '../../support/ports';

interface Recorder {
  port: number;
  connections: number;
  /** PostgreSQL: PasswordMessage contents; TDS: LOGIN7 packets. */
  secrets: Buffer[];
  close(): Promise<void>;
}

async function listen(handle: (socket: net.Socket, recorder: Recorder) => void, address = '127.0.0.1'): Promise<Recorder> {
  const port = await freePort();
  const server = net.createServer();
  const recorder: Recorder = { port, connections: 0, secrets: [], close: () => new Promise((r) => server.close(() => r())) };
  server.on('connection', (socket) => {
    recorder.connections++;
    socket.on('error', () => undefined);
    handle(socket, recorder);
  });
  await new Promise<void>((resolve) => server.listen(port, address, resolve));
  return recorder;
}

/** A PostgreSQL server as far as the password: 'N' to SSLRequest, AuthenticationCleartextPassword to the startup message, then records a PasswordMessage ('p'). */
const fakePostgres = () =>
  listen((socket, recorder) => {
    let buffer = Buffer.alloc(0);
    let started = false;
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (!started) {
          if (buffer.length < 8) return;
          const length = buffer.readInt32BE(0);
          if (buffer.length < length) return;
          const code = buffer.readInt32BE(4);
          buffer = buffer.subarray(length);
          if (code === 80877103) {
            socket.write('N'); // SSLRequest: no TLS here
            continue;
          }
          started = true;
          socket.write(Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 3])); // 'R', AuthenticationCleartextPassword
          continue;
        }
        if (buffer.length < 5) return;
        const length = buffer.readInt32BE(1);
        if (buffer.length < length + 1) return;
        if (buffer[0] === 0x70) recorder.secrets.push(buffer.subarray(5, length + 1));
        buffer = buffer.subarray(length + 1);
        socket.destroy();
        return;
      }
    });
  });

/** A TDS peer whose PRELOGIN answer says ENCRYPT_NOT_SUP (0x02), recording every LOGIN7 (packet type 0x10). */
const fakeTdsWithoutTls = (address?: string) =>
  listen((socket, recorder) => {
    socket.on('data', (chunk) => {
      for (let at = 0; at + 8 <= chunk.length; at += chunk.readUInt16BE(at + 2) || chunk.length) {
        const type = chunk[at];
        if (type === 0x12) {
          // VERSION (6 bytes) and ENCRYPTION (1 byte) options, terminator, data.
          const payload = Buffer.from([0x00, 0x00, 0x0b, 0x00, 0x06, 0x01, 0x00, 0x11, 0x00, 0x01, 0xff, 0x0f, 0x00, 0x07, 0xd0, 0x00, 0x00, 0x02]);
          const header = Buffer.from([0x04, 0x01, 0x00, 8 + payload.length, 0x00, 0x00, 0x01, 0x00]);
          socket.write(Buffer.concat([header, payload]));
        } else if (type === 0x10) {
          recorder.secrets.push(chunk.subarray(at));
          socket.destroy();
          return;
        }
      }
    });
  }, address);

const credential = (allowedServers: string[]): ConnectionCredential => ({ authentication: 'sql', username: 'jobuser', password: 'Pa55word-never-sent', allowedServers });
const failure = (promise: Promise<unknown>) => promise.then(
  () => {
    throw new Error('expected a failure');
  },
  (e: Error) => e,
);

describe('PostgreSQL: the password goes only where allowedServers admit the parsed address', () => {
  const driver = createPostgresDriver({ connectTimeoutMs: 3_000 });
  let pg: Recorder;
  beforeAll(async () => (pg = await fakePostgres()));
  afterAll(async () => pg.close());
  beforeEach(() => {
    pg.connections = 0;
    pg.secrets = [];
  });

  it('reaches a listener that is admitted (the fake does record a password)', async () => {
    await failure(driver.listDatabases(`127.0.0.1:${pg.port}`, credential(['127.0.0.1'])));
    expect(pg.secrets.map(String)).toEqual(['Pa55word-never-sent\u0000']);
  });

  it.each([
    ['a pattern naming the default port', ['127.0.0.1:5432']],
    ['another host', ['*.database.windows.net']],
    ['a name, not its address (no DNS)', ['localhost']],
    ['an IPv6 prefix of the address', ['::ffff:7f00']],
  ])('sends nothing, and does not even connect, to 127.0.0.1:<port> under %s', async (_label, patterns) => {
    const error = await failure(driver.listDatabases(`127.0.0.1:${pg.port}`, credential(patterns)));
    expect(error.message).toContain('Refused without connecting');
    expect(pg.connections).toBe(0);
    expect(pg.secrets).toEqual([]);
  });

  it.each([`[::ffff:127.0.0.1]:${0}`, '::ffff:7f00:1'])('reads %s as an IPv6 address, which "::ffff:7f00" does not admit', async (spelling) => {
    const serverName = spelling.replace(':0', () => `:${pg.port}`);
    const error = await failure(driver.listDatabases(serverName, credential(['::ffff:7f00'])));
    expect(error.message).toContain('Refused without connecting');
    expect(pg.secrets).toEqual([]);
  });

  it('refuses a Unix socket directory whatever the patterns say', async () => {
    const error = await failure(driver.listDatabases('/tmp/x/y.database.windows.net', credential(['*.database.windows.net', '*'])));
    expect(error.message).toContain('is a path');
  });

  it('with POSTGRES_SSLMODE=require, a server that declines TLS gets no password', async () => {
    const tls = createPostgresDriver({ connectTimeoutMs: 3_000, sslMode: 'require' });
    await failure(tls.listDatabases(`127.0.0.1:${pg.port}`, credential(['127.0.0.1'])));
    expect(pg.connections).toBe(1);
    expect(pg.secrets).toEqual([]);
  });
});

describe('SQL Server: no login without TLS when encryption is required', () => {
  let tds: Recorder;
  beforeAll(async () => (tds = await fakeTdsWithoutTls()));
  afterAll(async () => tds.close());
  beforeEach(() => {
    tds.connections = 0;
    tds.secrets = [];
  });

  it('with encrypt=false the fake does receive a LOGIN7 (the recorder works)', async () => {
    const driver = createSqlServerDriver({ encrypt: false, trustServerCertificate: true, connectTimeoutMs: 3_000 });
    await failure(driver.listDatabases(`127.0.0.1,${tds.port}`, credential(['127.0.0.1'])));
    await driver.close();
    expect(tds.secrets.length).toBeGreaterThan(0);
  });

  it('with SQLSERVER_ENCRYPT=true a server answering PRELOGIN "encryption not supported" receives no LOGIN7', async () => {
    const driver = createSqlServerDriver({ encrypt: true, trustServerCertificate: true, connectTimeoutMs: 3_000 });
    const error = await failure(driver.listDatabases(`127.0.0.1,${tds.port}`, credential(['127.0.0.1'])));
    await driver.close();
    expect(tds.connections).toBeGreaterThan(0);
    expect(tds.secrets).toEqual([]);
    expect(error.message).toMatch(/did not negotiate TLS|no login was sent/i);
  });
});

describe('SQL Server named instances: the SQL Browser is asked only for an instance a pattern names, and its port is judged', () => {
  // A loopback address of its own, so UDP 1434 is free for this file's Browser.
  const host = `127.0.0.${10 + Math.floor(Math.random() * 200)}`;
  let browser: dgram.Socket;
  let queries = 0;
  let tds: Recorder;
  beforeAll(async () => {
    tds = await fakeTdsWithoutTls(host);
    browser = dgram.createSocket('udp4');
    browser.on('message', (_message, peer) => {
      queries++;
      const text = Buffer.from(`ServerName;FAKE;InstanceName;INST;IsClustered;No;Version;16.0.1000.6;tcp;${tds.port};;`, 'ascii');
      const header = Buffer.from([0x05, text.length & 0xff, text.length >> 8]);
      browser.send(Buffer.concat([header, text]), peer.port, peer.address);
    });
    await new Promise<void>((resolve) => browser.bind(1434, host, resolve));
  });
  afterAll(async () => {
    browser.close();
    await tds.close();
  });
  beforeEach(() => {
    queries = 0;
    tds.connections = 0;
    tds.secrets = [];
  });

  it.each([
    ['the host without the instance', [`${host}`]],
    ['a wildcard host', ['*']],
    ["the README's Azure pattern", ['*.database.windows.net']],
  ])('%s: no Browser query, no connection, no login', async (_label, patterns) => {
    const driver = createSqlServerDriver({ encrypt: false, trustServerCertificate: true, connectTimeoutMs: 3_000 });
    const error = await failure(driver.listDatabases(`${host}\\inst`, credential(patterns)));
    await driver.close();
    expect(error.message).toContain('Refused without connecting');
    expect(queries).toBe(0);
    expect(tds.connections).toBe(0);
  });

  it('a pattern naming the instance on another port: the Browser is asked, its port refused, no connection', async () => {
    const driver = createSqlServerDriver({ encrypt: false, trustServerCertificate: true, connectTimeoutMs: 3_000 });
    const error = await failure(driver.listDatabases(`${host}\\inst`, credential([`${host}\\inst,1`])));
    await driver.close();
    expect(queries).toBeGreaterThan(0);
    expect(error.message).toContain(`on port ${tds.port}`);
    expect(tds.connections).toBe(0);
  });

  it('a pattern naming the instance: the Browser port is used, and with encrypt=true still no login without TLS', async () => {
    const driver = createSqlServerDriver({ encrypt: true, trustServerCertificate: true, connectTimeoutMs: 3_000 });
    await failure(driver.listDatabases(`${host}\\inst`, credential([`${host}\\inst`])));
    await driver.close();
    expect(queries).toBeGreaterThan(0);
    expect(tds.connections).toBeGreaterThan(0);
    expect(tds.secrets).toEqual([]);
  });
});
