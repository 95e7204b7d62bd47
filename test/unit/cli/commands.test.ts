/**
 * Each sub-command turns its arguments into the right HTTP request, and the API's answer into
 * output and an exit code: the real program against a recording HTTP server.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli, startFakeApi, type FakeApi, type FakeHandler, type RecordedRequest } from './cliHarness';

const TARGET_ID = '3f1a6b3e-0000-4000-8000-000000000001';
const COLLECTION_ID = '3f1a6b3e-0000-4000-8000-0000000000c0';

let api: FakeApi;
let reply: FakeHandler;

beforeAll(async () => {
  api = await startFakeApi((request) => reply(request));
});
afterAll(() => api.close());
beforeEach(() => {
  api.requests.length = 0;
  reply = (r) => ({ status: r.method === 'POST' ? 201 : 200, body: { name: 'echo', ...((r.body as object) ?? {}) } });
});

const only = (): RecordedRequest => {
  expect(api.requests).toHaveLength(1);
  return api.requests[0];
};

describe('connection', () => {
  it('sends the key from ELASTIC_JOBS_KEY as x-functions-key, to the API under /api', async () => {
    const { code } = await runCli(api, ['credential', 'show', 'deployer'], { env: { ELASTIC_JOBS_KEY: 'k'.repeat(20) } });
    expect(code).toBe(0);
    expect(only()).toMatchObject({ method: 'GET', path: '/api/credentials/deployer', headers: { 'x-functions-key': 'k'.repeat(20) } });
  });

  it('prefers --key to the environment, and accepts global options after the sub-command', async () => {
    const { code } = await runCli(api, ['credential', 'show', 'deployer', '--key', 'from-flag-000000000', '-o', 'json'], { env: { ELASTIC_JOBS_KEY: 'from-env' } });
    expect(code).toBe(0);
    expect(only().headers['x-functions-key']).toBe('from-flag-000000000');
  });

  it('takes the URL from ELASTIC_JOBS_URL, with or without /api', async () => {
    const { run } = await import('../../../src/cli/main');
    const { memoryIo } = await import('./cliHarness');
    const memory = memoryIo({ env: { ELASTIC_JOBS_URL: `${api.url}/api/` } });
    expect(await run(['job', 'show', 'nightly'], memory.io)).toBe(0);
    expect(only().path).toBe('/api/jobs/nightly');
  });

  it('encodes names with spaces in the path', async () => {
    await runCli(api, ['job', 'show', 'nightly index build']);
    expect(only().path).toBe('/api/jobs/nightly%20index%20build');
  });

  it('exits 5 with one line when nothing listens at the URL', async () => {
    const closed = await startFakeApi(() => ({}));
    await closed.close();
    const { code, stderr } = await runCli(closed, ['job', 'list']);
    expect(code).toBe(5);
    expect(stderr).toMatch(/^error: cannot reach the Elastic Jobs API at http:\/\/127\.0\.0\.1:\d+\/api \(ECONNREFUSED\)/);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuses a URL that is not http(s), without sending anything', async () => {
    const { code, stderr } = await runCli('ftp://example', ['job', 'list']);
    expect(code).toBe(1);
    expect(stderr).toContain('--url must be an http(s) URL');
  });
});

describe('API errors', () => {
  it('shows a 400 as the field path and message, exit 1', async () => {
    reply = () => ({ status: 400, body: { type: 'about:blank', title: 'Bad Request', status: 400, detail: 'invalid', errors: [{ path: 'body.maximumAttempts', message: 'must be at least 1' }] } });
    const { code, stderr, stdout } = await runCli(api, ['policy', 'add', 'once', '--maximum-attempts', '0']);
    expect(code).toBe(1);
    expect(stderr).toBe('error: body.maximumAttempts: must be at least 1 (400)\n');
    expect(stdout).toBe('');
  });

  it('shows a 404 detail, exit 1', async () => {
    reply = () => ({ status: 404, body: { title: 'Not Found', status: 404, detail: "Job 'x' does not exist." } });
    const { code, stderr } = await runCli(api, ['job', 'show', 'x']);
    expect(code).toBe(1);
    expect(stderr).toBe("error: Job 'x' does not exist. (404)\n");
  });

  it('shows a non-JSON 502 from a proxy by its status', async () => {
    reply = () => ({ status: 502, body: '<html>Bad Gateway</html>', contentType: 'text/html' });
    const { code, stderr } = await runCli(api, ['job', 'list']);
    expect(code).toBe(1);
    expect(stderr).toBe('error: HTTP 502 Bad Gateway (502)\n');
  });

  it('exits 1 on a usage mistake, sending nothing', async () => {
    const { code, stderr } = await runCli(api, ['job', 'create', 'x', '--content', 'c']);
    expect(code).toBe(1);
    expect(stderr).toContain('--content, --credential and --target together (missing --credential, --target)');
    expect(api.requests).toHaveLength(0);
  });
});

describe('credential', () => {
  it('add reads the password from stdin (--password-stdin), less the trailing newline, and never prints it', async () => {
    reply = () => ({ status: 201, body: { name: 'deployer', username: 'dep', authentication: 'sql', allowedServers: ['*.db', 'x'], createdAt: '2026-11-25T20:00:00.000Z', updatedAt: '2026-11-25T20:00:00.000Z' } });
    const { code, stdout, stderr } = await runCli(api, ['credential', 'add', 'deployer', '-u', 'dep', '--allowed-server', '*.db,x', '--password-stdin'], { stdin: 'Sup3r-s3cret!\n' });
    expect(code).toBe(0);
    expect(only()).toMatchObject({
      method: 'POST',
      path: '/api/credentials',
      body: { name: 'deployer', username: 'dep', authentication: 'sql', allowedServers: ['*.db', 'x'], password: 'Sup3r-s3cret!' },
    });
    expect(stdout + stderr).not.toContain('Sup3r-s3cret!');
    expect(stdout).toContain('Allowed servers: *.db, x');
  });

  it('add asks on the terminal in raw mode (no echo), handling backspace', async () => {
    const { code, stdout, stderr, memory } = await runCli(api, ['credential', 'add', 'deployer', '-u', 'dep', '--allowed-server', '*'], { typed: 'Pa55worx\u007fd\r' });
    expect(code).toBe(0);
    expect((only().body as { password: string }).password).toBe('Pa55word');
    expect(memory.rawModes).toEqual([true, false]);
    expect(stderr).toBe('Password for dep: \n');
    expect(stdout + stderr).not.toContain('Pa55');
  });

  it('add refuses --password on the command line without echoing it, and sends nothing', async () => {
    const { code, stdout, stderr } = await runCli(api, ['credential', 'add', 'deployer', '-u', 'dep', '--allowed-server', '*', '--password', 'Leaked-123']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error: a password is never taken as an argument/);
    expect(stdout + stderr).not.toContain('Leaked-123');
    expect(api.requests).toHaveLength(0);
  });

  it('add without a terminal and without --password-stdin says to pipe it', async () => {
    const { code, stderr } = await runCli(api, ['credential', 'add', 'deployer', '-u', 'dep', '--allowed-server', '*']);
    expect(code).toBe(1);
    expect(stderr).toContain('--password-stdin');
    expect(api.requests).toHaveLength(0);
  });

  it('add --managed-identity sends no password', async () => {
    await runCli(api, ['credential', 'add', 'mi', '-u', 'app', '--allowed-server', '*', '--managed-identity']);
    expect(only().body).toEqual({ name: 'mi', username: 'app', authentication: 'managedIdentity', allowedServers: ['*'] });
  });

  it('set rotates the password from stdin and changes only what is given', async () => {
    await runCli(api, ['credential', 'set', 'deployer', '--password-stdin'], { stdin: 'n3w\r\n' });
    expect(only()).toMatchObject({ method: 'PUT', path: '/api/credentials/deployer', body: { password: 'n3w' } });
  });

  it('remove deletes and says so', async () => {
    reply = () => ({ status: 204 });
    const { stdout } = await runCli(api, ['credential', 'remove', 'deployer']);
    expect(only()).toMatchObject({ method: 'DELETE', path: '/api/credentials/deployer' });
    expect(stdout).toBe('Removed credential deployer.\n');
  });
});

describe('content', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ej-cli-'));
  const script = path.join(dir, 'add-index.sql');
  fs.writeFileSync(script, 'CREATE INDEX ix ON t(a);\nGO\n');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('add --file sends the script text', async () => {
    await runCli(api, ['content', 'add', 'add-index', '--file', script, '-m', 'first']);
    expect(only()).toMatchObject({ method: 'POST', path: '/api/contents', body: { name: 'add-index', type: 'script', commandText: 'CREATE INDEX ix ON t(a);\nGO\n', comment: 'first' } });
  });

  it('add --dacpac-uri makes a DACPAC content', async () => {
    await runCli(api, ['content', 'add', 'schema', '--dacpac-uri', 'https://blob/schema.dacpac']);
    expect(only().body).toEqual({ name: 'schema', type: 'dacpac', dacpacUri: 'https://blob/schema.dacpac' });
  });

  it('refuses both or neither of --file and --dacpac-uri', async () => {
    expect((await runCli(api, ['content', 'add', 'x'])).code).toBe(1);
    expect((await runCli(api, ['content', 'add', 'x', '--file', script, '--dacpac-uri', 'https://b/x'])).code).toBe(1);
    expect(api.requests).toHaveLength(0);
  });

  it('update adds a version', async () => {
    await runCli(api, ['content', 'update', 'add-index', '--file', script]);
    expect(only()).toMatchObject({ method: 'POST', path: '/api/contents/add-index/versions', body: { commandText: 'CREATE INDEX ix ON t(a);\nGO\n' } });
  });

  it('show --content-version reads that version; versions lists them', async () => {
    await runCli(api, ['content', 'show', 'add-index', '--content-version', '2']);
    expect(only().path).toBe('/api/contents/add-index/versions/2');
    api.requests.length = 0;
    reply = () => ({ body: { items: [], nextCursor: null } });
    await runCli(api, ['content', 'versions', 'add-index']);
    expect(only().path).toBe('/api/contents/add-index/versions');
  });

  it('reports a missing file as a usage error', async () => {
    const { code, stderr } = await runCli(api, ['content', 'add', 'x', '--file', path.join(dir, 'missing.sql')]);
    expect(code).toBe(1);
    expect(stderr).toContain('ENOENT');
  });
});

describe('target', () => {
  it('add-database sends the engine, server and database', async () => {
    await runCli(api, ['target', 'add-database', '-e', 'sqlite', '-s', 'tenants', '-d', 'a.db']);
    expect(only().body).toEqual({ type: 'database', engine: 'sqlite', serverName: 'tenants', databaseName: 'a.db' });
  });

  it('add-server, add-pool, add-shard-map and add-collection send their shapes', async () => {
    await runCli(api, ['target', 'add-server', '-s', 'srv', '-c', 'cred']);
    await runCli(api, ['target', 'add-pool', '-s', 'srv', '-p', 'pool1', '-c', 'cred']);
    await runCli(api, ['target', 'add-shard-map', '-s', 'srv', '-d', 'smm', '-m', 'map', '-c', 'cred', '-e', 'postgres']);
    await runCli(api, ['target', 'add-collection', 'tenants']);
    expect(api.requests.map((r) => r.body)).toEqual([
      { type: 'server', serverName: 'srv', credentialName: 'cred' },
      { type: 'elasticPool', serverName: 'srv', elasticPoolName: 'pool1', credentialName: 'cred' },
      { type: 'shardMap', engine: 'postgres', serverName: 'srv', databaseName: 'smm', shardMapName: 'map', credentialName: 'cred' },
      { type: 'customCollection', name: 'tenants' },
    ]);
  });

  it('add-member finds the collection by name and reuses an existing database target (409 names its id)', async () => {
    reply = (r) => {
      if (r.method === 'GET') return { body: { items: [{ id: COLLECTION_ID, type: 'customCollection', name: 'tenants', createdAt: '2026-11-25T20:00:00.000Z' }], nextCursor: null } };
      if (r.path === '/api/targets') return { status: 409, body: { title: 'Conflict', status: 409, detail: `The same target exists: ${TARGET_ID}` } };
      return { status: 201, body: {} };
    };
    const { code, stdout } = await runCli(api, ['target', 'add-member', 'tenants', '-e', 'sqlite', '-s', 'tenants', '-d', 'a.db']);
    expect(code).toBe(0);
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/targets', 'POST /api/targets', `POST /api/targets/${COLLECTION_ID}/members`]);
    expect(api.requests[0].query).toMatchObject({ type: 'customCollection', name: 'tenants' });
    expect(api.requests[2].body).toEqual({ targetId: TARGET_ID, membership: 'include' });
    expect(stdout).toContain(TARGET_ID);
  });

  it('add-member --exclude by id sends the exclusion', async () => {
    await runCli(api, ['target', 'add-member', COLLECTION_ID, TARGET_ID, '--exclude']);
    expect(only()).toMatchObject({ path: `/api/targets/${COLLECTION_ID}/members`, body: { targetId: TARGET_ID, membership: 'exclude' } });
  });

  it('remove-member and databases address the collection', async () => {
    reply = (r) => (r.method === 'DELETE' ? { status: 204 } : { body: { items: [{ engine: 'sqlite', serverName: 'tenants', databaseName: 'a.db' }], nextCursor: null } });
    await runCli(api, ['target', 'remove-member', COLLECTION_ID, TARGET_ID]);
    const { stdout } = await runCli(api, ['target', 'databases', COLLECTION_ID]);
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`DELETE /api/targets/${COLLECTION_ID}/members/${TARGET_ID}`, `GET /api/targets/${COLLECTION_ID}/databases`]);
    expect(stdout).toMatch(/sqlite\s+tenants\s+a\.db/);
  });

  it('says so when no collection has the name', async () => {
    reply = () => ({ body: { items: [], nextCursor: null } });
    const { code, stderr } = await runCli(api, ['target', 'databases', 'nope']);
    expect(code).toBe(1);
    expect(stderr).toContain("no custom collection named 'nope'");
  });

  it('list follows every page', async () => {
    reply = (r) =>
      r.query.cursor === 'p2'
        ? { body: { items: [{ id: 'b', type: 'database', createdAt: '2026-11-25T20:00:00.000Z' }], nextCursor: null } }
        : { body: { items: [{ id: 'a', type: 'database', createdAt: '2026-11-25T20:00:00.000Z' }], nextCursor: 'p2' } };
    const { stdout } = await runCli(api, ['target', 'list', '-o', 'json']);
    expect(JSON.parse(stdout).items.map((t: { id: string }) => t.id)).toEqual(['a', 'b']);
    expect(api.requests).toHaveLength(2);
  });
});

describe('policy', () => {
  it('add fills what is not given from the default policy', async () => {
    await runCli(api, ['policy', 'add', 'once', '--maximum-attempts', '1', '--job-timeout', 'PT5M']);
    expect(only().body).toEqual({
      name: 'once',
      jobTimeout: 'PT5M',
      initialRetryInterval: 'PT0.1S',
      maximumRetryInterval: 'PT30M',
      retryIntervalBackoffCoefficient: 2,
      maximumAttempts: 1,
    });
  });

  it('set sends only the changes; --task-timeout none clears it', async () => {
    await runCli(api, ['policy', 'set', 'once', '--backoff-coefficient', '1.5', '--task-timeout', 'none']);
    expect(only()).toMatchObject({ method: 'PUT', path: '/api/execution-policies/once', body: { retryIntervalBackoffCoefficient: 1.5, taskTimeout: null } });
  });

  it('refuses a number option that is not a number, sending nothing', async () => {
    const { code, stderr } = await runCli(api, ['policy', 'add', 'x', '--maximum-attempts', 'many']);
    expect(code).toBe(1);
    expect(stderr).toContain('must be a whole number');
    expect(api.requests).toHaveLength(0);
  });
});

describe('job', () => {
  it('create resolves a collection name to its target id', async () => {
    reply = (r) =>
      r.method === 'GET'
        ? { body: { items: [{ id: COLLECTION_ID, type: 'customCollection', name: 'tenants', createdAt: '2026-11-25T20:00:00.000Z' }], nextCursor: null } }
        : { status: 201, body: r.body };
    await runCli(api, ['job', 'create', 'add-index', '--content', 'add-index', '--credential', 'deployer', '--target', 'tenants', '--policy', 'once', '--max-parallelism', '4']);
    expect(api.requests[1]).toMatchObject({
      method: 'POST',
      path: '/api/jobs',
      body: { name: 'add-index', contentName: 'add-index', credentialName: 'deployer', targetId: COLLECTION_ID, executionPolicyName: 'once', maxParallelism: 4 },
    });
  });

  it('create sends a result set destination from the --result-* options', async () => {
    await runCli(api, [
      'job', 'create', 'collect', '--content', 'q', '--credential', 'c', '--target', TARGET_ID,
      '--result-server', 'srv', '--result-database', 'db', '--result-schema', 'dbo', '--result-table', 'results', '--result-credential', 'c',
    ]);
    expect((only().body as { resultSetDestination: unknown }).resultSetDestination).toEqual({ serverName: 'srv', databaseName: 'db', schemaName: 'dbo', tableName: 'results', credentialName: 'c' });
  });

  it('set clears a fixed content version with "latest" and the destination with --no-result-set', async () => {
    await runCli(api, ['job', 'set', 'add-index', '--content-version', 'latest', '--no-result-set']);
    expect(only()).toMatchObject({ method: 'PUT', path: '/api/jobs/add-index', body: { contentVersion: null, resultSetDestination: null } });
  });

  it('create sends a webhook from --notify-url and --notify-on (lifecycles in any case); set --no-notify removes it', async () => {
    await runCli(api, ['job', 'create', 'watched', '--content', 'q', '--credential', 'c', '--target', TARGET_ID, '--notify-url', 'https://hooks.example.com/x', '--notify-on', 'failed, TimedOut,Canceled']);
    expect((only().body as { notify: unknown }).notify).toEqual({ url: 'https://hooks.example.com/x', on: ['Failed', 'TimedOut', 'Canceled'] });
    api.requests.length = 0;
    await runCli(api, ['job', 'set', 'watched', '--notify-url', 'http://127.0.0.1:9000/hook']);
    expect(only()).toMatchObject({ method: 'PUT', path: '/api/jobs/watched', body: { notify: { url: 'http://127.0.0.1:9000/hook' } } });
    api.requests.length = 0;
    await runCli(api, ['job', 'set', 'watched', '--no-notify']);
    expect(only()).toMatchObject({ method: 'PUT', body: { notify: null } });
  });

  it('refuses contradicting or unknown notify options before sending anything', async () => {
    for (const argv of [
      ['job', 'set', 'watched', '--no-notify', '--notify-url', 'https://hooks.example.com/x'],
      ['job', 'set', 'watched', '--notify-on', 'Failed'],
      ['job', 'create', 'w', '--content', 'q', '--credential', 'c', '--target', TARGET_ID, '--notify-url', 'https://h.example/x', '--notify-on', 'Exploded'],
    ]) {
      const { code, stderr } = await runCli(api, argv);
      expect(code).toBe(1);
      expect(stderr).toMatch(/--no-notify|--notify-on/);
    }
    expect(api.requests).toHaveLength(0);
  });

  it('enable and disable PUT the enabled flag and say what it means', async () => {
    const disabled = await runCli(api, ['job', 'disable', 'nightly report']);
    expect(only()).toMatchObject({ method: 'PUT', path: '/api/jobs/nightly%20report', body: { enabled: false } });
    expect(disabled.stdout).toContain('Disabled job nightly report');
    api.requests.length = 0;
    const enabled = await runCli(api, ['job', 'enable', 'nightly report']);
    expect(only()).toMatchObject({ method: 'PUT', body: { enabled: true } });
    expect(enabled.stdout).toContain('from the next due time on');
  });

  it('start without --wait prints the new execution', async () => {
    reply = () => ({ status: 202, body: { id: TARGET_ID, jobName: 'add-index', lifecycle: 'Created', counts: {}, createdAt: '2026-11-25T20:00:00.000Z' } });
    const { code, stdout } = await runCli(api, ['job', 'start', 'add-index']);
    expect(code).toBe(0);
    expect(only()).toMatchObject({ method: 'POST', path: '/api/jobs/add-index/executions' });
    expect(stdout).toContain(TARGET_ID);
  });

  it('remove says the job is marked for deletion while it is still there (an execution of it active)', async () => {
    reply = (r) => (r.method === 'DELETE' ? { status: 202 } : { body: { name: 'add-index', markedForDeletion: true } });
    const { stdout } = await runCli(api, ['job', 'remove', 'add-index']);
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['DELETE /api/jobs/add-index', 'GET /api/jobs/add-index']);
    expect(stdout).toContain('marked for deletion');
  });
});

describe('step', () => {
  const aStep = { jobName: 'deploy', name: 'backfill', stepIndex: 2, contentName: 'backfill', contentVersion: null, credentialName: 'c', targetId: TARGET_ID, executionPolicyName: 'default', maxParallelism: null, resultSetDestination: null, captureOutput: false, onFailure: 'continue', createdAt: '2026-11-25T20:00:00.000Z', updatedAt: '2026-11-25T20:00:00.000Z' };

  it('add posts the step with its position and failure action (any case), a collection name resolved to its id', async () => {
    reply = (r) =>
      r.method === 'GET'
        ? { body: { items: [{ id: COLLECTION_ID, type: 'customCollection', name: 'tenants', createdAt: '2026-11-25T20:00:00.000Z' }], nextCursor: null } }
        : { status: 201, body: { ...aStep, ...(r.body as object) } };
    const { code, stdout } = await runCli(api, [
      'step', 'add', 'deploy job', 'backfill', '--content', 'backfill', '--credential', 'c', '--target', 'tenants', '--content-version', '2', '--policy', 'once', '--max-parallelism', '4', '--capture-output', '--on-failure', 'CONTINUE', '--index', '2',
      '--result-server', 'srv', '--result-database', 'db', '--result-schema', 'dbo', '--result-table', 't', '--result-credential', 'c',
    ]);
    expect(code).toBe(0);
    expect(api.requests[1]).toMatchObject({
      method: 'POST',
      path: '/api/jobs/deploy%20job/steps',
      body: {
        name: 'backfill',
        contentName: 'backfill',
        contentVersion: 2,
        credentialName: 'c',
        targetId: COLLECTION_ID,
        executionPolicyName: 'once',
        maxParallelism: 4,
        captureOutput: true,
        onFailure: 'continue',
        stepIndex: 2,
        resultSetDestination: { serverName: 'srv', databaseName: 'db', schemaName: 'dbo', tableName: 't', credentialName: 'c' },
      },
    });
    expect(stdout).toMatch(/^On failure:\s+continue$/m);
  });

  it('add refuses a missing --target, a bad --on-failure or --index, sending nothing', async () => {
    for (const [argv, message] of [
      [['step', 'add', 'deploy', 'x', '--content', 'c', '--credential', 'c'], "required option '--target' not specified"],
      [['step', 'add', 'deploy', 'x', '--content', 'c', '--credential', 'c', '--target', TARGET_ID, '--on-failure', 'retry'], '--on-failure takes stopJob or continue'],
      [['step', 'add', 'deploy', 'x', '--content', 'c', '--credential', 'c', '--target', TARGET_ID, '--index', 'first'], '--index takes a whole number'],
    ] as const) {
      const { code, stderr } = await runCli(api, [...argv]);
      expect(code).toBe(1);
      expect(stderr).toContain(message);
    }
    expect(api.requests).toHaveLength(0);
  });

  it('set sends only what changes: --index moves, "latest" and --no-result-set clear; nothing to change is a usage error', async () => {
    await runCli(api, ['step', 'set', 'deploy', 'backfill', '--index', '1', '--content-version', 'latest', '--max-parallelism', 'none', '--no-result-set', '--no-capture-output', '--on-failure', 'stopJob']);
    expect(only()).toMatchObject({
      method: 'PUT',
      path: '/api/jobs/deploy/steps/backfill',
      body: { stepIndex: 1, contentVersion: null, maxParallelism: null, resultSetDestination: null, captureOutput: false, onFailure: 'stopJob' },
    });
    expect(Object.keys(only().body as object).sort()).toEqual(['captureOutput', 'contentVersion', 'maxParallelism', 'onFailure', 'resultSetDestination', 'stepIndex']);
    api.requests.length = 0;
    const { code, stderr } = await runCli(api, ['step', 'set', 'deploy', 'backfill']);
    expect(code).toBe(1);
    expect(stderr).toContain('nothing to change');
    expect(api.requests).toHaveLength(0);
  });

  it('list prints the steps in order, show one, remove says what it did', async () => {
    reply = (r) => (r.method === 'DELETE' ? { status: 204 } : r.path.endsWith('/steps') ? { body: { items: [{ ...aStep, name: 'create', contentName: 'create', stepIndex: 1, onFailure: 'stopJob' }, aStep], nextCursor: null } } : { body: aStep });
    const listed = await runCli(api, ['step', 'list', 'deploy']);
    expect(listed.stdout.split('\n')[0]).toMatch(/^#\s+NAME\s+CONTENT/);
    expect(listed.stdout).toMatch(/^1\s+create\s+create@latest/m);
    expect(listed.stdout).toMatch(/^2\s+backfill\s+backfill@latest.*continue$/m);
    const shown = await runCli(api, ['step', 'show', 'deploy', 'backfill']);
    expect(shown.stdout).toMatch(/^Index:\s+2$/m);
    const removed = await runCli(api, ['step', 'remove', 'deploy', 'backfill']);
    expect(removed.stdout).toBe('Removed step backfill from job deploy.\n');
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/jobs/deploy/steps', 'GET /api/jobs/deploy/steps/backfill', 'DELETE /api/jobs/deploy/steps/backfill']);
  });

  it('job create without --content, --credential and --target makes a job without steps; with some of them it names the missing', async () => {
    reply = (r) => ({ status: 201, body: { name: 'empty', contentName: null, contentVersion: null, steps: [], ...(r.body as object) } });
    const { code, stdout } = await runCli(api, ['job', 'create', 'empty', '--overlap', 'queue']);
    expect(code).toBe(0);
    expect(only()).toMatchObject({ method: 'POST', path: '/api/jobs', body: { name: 'empty', overlap: 'queue' } });
    expect(Object.keys(only().body as object).sort()).toEqual(['name', 'overlap']);
    expect(stdout).toMatch(/^Steps:\s+-$/m);
    api.requests.length = 0;
    const partial = await runCli(api, ['job', 'create', 'x', '--target', TARGET_ID, '--policy', 'p']);
    expect(partial.code).toBe(1);
    expect(partial.stderr).toContain('(missing --content, --credential)');
    const policyOnly = await runCli(api, ['job', 'create', 'x', '--policy', 'p']);
    expect(policyOnly.code).toBe(1);
    expect(api.requests).toHaveLength(0);
  });
});

describe('execution, schedule and trigger', () => {
  it('execution list --all --job asks for inactive executions of that job', async () => {
    reply = () => ({ body: { items: [], nextCursor: null } });
    await runCli(api, ['execution', 'list', '--all', '--job', 'add-index']);
    expect(only().query).toMatchObject({ includeInactive: 'true', jobName: 'add-index' });
  });

  it('execution show asks for the children; cancel posts', async () => {
    reply = (r) => (r.method === 'POST' ? { status: 202 } : { body: { id: TARGET_ID, jobName: 'j', lifecycle: 'InProgress', counts: {}, createdAt: '2026-11-25T20:00:00.000Z', target: null } });
    await runCli(api, ['execution', 'show', TARGET_ID]);
    const { stdout } = await runCli(api, ['execution', 'cancel', TARGET_ID]);
    expect(api.requests[0]).toMatchObject({ path: `/api/executions/${TARGET_ID}`, query: { includeChildren: 'true' } });
    expect(api.requests[1]).toMatchObject({ method: 'POST', path: `/api/executions/${TARGET_ID}/cancel` });
    expect(stdout).toBe(`Cancel requested for execution ${TARGET_ID}.\n`);
  });

  it('schedule add --every sends an interval; --once needs --start', async () => {
    await runCli(api, ['schedule', 'add', 'every-15', '--every', '15m', '--start', '2026-12-01T00:00:00Z']);
    expect(only().body).toEqual({ name: 'every-15', interval: { unit: 'minute', count: 15 }, startTime: '2026-12-01T00:00:00Z' });
    api.requests.length = 0;
    const { code } = await runCli(api, ['schedule', 'add', 'once', '--once']);
    expect(code).toBe(1);
    expect(api.requests).toHaveLength(0);
  });

  it('schedule add --cron passes the expression and time zone', async () => {
    await runCli(api, ['schedule', 'add', 'nightly', '--cron', '0 2 * * *', '--time-zone', 'Europe/Paris']);
    expect(only().body).toEqual({ name: 'nightly', cron: '0 2 * * *', timeZone: 'Europe/Paris' });
  });

  it('trigger add, list and remove address the job and schedule', async () => {
    reply = (r) => (r.method === 'DELETE' ? { status: 204 } : r.method === 'GET' ? { body: { items: [], nextCursor: null } } : { status: 201, body: r.body });
    await runCli(api, ['trigger', 'add', 'add-index', 'nightly run']);
    await runCli(api, ['trigger', 'list', '--schedule', 'nightly run']);
    await runCli(api, ['trigger', 'remove', 'add-index', 'nightly run']);
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /api/triggers', 'GET /api/triggers', 'DELETE /api/triggers/add-index/nightly%20run']);
    expect(api.requests[0].body).toEqual({ jobName: 'add-index', scheduleName: 'nightly run' });
    expect(api.requests[1].query).toMatchObject({ scheduleName: 'nightly run' });
  });
});
