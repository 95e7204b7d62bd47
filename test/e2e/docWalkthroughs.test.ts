/**
 * Documentation as tests: the README's curl walkthrough and docs/cli.md's walkthrough are
 * taken from the documents (every ```bash block under their heading), run through bash exactly
 * as printed against a local host of their own (API / ELASTIC_JOBS_URL pointing at its port,
 * ELASTIC_JOBS_DATA_DIR at its fresh data folder), and must run the job's script on every
 * database. A doc example that stops working fails here.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { REPO_ROOT, startLocalHost, type RunningLocalHost } from '../support/localHost';
import { CLI } from './cliProcess';

/** The ```bash blocks of the section under `heading` (up to the next heading of the same level). */
export function bashBlocksUnder(markdown: string, heading: string): string[] {
  const lines = markdown.split('\n');
  const level = /^#+/.exec(heading)![0].length;
  const start = lines.indexOf(heading);
  if (start < 0) throw new Error(`no heading '${heading}'`);
  const blocks: string[] = [];
  let current: string[] | undefined;
  for (const line of lines.slice(start + 1)) {
    if (current) {
      if (line.startsWith('```')) {
        blocks.push(current.join('\n'));
        current = undefined;
      } else current.push(line);
      continue;
    }
    const h = /^(#+) /.exec(line);
    if (h && h[1].length <= level) break;
    if (line.trim() === '```bash') current = [];
  }
  return blocks;
}

interface BashResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runBash(script: string, options: { cwd: string; env: Record<string, string> }): Promise<BashResult> {
  // -e: a failing step fails the walkthrough, as it would stop a reader. pipefail: a failing
  // command before `| jq` or `| sed` counts too.
  const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', script], { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

function rows(file: string, sql: string): unknown[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}

function expectRan(result: BashResult, host: RunningLocalHost): void {
  if (result.code !== 0) throw new Error(`walkthrough exited ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}\n--- host\n${host.output().slice(-4000)}`);
}

const hosts: RunningLocalHost[] = [];
afterAll(async () => {
  for (const host of hosts) {
    await host.stop();
    fs.rmSync(host.dataDir, { recursive: true, force: true });
  }
});

describe('the documented walkthroughs, run as printed', () => {
  it.concurrent("README's curl walkthrough runs the job's script on both tenant databases", async () => {
    const blocks = bashBlocksUnder(fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8'), '## A walk through the objects with curl');
    expect(blocks.length).toBeGreaterThan(0);
    const host = await startLocalHost({ timeoutMs: 120_000 });
    hosts.push(host);
    const result = await runBash(blocks.join('\n'), { cwd: REPO_ROOT, env: { API: host.url, ELASTIC_JOBS_DATA_DIR: host.dataDir, ELASTIC_JOBS_CLI_FROM_SOURCE: '1' } });
    expectRan(result, host);

    // The wait's answer: the execution ended Succeeded, both children too.
    const answers = result.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const waited = answers.find((a) => a.jobName === 'audit' && a.parentId === null && a.endTime);
    expect(waited).toMatchObject({ lifecycle: 'Succeeded', counts: expect.objectContaining({ Succeeded: 2 }) });

    // Version 2 of the script ran on each database: one audit row per order.
    const tenants = path.join(host.dataDir, 'sqlite', 'tenants');
    for (const file of ['t1.db', 't2.db']) {
      expect(rows(path.join(tenants, file), 'SELECT order_id FROM order_audit ORDER BY order_id')).toEqual([{ order_id: 1 }, { order_id: 2 }]);
    }
    // The two-step run: its steps in order, and the second stamped each database with that run's id and the database's name.
    const twoSteps = answers.find((a) => a.jobName === 'audit' && a.parentId === null && a.endTime && Array.isArray(a.steps) && (a.steps as unknown[]).length === 2);
    expect(twoSteps).toMatchObject({
      lifecycle: 'Succeeded',
      steps: [
        { name: 'main', stepIndex: 1, lifecycle: 'Succeeded', counts: { Succeeded: 2 } },
        { name: 'stamp', stepIndex: 2, lifecycle: 'Succeeded', counts: { Succeeded: 2 } },
      ],
    });
    for (const file of ['t1.db', 't2.db']) {
      expect(rows(path.join(tenants, file), 'SELECT execution_id, db FROM audit_runs')).toEqual([{ execution_id: twoSteps!.id, db: file }]);
    }
    // Its last step removed the job: nothing of it ran any more, so it is gone at once.
    expect((await fetch(`${host.url}/jobs/audit`)).status).toBe(404);
  }, 240_000);

  it.concurrent("docs/cli.md's walkthrough runs the job's script on all three tenant databases", async () => {
    const blocks = bashBlocksUnder(fs.readFileSync(path.join(REPO_ROOT, 'docs', 'cli.md'), 'utf8'), '## Walkthrough');
    expect(blocks.length).toBeGreaterThan(0);
    const host = await startLocalHost({ timeoutMs: 120_000 });
    hosts.push(host);
    // `elastic-jobs` on PATH, as `npm link` puts it, running the source.
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ej-cli-walk-'));
    const bin = path.join(work, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'elastic-jobs'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`, { mode: 0o755 });
    const result = await runBash(blocks.join('\n'), {
      cwd: work,
      env: { PATH: `${bin}:${process.env.PATH}`, ELASTIC_JOBS_URL: host.url, ELASTIC_JOBS_DATA_DIR: host.dataDir, ELASTIC_JOBS_CLI_FROM_SOURCE: '1' },
    });
    try {
      expectRan(result, host);
      const tenants = path.join(host.dataDir, 'sqlite', 'tenants');
      for (const file of ['tenant1.db', 'tenant2.db', 'tenant3.db']) {
        expect(rows(path.join(tenants, file), 'SELECT version FROM schema_change')).toEqual([{ version: 1 }]);
      }
      const executions = (await (await fetch(`${host.url}/executions?includeInactive=true&jobName=add-column`)).json()) as { items: Array<{ lifecycle: string; counts: Record<string, number> }> };
      expect(executions.items).toEqual([expect.objectContaining({ lifecycle: 'Succeeded', counts: expect.objectContaining({ Succeeded: 3 }) })]);
      // The trigger the walkthrough added is there, with its next fire time.
      expect(result.stdout).toMatch(/nightly/);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }, 240_000);
});
