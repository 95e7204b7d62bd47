/**
 * No SQL Server runs here: these tests drive the driver against real sockets (a refused port,
 * a server that accepts and never speaks TDS, one that hangs up) to check what does not need
 * a server: classification of connection failures, cancel and timeout while connecting, and
 * that a bad script is refused before any connection.
 */
import net from 'node:net';
import { createSqlServerDriver } from '../../../src/targets/sqlServerDriver';
import type { ConnectionCredential, DatabaseRef, RunOptions } from '../../../src/targets/driver';
import { PermanentTargetError, TaskCanceledError, TaskTimeoutError, TransientTargetError } from '../../../src/targets/errors';
import { freePort } from '../../support/ports';

const secret = 'Sql-Pa55word-Secret';
const credential: ConnectionCredential = { authentication: 'sql', username: 'jobuser', password: secret };
const driver = createSqlServerDriver({ encrypt: false, trustServerCertificate: true, connectTimeoutMs: 2_000 });
const servers: net.Server[] = [];
let connections = 0;

async function listen(onConnection: (socket: net.Socket) => void): Promise<number> {
  const server = net.createServer((socket) => {
    connections++;
    onConnection(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}


const at = (port: number): DatabaseRef => ({ engine: 'sqlserver', serverName: `127.0.0.1,${port}`, databaseName: 'Tenant1' });
const run = (database: DatabaseRef, options: Partial<RunOptions> = {}) =>
  driver.run(database, credential, { script: 'SELECT 1', signal: new AbortController().signal, keepResultSets: 'first', ...options });

beforeEach(() => {
  connections = 0;
});
afterAll(async () => {
  await driver.close();
  for (const server of servers) {
    server.close();
  }
});

describe('sqlserver driver without a server', () => {
  it('reports a refused port as TransientTargetError naming the server, without the password', async () => {
    const port = await freePort();
    const error = await run(at(port)).catch((e) => e);
    expect(error).toBeInstanceOf(TransientTargetError);
    expect(error.message).toContain(`127.0.0.1,${port}/Tenant1`);
    expect(`${error.message}${error.stack}`).not.toContain(secret);
  });

  it('reports a server that hangs up as TransientTargetError', async () => {
    const port = await listen((socket) => socket.destroy());
    await expect(run(at(port))).rejects.toBeInstanceOf(TransientTargetError);
  });

  it('ends the attempt at the timeout while the server does not answer: TaskTimeoutError', async () => {
    const port = await listen(() => undefined);
    const started = Date.now();
    await expect(run(at(port), { timeoutMs: 300 })).rejects.toBeInstanceOf(TaskTimeoutError);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('ends the attempt on abort while connecting: TaskCanceledError', async () => {
    const port = await listen(() => undefined);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    await expect(run(at(port), { signal: controller.signal })).rejects.toBeInstanceOf(TaskCanceledError);
  });

  it('refuses a script with GO 0 before connecting', async () => {
    const port = await listen((socket) => socket.destroy());
    await expect(run(at(port), { script: 'SELECT 1\nGO 0' })).rejects.toBeInstanceOf(PermanentTargetError);
    expect(connections).toBe(0);
  });

  it('does not connect when the execution is already cancelled', async () => {
    const port = await listen((socket) => socket.destroy());
    const controller = new AbortController();
    controller.abort();
    await expect(run(at(port), { signal: controller.signal })).rejects.toBeInstanceOf(TaskCanceledError);
    expect(connections).toBe(0);
  });

  it('classifies a failed listing the same way', async () => {
    const port = await freePort();
    await expect(driver.listDatabases(`127.0.0.1,${port}`, credential)).rejects.toBeInstanceOf(TransientTargetError);
    await expect(driver.listElasticPoolDatabases!(`127.0.0.1,${port}`, 'pool1', credential)).rejects.toBeInstanceOf(TransientTargetError);
  });
});
