/**
 * The `elastic-jobs` command end to end: the seed's walkthrough (credential, script, custom
 * collection of three SQLite databases, job, start and wait, history, new version, schedule
 * and trigger, cancel) run as child processes against a local host, and the exit code of each
 * way an execution can end.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { freePort, startLocalHost, type RunningLocalHost } from '../support/localHost';
import { cliRunner, jsonOf, type CliResult, type CliRunner } from './cliProcess';

const PASSWORD = `E2e-${crypto.randomBytes(6).toString('hex')}!`;
const API_KEY = crypto.randomBytes(16).toString('hex');
const TENANTS = ['tenant1.db', 'tenant2.db', 'tenant3.db'];
/** Seconds of CPU in SQLite, which has no sleep: long enough that only a cancel or a timeout ends it in a test. */
const SLOW_SCRIPT = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000000) SELECT count(*) FROM c;';

let host: RunningLocalHost;
let cli: CliRunner;
let tenantsDir: string;
let scriptsDir: string;
const outputs: CliResult[] = [];

async function ej(args: string[], options?: { stdin?: string }): Promise<CliResult> {
  const result = await cli(args, options);
  outputs.push(result);
  return result;
}

function expectOk(result: CliResult): CliResult {
  if (result.code !== 0) throw new Error(`exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  return result;
}

function script(name: string, text: string): string {
  const file = path.join(scriptsDir, name);
  fs.writeFileSync(file, text);
  return file;
}

beforeAll(async () => {
  host = await startLocalHost({ env: { ELASTIC_JOBS_API_KEY: API_KEY } });
  // sqlite targets: serverName is a folder under the host's sqlite root, databaseName a file in it.
  tenantsDir = path.join(host.dataDir, 'sqlite', 'tenants');
  fs.mkdirSync(tenantsDir, { recursive: true });
  for (const file of [...TENANTS, 'slow.db']) {
    const db = new Database(path.join(tenantsDir, file));
    db.exec('CREATE TABLE tenant (name TEXT)');
    db.close();
  }
  scriptsDir = fs.mkdtempSync(path.join(host.dataDir, 'scripts-'));
  cli = cliRunner({ ELASTIC_JOBS_URL: host.url, ELASTIC_JOBS_KEY: API_KEY });
});

afterAll(async () => {
  await host?.stop();
  if (host) fs.rmSync(host.dataDir, { recursive: true, force: true });
});

describe('the seed walkthrough with elastic-jobs', () => {
  let executionId: string;

  it('adds a credential with the password from stdin', async () => {
    const result = expectOk(await ej(['credential', 'add', 'tenant-admin', '--username', 'admin', '--allowed-server', '*', '--password-stdin'], { stdin: `${PASSWORD}\n` }));
    expect(result.stdout).toMatch(/^Name:\s+tenant-admin$/m);
    const listed = jsonOf(expectOk(await ej(['credential', 'list', '-o', 'json'])));
    expect(listed.items).toEqual([expect.objectContaining({ name: 'tenant-admin', username: 'admin', authentication: 'sql', allowedServers: ['*'] })]);
  });

  it('adds a script from a file', async () => {
    const file = script('add-column.sql', "CREATE TABLE IF NOT EXISTS schema_change (version INTEGER);\nINSERT INTO schema_change VALUES (1);\n");
    const content = jsonOf(expectOk(await ej(['content', 'add', 'add-column', '--file', file, '-m', 'first cut', '-o', 'json'])));
    expect(content).toMatchObject({ name: 'add-column', type: 'script', version: 1, comment: 'first cut' });
    expect(content.commandText).toContain('CREATE TABLE IF NOT EXISTS schema_change');
  });

  it('builds a custom collection of three SQLite databases', async () => {
    expectOk(await ej(['target', 'add-collection', 'tenants']));
    for (const db of TENANTS) expectOk(await ej(['target', 'add-member', 'tenants', '--engine', 'sqlite', '--server', 'tenants', '--database', db]));
    const members = jsonOf(expectOk(await ej(['target', 'list', '--members-of', 'tenants', '-o', 'json'])));
    expect(members.items.map((m: { target: { databaseName: string } }) => m.target.databaseName).sort()).toEqual(TENANTS);
    const databases = jsonOf(expectOk(await ej(['target', 'databases', 'tenants', '-o', 'json'])));
    expect(databases.items).toHaveLength(3);
    const table = expectOk(await ej(['target', 'show', 'tenants']));
    expect(table.stdout).toContain('Members:');
    expect(table.stdout).toMatch(/include\s+\S+\s+database\s+sqlite\s+tenants\s+tenant2\.db/);
  });

  it('creates a job on the collection, by its name', async () => {
    const job = jsonOf(expectOk(await ej(['job', 'create', 'add-column', '--content', 'add-column', '--credential', 'tenant-admin', '--target', 'tenants', '-o', 'json'])));
    expect(job).toMatchObject({ name: 'add-column', contentName: 'add-column', credentialName: 'tenant-admin', executionPolicyName: 'default' });
  });

  it('starts it and waits: one line per database, exit 0, the script applied to every database', async () => {
    const result = await ej(['job', 'start', 'add-column', '--wait']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    for (const db of TENANTS) expect(result.stdout).toContain(`tenants/${db} Succeeded (attempt 1)`);
    expect(result.stdout).toMatch(/^Succeeded: execution [0-9a-f-]{36} of job add-column after .* \(Succeeded 3\)$/m);
    executionId = /^Started execution ([0-9a-f-]{36})/m.exec(result.stdout)![1];
    for (const db of TENANTS) {
      const file = new Database(path.join(tenantsDir, db), { readonly: true });
      expect(file.prepare('SELECT version FROM schema_change').all()).toEqual([{ version: 1 }]);
      file.close();
    }
  }, 120_000);

  it('shows the execution with its children, and their task executions', async () => {
    const shown = jsonOf(expectOk(await ej(['execution', 'show', executionId, '-o', 'json'])));
    expect(shown).toMatchObject({ id: executionId, jobName: 'add-column', lifecycle: 'Succeeded' });
    expect(shown.children.map((c: { target: { databaseName: string }; lifecycle: string }) => [c.target.databaseName, c.lifecycle]).sort()).toEqual(
      TENANTS.map((db) => [db, 'Succeeded']),
    );
    const table = expectOk(await ej(['execution', 'show', executionId]));
    expect(table.stdout).toMatch(/^Children \(Succeeded 3\):$/m);

    const tasks = jsonOf(expectOk(await ej(['execution', 'tasks', executionId, '-o', 'json'])));
    expect(tasks.items).toHaveLength(3);
    expect(tasks.items.every((t: { attempt: number; lifecycle: string }) => t.attempt === 1 && t.lifecycle === 'Succeeded')).toBe(true);
    const taskTable = expectOk(await ej(['execution', 'tasks', executionId]));
    expect(taskTable.stdout).toMatch(/tenants\/tenant1\.db\s+1\s+Succeeded/);

    const history = jsonOf(expectOk(await ej(['execution', 'list', '--all', '--job', 'add-column', '-o', 'json'])));
    expect(history.items.map((e: { id: string }) => e.id)).toContain(executionId);
  });

  it('adds a new version of the script; the old one stays', async () => {
    const file = script('add-column-v2.sql', 'INSERT INTO schema_change VALUES (2);\n');
    expectOk(await ej(['content', 'update', 'add-column', '--file', file, '-m', 'second']));
    const versions = jsonOf(expectOk(await ej(['content', 'versions', 'add-column', '-o', 'json'])));
    expect(versions.items.map((v: { version: number }) => v.version).sort()).toEqual([1, 2]);
    const first = jsonOf(expectOk(await ej(['content', 'show', 'add-column', '--content-version', '1', '-o', 'json'])));
    expect(first.commandText).toContain('VALUES (1)');
  });

  it('runs the job on a schedule through a trigger, and removes both', async () => {
    const start = new Date(Date.now() + 24 * 3_600_000).toISOString();
    expectOk(await ej(['schedule', 'add', 'daily', '--every', '1d', '--start', start]));
    const trigger = jsonOf(expectOk(await ej(['trigger', 'add', 'add-column', 'daily', '-o', 'json'])));
    expect(trigger).toMatchObject({ jobName: 'add-column', scheduleName: 'daily' });
    const triggers = jsonOf(expectOk(await ej(['trigger', 'list', '--job', 'add-column', '-o', 'json'])));
    expect(triggers.items).toEqual([expect.objectContaining({ scheduleName: 'daily', nextFireTime: expect.any(String) })]);
    const schedules = expectOk(await ej(['schedule', 'list']));
    expect(schedules.stdout).toMatch(/^daily\s+every 1 day\s/m);

    const inUse = await ej(['schedule', 'remove', 'daily']);
    expect(inUse.code).toBe(1);
    expect(inUse.stderr).toMatch(/^error: .*\(409\)$/m);
    expectOk(await ej(['trigger', 'remove', 'add-column', 'daily']));
    expectOk(await ej(['schedule', 'remove', 'daily']));
  });

  it('cancels a long execution: execution wait exits 4 (Canceled)', async () => {
    expectOk(await ej(['content', 'add', 'slow', '--file', script('slow.sql', SLOW_SCRIPT)]));
    const target = jsonOf(expectOk(await ej(['target', 'add-database', '--engine', 'sqlite', '--server', 'tenants', '--database', 'slow.db', '-o', 'json'])));
    expectOk(await ej(['job', 'create', 'slow', '--content', 'slow', '--credential', 'tenant-admin', '--target', target.id]));
    const started = jsonOf(expectOk(await ej(['job', 'start', 'slow', '-o', 'json'])));
    const cancel = expectOk(await ej(['execution', 'cancel', started.id]));
    expect(cancel.stdout).toBe(`Cancel requested for execution ${started.id}.\n`);
    const begun = Date.now();
    const waited = await ej(['execution', 'wait', started.id]);
    expect(waited.code).toBe(4);
    expect(waited.stdout).toMatch(/^Canceled: execution /m);
    expect(Date.now() - begun).toBeLessThan(30_000);
  }, 120_000);
});

describe('exit codes of the ways an execution ends', () => {
  it('exits 2 when the script fails and the policy allows one attempt, naming the error', async () => {
    expectOk(await ej(['policy', 'add', 'once', '--maximum-attempts', '1']));
    expectOk(await ej(['content', 'add', 'broken', '--file', script('broken.sql', 'SELECT * FROM no_such_table;')]));
    expectOk(await ej(['job', 'create', 'broken', '--content', 'broken', '--credential', 'tenant-admin', '--target', 'tenants', '--policy', 'once']));
    const result = await ej(['job', 'start', 'broken', '--wait']);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/^Failed: execution /m);
    expect(result.stdout).toMatch(/Failed tenants\/tenant1\.db: .*no such table/);
  }, 120_000);

  it('exits 3 when the job timeout expires', async () => {
    expectOk(await ej(['policy', 'add', 'quick', '--job-timeout', 'PT2S', '--maximum-attempts', '1']));
    expectOk(await ej(['job', 'create', 'slow-quick', '--content', 'slow', '--credential', 'tenant-admin', '--target', 'tenants', '--policy', 'quick', '--max-parallelism', '1']));
    const result = await ej(['job', 'start', 'slow-quick', '--wait', '-o', 'json']);
    expect(result.code).toBe(3);
    expect(jsonOf(result)).toMatchObject({ jobName: 'slow-quick', lifecycle: 'TimedOut' });
  }, 120_000);

  it('exits 1 with the field path when the API refuses the input, and writes nothing', async () => {
    const result = await ej(['policy', 'add', 'never', '--maximum-attempts', '0']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: body\.maximumAttempts: .+ \(400\)\n$/);
    expect((await ej(['policy', 'show', 'never'])).code).toBe(1);
  });

  it('exits 1 with a 401 when the key is wrong, and 5 when nothing listens at the URL', async () => {
    const wrongKey = await cli(['job', 'list'], { env: { ELASTIC_JOBS_KEY: 'not-the-key-at-all' } });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toMatch(/\(401\); pass the API key with --key or ELASTIC_JOBS_KEY/);
    const closedPort = await freePort();
    const nobody = await cli(['--url', `http://127.0.0.1:${closedPort}`, 'job', 'list']);
    expect(nobody.code).toBe(5);
    expect(nobody.stderr).toContain(`error: cannot reach the Elastic Jobs API at http://127.0.0.1:${closedPort}/api (ECONNREFUSED)`);
  });
});

describe('the password', () => {
  it('never appeared in an argv, in the output or errors of any command, or in the host log', () => {
    expect(cli.argvs.length).toBeGreaterThan(10);
    for (const argv of cli.argvs) expect(argv.join(' ')).not.toContain(PASSWORD);
    for (const { stdout, stderr } of outputs) expect(stdout + stderr).not.toContain(PASSWORD);
    expect(host.output()).not.toContain(PASSWORD);
  });
});
