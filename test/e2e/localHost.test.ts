/**
 * The local host as a user meets it: `npm start`'s entry started as a child process, driven
 * over real HTTP.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { routes } from '../../src/api/routes';
import { REPO_ROOT, startLocalHost, type RunningLocalHost } from '../support/localHost';

const run = promisify(execFile);

describe('local host over HTTP', () => {
  let host: RunningLocalHost;
  beforeAll(async () => {
    host = await startLocalHost();
  });
  afterAll(async () => host.stop());

  it('answers health with the control database status and version', async () => {
    const res = await fetch(`${host.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', controlDatabase: 'ok', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });

  it('keeps its state under ELASTIC_JOBS_DATA_DIR: control database and a 0600 master key', () => {
    expect(fs.existsSync(path.join(host.dataDir, 'control.db'))).toBe(true);
    expect(fs.statSync(path.join(host.dataDir, 'master.key')).mode & 0o777).toBe(0o600);
  });

  it('serves a valid OpenAPI 3.1 document covering every route', async () => {
    const res = await fetch(`${host.url}/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, { operationId: string }>> };
    expect(doc.openapi).toBe('3.1.0');
    const operations = Object.values(doc.paths).flatMap((p) => Object.values(p).map((o) => o.operationId));
    // Every route of the table, and the dashboard's page, which each host serves beside them.
    expect(operations.sort()).toEqual([...routes.map((r) => r.name), 'dashboard'].sort());

    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ej-openapi-')), 'openapi.json');
    fs.writeFileSync(file, JSON.stringify(doc));
    const validator = path.join(REPO_ROOT, 'node_modules/@seriousme/openapi-schema-validator/bin/validate-api-cli.js');
    const { stdout } = await run(process.execPath, [validator, file]).catch((e: { stdout: string }) => ({ stdout: e.stdout }));
    expect(JSON.parse(stdout)).toMatchObject({ valid: true });
  });

  it('answers unknown routes and methods with problem details', async () => {
    const missing = await fetch(`${host.url}/nothing-here`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
    const wrongMethod = await fetch(`${host.url}/health`, { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET');
  });

  it('refuses a body over 1 MiB with 413 and writes nothing', async () => {
    const res = await fetch(`${host.url}/credentials`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'big', username: 'u', password: 'p'.repeat(2 * 1024 * 1024), allowedServers: ['*'] }),
    });
    expect(res.status).toBe(413);
    const list = (await (await fetch(`${host.url}/credentials`)).json()) as { items: unknown[] };
    expect(list.items).toEqual([]);
  });

  it('creates and reads an object over HTTP without the password anywhere in the answer or the log', async () => {
    const password = 'e2e-Secret-Value-9f3k';
    const created = await fetch(`${host.url}/credentials`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'e2e', username: 'runner', password, allowedServers: ['*'] }),
    });
    expect(created.status).toBe(201);
    const text = await (await fetch(`${host.url}/credentials/e2e`)).text();
    expect(JSON.parse(text)).toMatchObject({ name: 'e2e', username: 'runner' });
    expect(text).not.toContain(password);
    expect(host.output()).not.toContain(password);
  });
});

describe('local host with an API key', () => {
  const key = 'local-api-key-0123456789';
  let host: RunningLocalHost;
  beforeAll(async () => {
    host = await startLocalHost({ env: { ELASTIC_JOBS_API_KEY: key } });
  });
  afterAll(async () => host.stop());

  it('answers 401 without the key or with a wrong one, and serves with it', async () => {
    expect((await fetch(`${host.url}/credentials`)).status).toBe(401);
    expect((await fetch(`${host.url}/credentials`, { headers: { 'x-functions-key': 'wrong-key-0123456789' } })).status).toBe(401);
    expect((await fetch(`${host.url}/credentials`, { headers: { 'x-functions-key': key } })).status).toBe(200);
    expect((await fetch(`${host.url}/credentials?code=${key}`)).status).toBe(200);
  });

  it('answers GET /health without a key, as Azure does (a probe holds no secret), and nothing else under /health', async () => {
    const res = await fetch(`${host.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
    expect((await fetch(`${host.url}/health/x`)).status).toBe(401);
    expect((await fetch(`${host.url}/health`, { method: 'POST' })).status).toBe(401);
  });
});

describe('local host configuration', () => {
  it('stops at start-up with a message naming a wrong setting', async () => {
    const result = await run(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(REPO_ROOT, 'src/local/main.ts')], {
      cwd: REPO_ROOT,
      env: { ...process.env, PORT: 'not-a-port' },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(result).toMatchObject({ code: 2 });
    expect((result as { stderr: string }).stderr).toContain('PORT');
  });
});
