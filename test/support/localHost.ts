/**
 * Starts the local host as a child process (`npm start`'s entry, through ts-node) on a free
 * port with its own data folder, and waits for /api/health. For end-to-end tests that drive it
 * over HTTP as a user would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports';

export { freePort };

export const REPO_ROOT = path.resolve(__dirname, '..', '..');


export interface RunningLocalHost {
  url: string;
  port: number;
  dataDir: string;
  child: ChildProcess;
  output(): string;
  /** SIGTERM and wait; `kill('SIGKILL')` for crash tests. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function startLocalHost(options: { env?: Record<string, string>; dataDir?: string; timeoutMs?: number } = {}): Promise<RunningLocalHost> {
  const port = await freePort();
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'ej-host-'));
  let output = '';
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(REPO_ROOT, 'src/local/main.ts')], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: String(port), ELASTIC_JOBS_DATA_DIR: dataDir, LOG_LEVEL: 'info', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}/api`;
  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The local host exited with ${child.exitCode}:\n${output}`);
    try {
      const res = await fetch(`${url}/health`, { headers: options.env?.ELASTIC_JOBS_API_KEY ? { 'x-functions-key': options.env.ELASTIC_JOBS_API_KEY } : {} });
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`The local host did not answer /api/health in time:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    dataDir,
    child,
    output: () => output,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill(signal);
      await exited;
    },
  };
}
