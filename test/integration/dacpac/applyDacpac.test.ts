import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { BlobSASPermissions, generateBlobSASQueryParameters } from '@azure/storage-blob';
import type { AccessToken } from '@azure/core-auth';
import { loadConfig, type Config } from '../../../src/config';
import { applyDacpac, SQLPACKAGE_MISSING, type ApplyDacpacInput } from '../../../src/dacpac';
import { appBlobEndpointOf, classifyDacpacUri } from '../../../src/dacpac/dacpacSource';
import type { DatabaseRef } from '../../../src/targets/driver';
import { PermanentTargetError, ScriptFailedError, TaskCanceledError, TaskTimeoutError, TransientTargetError } from '../../../src/targets/errors';
import { startAzurite, type Azurite } from './azurite';

const PASSWORD = 'Dacpac-S3cret-Passw0rd!';
const DACPAC = crypto.randomBytes(4096);
const DACPAC_SHA = crypto.createHash('sha256').update(DACPAC).digest('hex');
const DATABASE: DatabaseRef = { engine: 'sqlserver', serverName: 'tenants.database.windows.net', databaseName: 'tenant_042' };
const SQL_CREDENTIAL = { authentication: 'sql' as const, username: 'job_runner', password: PASSWORD };

interface Recorded {
  args: string[];
  rsp: string | null;
  rspMode: number | null;
  sourceSha256: string | null;
}

/** A stand-in for sqlpackage that records how it was called, then succeeds, fails or hangs. */
function writeFakeSqlpackage(dir: string, behaviour: 'ok' | 'fail' | 'hang'): { path: string; recorded(): Recorded | undefined } {
  const record = path.join(dir, `record-${behaviour}.json`);
  const script = path.join(dir, `sqlpackage-${behaviour}`);
  fs.writeFileSync(
    script,
    `#!${process.execPath}
const fs = require('fs');
const crypto = require('crypto');
const args = process.argv.slice(2);
const rspArg = args.find((a) => a.startsWith('@'));
const rspFile = rspArg ? rspArg.slice(1) : null;
const rsp = rspFile ? fs.readFileSync(rspFile, 'utf8') : null;
const source = args.find((a) => a.startsWith('/SourceFile:'));
const bytes = source ? fs.readFileSync(source.slice('/SourceFile:'.length)) : null;
fs.writeFileSync(${JSON.stringify(record)}, JSON.stringify({
  args,
  rsp,
  rspMode: rspFile ? fs.statSync(rspFile).mode & 0o777 : null,
  sourceSha256: bytes ? crypto.createHash('sha256').update(bytes).digest('hex') : null,
}));
const behaviour = ${JSON.stringify(behaviour)};
if (behaviour === 'ok') {
  console.log('Publishing to database ' + args.find((a) => a.startsWith('/TargetDatabaseName:')).split(':')[1]);
  console.log('Successfully published database.');
} else if (behaviour === 'fail') {
  console.error('*** Could not deploy package.');
  console.error('Error SQL72014: login failed, credentials were ' + (rsp || '').replace(/\\n/g, ' '));
  process.exit(1);
} else {
  setInterval(() => undefined, 1000);
}
`,
    { mode: 0o755 },
  );
  return { path: script, recorded: () => (fs.existsSync(record) ? (JSON.parse(fs.readFileSync(record, 'utf8')) as Recorded) : undefined) };
}

let azurite: Azurite;
let dir: string;
let sasUri: string;
let plainUri: string;
let fakes: Record<'ok' | 'fail' | 'hang', ReturnType<typeof writeFakeSqlpackage>>;

// Azurite's loopback endpoint is fetched from only because the list names its port.
const configWith = (env: Record<string, string> = {}): Config =>
  loadConfig({ ELASTIC_JOBS_DATA_DIR: dir, DACPAC_ALLOWED_HOSTS: `*.blob.core.windows.net,${new URL(azurite.blobEndpoint).host}`, ...env }, 'azure');

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ej-dacpac-test-'));
  fakes = { ok: writeFakeSqlpackage(dir, 'ok'), fail: writeFakeSqlpackage(dir, 'fail'), hang: writeFakeSqlpackage(dir, 'hang') };
  azurite = await startAzurite();
  const container = azurite.service.getContainerClient('dacpacs');
  await container.create();
  const blob = container.getBlockBlobClient('schema/v2.dacpac');
  await blob.uploadData(DACPAC);
  plainUri = blob.url;
  const sas = generateBlobSASQueryParameters(
    { containerName: 'dacpacs', blobName: 'schema/v2.dacpac', permissions: BlobSASPermissions.parse('r'), expiresOn: new Date(Date.now() + 3_600_000) },
    azurite.sharedKey,
  ).toString();
  sasUri = `${plainUri}?${sas}`;
});

