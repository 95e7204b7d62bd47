/**
 * `elastic-jobs serve`: the local host inside the command's own process, reachable by the
 * other sub-commands, stopped cleanly by Ctrl-C.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, REPO_ROOT } from '../support/localHost';
import { CLI, cliRunner, jsonOf } from './cliProcess';

describe('elastic-jobs serve', () => {
  it('serves the API on the given port with its state in --data-dir, and stops on SIGINT with exit 0', async () => {
    const port = await freePort();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ej-serve-'));
    const env: Record<string, string | undefined> = { ...process.env, ELASTIC_JOBS_CLI_FROM_SOURCE: '1', LOG_LEVEL: 'warn' };
    delete env.ELASTIC_JOBS_API_KEY;
    delete env.CONTROL_DB;
    const child = spawn(process.execPath, [CLI, 'serve', '--port', String(port), '--data-dir', dataDir], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 90_000;
      while (!output.includes('listening on') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
      expect(output).toContain(`Elastic Jobs local host listening on http://127.0.0.1:${port}/api`);
      expect(fs.existsSync(path.join(dataDir, 'control.db'))).toBe(true);

      const cli = cliRunner({ ELASTIC_JOBS_URL: `http://127.0.0.1:${port}` });
      const policies = jsonOf(await cli(['policy', 'list', '-o', 'json']));
      expect(policies.items.map((p: { name: string }) => p.name)).toContain('default');

      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(output).toContain('Stopping.');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
