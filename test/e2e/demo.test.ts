/** `npm run demo`, as the README's first screen tells a new user to run it. */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { REPO_ROOT } from '../support/localHost';

const run = promisify(execFile);

describe('npm run demo', () => {
  it('runs the job across the tenant collection, retries the late tenant, and exits 0', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ej-demo-'));
    const { stdout } = await run('npm', ['run', '--silent', 'demo'], { cwd: REPO_ROOT, env: { ...process.env, ELASTIC_JOBS_DEMO_DIR: dir }, timeout: 120_000 });
    expect(stdout).toContain('Succeeded');
    expect(stdout).toMatch(/tenant-4\.db\s+1\s+Failed\s+Line 4: no such table: orders/);
    expect(stdout).toMatch(/tenant-4\.db\s+2\s+Succeeded/);
    expect(stdout).toContain('As expected: 5 tenants audited');
    // The demo's own checks passed; look at one tenant ourselves as well.
    const db = new Database(path.join(dir, 'tenants', 'tenant-2.db'), { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM order_audit').get()).toEqual({ n: 15 });
    db.close();
    expect(fs.existsSync(path.join(dir, 'control.db'))).toBe(true);
  }, 150_000);
});
