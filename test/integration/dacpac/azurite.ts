/**
 * Azurite's blob service, started by the test on a free port with its data in a temp folder,
 * and stopped after. Its well-known development account key signs the test's uploads and SAS
 * tokens; it is public and good for this emulator only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';

export const DEV_ACCOUNT = 'devstoreaccount1';
const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface Azurite {
  /** `http://127.0.0.1:<port>/devstoreaccount1/` */
  blobEndpoint: string;
  sharedKey: StorageSharedKeyCredential;
  service: BlobServiceClient;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startAzurite(): Promise<Azurite> {
  const location = fs.mkdtempSync(path.join(os.tmpdir(), 'ej-azurite-'));
  const port = await freePort();
  const bin = path.join(__dirname, '../../../node_modules/azurite/dist/src/blob/main.js');
  const args = ['--silent', '--skipApiVersionCheck', '--disableTelemetry', '--loose', '--blobHost', '127.0.0.1', '--blobPort', String(port), '--location', location];
  const child: ChildProcess = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const deadline = Date.now() + 30_000;
  while (!(await canConnect(port))) {
    if (child.exitCode !== null) throw new Error(`Azurite exited (${child.exitCode}): ${stderr}`);
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`Azurite did not listen on ${port} within 30 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const blobEndpoint = `http://127.0.0.1:${port}/${DEV_ACCOUNT}/`;
  const sharedKey = new StorageSharedKeyCredential(DEV_ACCOUNT, DEV_KEY);
  return {
    blobEndpoint,
    sharedKey,
    service: new BlobServiceClient(blobEndpoint, sharedKey),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(location, { recursive: true, force: true });
    },
  };
}