afterAll(async () => {
  await azurite?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const input = (overrides: Partial<ApplyDacpacInput> = {}): ApplyDacpacInput => ({
  dacpacUri: sasUri,
  database: DATABASE,
  credential: SQL_CREDENTIAL,
  config: configWith({ SQLPACKAGE_PATH: fakes.ok.path }),
  signal: new AbortController().signal,
  timeoutMs: 30_000,
  ...overrides,
});

/** A loopback HTTP listener answering every request the same way, counting them. */
async function countingListener(answer: () => [number, Record<string, string>]): Promise<{ port: number; requests(): number; close(): Promise<void> }> {
  let count = 0;
  const server = http.createServer((req, res) => {
    count++;
    req.resume();
    const [status, headers] = answer();
    res.writeHead(status, headers).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('applyDacpac', () => {
  it('fails with the clear message when SQLPACKAGE_PATH is not set, and never claims success', async () => {
    const error = await rejection(applyDacpac(input({ config: configWith() })));
    expect(error).toBeInstanceOf(PermanentTargetError);
    expect(error.message).toBe(SQLPACKAGE_MISSING);
    expect(error.message).toBe('DACPAC contents need sqlpackage: set SQLPACKAGE_PATH (see docs/azure.md)');
  });

  it('downloads a SAS URI and publishes it with sqlpackage, the password kept off the command line', async () => {
    const result = await applyDacpac(input());
    expect(result.messages).toEqual(['Publishing to database tenant_042', 'Successfully published database.']);
    const recorded = fakes.ok.recorded()!;
    expect(recorded.args).toContain('/Action:Publish');
    expect(recorded.args).toContain('/TargetServerName:tcp:tenants.database.windows.net,1433');
    expect(recorded.args).toContain('/TargetDatabaseName:tenant_042');
    expect(recorded.args).toContain('/TargetEncryptConnection:True');
    expect(recorded.sourceSha256).toBe(DACPAC_SHA);
    expect(recorded.args.join(' ')).not.toContain(PASSWORD);
    expect(recorded.rsp).toBe(`/TargetUser:job_runner\n/TargetPassword:${PASSWORD}\n`);
    expect(recorded.rspMode).toBe(0o600);
    // The downloaded DACPAC and the response file are gone.
    const sourceFile = recorded.args.find((a) => a.startsWith('/SourceFile:'))!.slice('/SourceFile:'.length);
    expect(fs.existsSync(sourceFile)).toBe(false);
    expect(fs.existsSync(path.dirname(sourceFile))).toBe(false);
  });

  it('reads a blob of the app\'s own storage without a SAS token with the storage credential', async () => {
    await applyDacpac(input({ dacpacUri: plainUri, azure: { appBlobEndpoint: azurite.blobEndpoint, storageCredential: azurite.sharedKey } }));
    expect(fakes.ok.recorded()!.sourceSha256).toBe(DACPAC_SHA);
  });

  it('passes an Entra access token, not a user, for a managed identity credential', async () => {
    const scopes: string[] = [];
    const sqlTokenCredential = {
      async getToken(scope: string | string[]): Promise<AccessToken> {
        scopes.push(...[scope].flat());
        return { token: 'eyJ.fake-entra-token.sig', expiresOnTimestamp: Date.now() + 3_600_000 };
      },
    };
    await applyDacpac(input({ credential: { authentication: 'managedIdentity', username: 'ej-identity' }, azure: { sqlTokenCredential } }));
    const recorded = fakes.ok.recorded()!;
    expect(scopes).toEqual(['https://database.windows.net/.default']);
    expect(recorded.rsp).toBe('/AccessToken:eyJ.fake-entra-token.sig\n');
    expect(recorded.args.join(' ')).not.toContain('fake-entra-token');
  });

  it.each([
    ['a URI without SAS outside the app storage', () => `https://elsewhere.example/dacpacs/v2.dacpac`],
    ['a blob of another account without SAS', () => plainUri],
    ['plain http to a remote host', () => `http://storage.example/dacpacs/v2.dacpac?sv=2024-01-01&sig=abc`],
    ['not a URI', () => 'v2.dacpac'],
  ])('refuses %s before fetching anything or starting sqlpackage', async (_label, uri) => {
    const fake = writeFakeSqlpackage(fs.mkdtempSync(path.join(dir, 'refused-')), 'ok');
    const error = await rejection(applyDacpac(input({ dacpacUri: uri(), config: configWith({ SQLPACKAGE_PATH: fake.path }) })));
    expect(error).toBeInstanceOf(PermanentTargetError);
    expect(fake.recorded()).toBeUndefined();
  });

  it('fails a missing blob as permanent, without showing the SAS token', async () => {
    const sas = generateBlobSASQueryParameters(
      { containerName: 'dacpacs', blobName: 'schema/v3.dacpac', permissions: BlobSASPermissions.parse('r'), expiresOn: new Date(Date.now() + 3_600_000) },
      azurite.sharedKey,
    ).toString();
    const missing = `${plainUri.replace('v2.dacpac', 'v3.dacpac')}?${sas}`;
    const error = await rejection(applyDacpac(input({ dacpacUri: missing })));
    expect(error).toBeInstanceOf(PermanentTargetError);
    expect(error.message).toContain('/dacpacs/schema/v3.dacpac');
    expect(error.message).toContain('could not be downloaded');
    expect(error.message).not.toMatch(/404|HTTP/);
    expect(error.message).not.toContain('sig=');
  });

  it('fails as transient when the storage cannot be reached', async () => {
    const unreachable = sasUri.replace(/127\.0\.0\.1:\d+/, '127.0.0.1:9');
    const error = await rejection(applyDacpac(input({ dacpacUri: unreachable, config: configWith({ SQLPACKAGE_PATH: fakes.ok.path, DACPAC_ALLOWED_HOSTS: '127.0.0.1:9' }) })));
    expect(error).toBeInstanceOf(TransientTargetError);
    expect(error.message).not.toContain('sig=');
    expect(error.message).not.toMatch(/ECONNREFUSED|HTTP/);
  });

  it('fetches nothing from a host DACPAC_ALLOWED_HOSTS does not list, though the URI carries a SAS token', async () => {
    const listener = await countingListener(() => [200, {}]);
    try {
      const uri = `http://127.0.0.1:${listener.port}/dacpacs/schema/v2.dacpac?sv=2024-08-04&sig=probe`;
      const error = await rejection(applyDacpac(input({ dacpacUri: uri })));
      expect(error).toBeInstanceOf(PermanentTargetError);
      expect(error.message).toContain('DACPAC_ALLOWED_HOSTS');
      expect(error.message).not.toContain('sig=');
      expect(listener.requests()).toBe(0);
    } finally {
      await listener.close();
    }
  });

  it('says the same of a port that answers 500, 403 or nothing: no status a caller could probe ports with', async () => {
    const messages: string[] = [];
    for (const status of [500, 403, 404]) {
      const listener = await countingListener(() => [status, {}]);
      try {
        const uri = `http://127.0.0.1:${listener.port}/dacpacs/x.dacpac?sv=2024-08-04&sig=probe`;
        const error = await rejection(applyDacpac(input({ dacpacUri: uri, config: configWith({ SQLPACKAGE_PATH: fakes.ok.path, DACPAC_ALLOWED_HOSTS: `127.0.0.1:${listener.port}` }) })));
        expect(listener.requests()).toBeGreaterThan(0);
        messages.push(error.message.replace(String(listener.port), 'PORT'));
      } finally {
        await listener.close();
      }
    }
    for (const message of messages) expect(message).not.toMatch(/\b(500|403|404)\b|HTTP \d|status/);
    // 403 and 404 read the same: a refusal; 500 reads as "did not answer or was busy", like a closed port.
    expect(messages[1]).toBe(messages[2]);
  });

  it('does not follow a redirect to another host or port', async () => {
    const elsewhere = await countingListener(() => [200, {}]);
    const redirector = await countingListener(() => [307, { location: `http://127.0.0.1:${elsewhere.port}/dacpacs/x.dacpac` }]);
    try {
      const uri = `http://127.0.0.1:${redirector.port}/dacpacs/x.dacpac?sv=2024-08-04&sig=probe`;
      const allowed = `127.0.0.1:${redirector.port},127.0.0.1:${elsewhere.port}`;
      const error = await rejection(applyDacpac(input({ dacpacUri: uri, config: configWith({ SQLPACKAGE_PATH: fakes.ok.path, DACPAC_ALLOWED_HOSTS: allowed }) })));
      expect(error).toBeInstanceOf(PermanentTargetError);
      expect(redirector.requests()).toBeGreaterThan(0);
      expect(elsewhere.requests()).toBe(0);
    } finally {
      await redirector.close();
      await elsewhere.close();
    }
  });

  it('reports a failed publish with sqlpackage\'s own words and the password scrubbed', async () => {
    const error = await rejection(applyDacpac(input({ config: configWith({ SQLPACKAGE_PATH: fakes.fail.path }) })));
    expect(error).toBeInstanceOf(ScriptFailedError);
    expect(error.message).toContain('exit code 1');
    expect(error.message).toContain('SQL72014');
    expect(error.message).not.toContain(PASSWORD);
  });

  it('stops sqlpackage at the task timeout', async () => {
    const started = Date.now();
    const error = await rejection(applyDacpac(input({ config: configWith({ SQLPACKAGE_PATH: fakes.hang.path }), timeoutMs: 1_500 })));
    expect(error).toBeInstanceOf(TaskTimeoutError);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(fakes.hang.recorded()!.args).toContain('/Action:Publish');
  });

  it('stops sqlpackage on cancel', async () => {
    const cancel = new AbortController();
    const running = applyDacpac(input({ config: configWith({ SQLPACKAGE_PATH: fakes.hang.path }), signal: cancel.signal, timeoutMs: null }));
    setTimeout(() => cancel.abort(), 1_000);
    expect(await rejection(running)).toBeInstanceOf(TaskCanceledError);
  });

  it('does not start for a database of another engine', async () => {
    const error = await rejection(applyDacpac(input({ database: { engine: 'postgres', serverName: 'pg.example', databaseName: 'x' } })));
    expect(error).toBeInstanceOf(PermanentTargetError);
  });

  it('says so when SQLPACKAGE_PATH names nothing', async () => {
    const error = await rejection(applyDacpac(input({ config: configWith({ SQLPACKAGE_PATH: path.join(dir, 'no-such-sqlpackage') }) })));
    expect(error).toBeInstanceOf(PermanentTargetError);
    expect(error.message).toContain('SQLPACKAGE_PATH');
  });
});

describe('which DACPAC URIs get the managed identity', () => {
  const config = loadConfig({ ELASTIC_JOBS_DATA_DIR: '/tmp/ej-dacpac', AzureWebJobsStorage__accountName: 'stej42' }, 'azure');
  const appEndpoint = appBlobEndpointOf(config.storageAccountName);

  it.each([
    ['https://stej42.blob.core.windows.net/dacpacs/v2.dacpac', 'appStorage'],
    ['https://stej42.blob.core.windows.net/dacpacs/v2.dacpac?sv=2024-08-04&sig=abc', 'sas'],
    ['https://other.blob.core.windows.net/dacpacs/v2.dacpac?sv=2024-08-04&sig=abc', 'sas'],
  ])('%s -> %s', (uri, kind) => {
    expect(classifyDacpacUri(uri, appEndpoint, config.dacpacAllowedHosts).kind).toBe(kind);
  });

  it.each([
    'https://other.blob.core.windows.net/dacpacs/v2.dacpac',
    'https://stej42.blob.core.windows.net.attacker.example/dacpacs/v2.dacpac',
    'https://attacker.example/stej42.blob.core.windows.net/v2.dacpac',
    'https://stej42.blob.core.windows.net/',
    'http://stej42.blob.core.windows.net/dacpacs/v2.dacpac',
    'https://stej42.blob.core.windows.net:8443/dacpacs/v2.dacpac?sv=2024-08-04&sig=abc',
    'https://storage.attacker.example/dacpacs/v2.dacpac?sv=2024-08-04&sig=abc',
    'http://127.0.0.1:10000/devstoreaccount1/dacpacs/v2.dacpac?sv=2024-08-04&sig=abc',
  ])('refuses %s', (uri) => {
    expect(() => classifyDacpacUri(uri, appEndpoint, config.dacpacAllowedHosts)).toThrow(PermanentTargetError);
  });
});
