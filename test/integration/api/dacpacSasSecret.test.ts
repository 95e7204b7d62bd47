/**
 * A DACPAC URI's SAS token is a secret: stored protected, never returned, shown without its
 * query everywhere, and given back in full only to the download (src/execution/dacpacContent).
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { buildOpenApiDocument } from '../../../src/api/openapi';
import { routes } from '../../../src/api/routes';
import { contentStore } from '../../../src/control/stores/contentStore';
import { applyDacpacContent } from '../../../src/execution/dacpacContent';
import { createLogger } from '../../../src/logging';
import { createServices } from '../../../src/services';
import { createApiHarness, type ApiHarness } from '../../support/apiHarness';
import { CONTROL_DIALECTS } from '../../support/controlDatabases';

const SECRET = 'secret123';
const DACPAC = Buffer.from('not really a dacpac, but bytes to download');

/** A loopback blob stand-in: answers every GET with the DACPAC's bytes and records the request line. */
async function blobStandIn(): Promise<{ port: number; urls: string[]; close(): Promise<void> }> {
  const urls: string[] = [];
  const server = http.createServer((req, res) => {
    urls.push(req.url ?? '');
    req.resume();
    res.writeHead(200, { 'content-length': String(DACPAC.length), 'content-type': 'application/octet-stream', 'x-ms-blob-type': 'BlockBlob', etag: '"0x1"' }).end(DACPAC);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    urls,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A stand-in for sqlpackage that publishes nothing and says so, as sqlpackage would. */
function fakeSqlpackage(dir: string): string {
  const script = path.join(dir, 'sqlpackage-ok');
  fs.writeFileSync(script, `#!${process.execPath}\nconsole.log('Successfully published database.');\n`, { mode: 0o755 });
  return script;
}

/** Every column of every content version, as one text: what a reader of the control database would see. */
async function storedVersions(api: ApiHarness): Promise<string> {
  const rows = await api.services.control.db.selectFrom('contentVersions').selectAll().execute();
  return JSON.stringify(rows);
}

describe.each(CONTROL_DIALECTS)('DACPAC SAS token on a %s control database', (dialect) => {
  let api: ApiHarness;
  let blob: Awaited<ReturnType<typeof blobStandIn>>;
  let uri: (name: string) => string;

  beforeAll(async () => {
    blob = await blobStandIn();
    uri = (name) => `http://127.0.0.1:${blob.port}/dacpacs/${name}.dacpac?sv=x&sig=${SECRET}`;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ej-sas-'));
    api = await createApiHarness(dialect, {}, { DACPAC_ALLOWED_HOSTS: `127.0.0.1:${blob.port}`, SQLPACKAGE_PATH: fakeSqlpackage(dataDir) });
  });
  afterAll(async () => {
    await api?.close();
    await blob?.close();
  });

  it('returns the URI without its query from every route, and keeps no SAS token in clear in the control database', async () => {
    const created = await api.call('POST', 'contents', { body: { name: 'dac', type: 'dacpac', dacpacUri: uri('app') } });
    expect(created.status).toBe(201);
    expect(created.body.dacpacUri).toBe(`http://127.0.0.1:${blob.port}/dacpacs/app.dacpac`);
    const added = await api.call('POST', 'contents/dac/versions', { body: { dacpacUri: uri('app-2') } });
    expect(added.status).toBe(201);
    expect(added.body.dacpacUri).toBe(`http://127.0.0.1:${blob.port}/dacpacs/app-2.dacpac`);

    const answers = [
      created,
      added,
      await api.call('GET', 'contents/dac'),
      await api.call('GET', 'contents/dac/versions'),
      await api.call('GET', 'contents/dac/versions/1'),
      await api.call('GET', 'contents'),
    ];
    for (const answer of answers) {
      expect(answer.status).toBeLessThan(300);
      expect(answer.text).toContain('/dacpacs/app');
      expect(answer.text).not.toContain(SECRET);
      expect(answer.text).not.toContain('sig=');
    }
    expect(api.logs.join('\n')).not.toContain(SECRET);

    const stored = await storedVersions(api);
    expect(stored).toContain('/dacpacs/app.dacpac');
    expect(stored).not.toContain(SECRET);
    expect(stored).not.toContain('sig=');
    const row = await api.services.control.db.selectFrom('contentVersions').select('dacpacQuerySecret').where('contentName', '=', 'dac').where('version', '=', 1).executeTakeFirstOrThrow();
    expect(row.dacpacQuerySecret).toMatch(/^v1:/);
  });

  it('gives the download the full URI with its SAS token, unprotected at fetch time', async () => {
    const before = blob.urls.length;
    const messages = await applyDacpacContent(api.services, {
      content: { name: 'dac', version: 1 },
      database: { engine: 'sqlserver', serverName: 'tenants.database.windows.net', databaseName: 'tenant_042' },
      credential: { authentication: 'sql', username: 'job_runner', password: 'pw' },
      signal: new AbortController().signal,
      timeoutMs: 30_000,
    });
    expect(messages).toEqual(['Successfully published database.']);
    const fetched = blob.urls.slice(before);
    expect(fetched.length).toBeGreaterThan(0);
    const sent = new URL(fetched[0], 'http://x');
    expect(sent.pathname).toBe('/dacpacs/app.dacpac');
    expect(sent.searchParams.get('sig')).toBe(SECRET);
    expect(sent.searchParams.get('sv')).toBe('x');
  });

  it('moves a SAS token stored in clear before migration 0008 into the protected column at the next start, and the download still uses it', async () => {
    await api.ok('POST', 'contents', { name: 'legacy', type: 'dacpac', dacpacUri: `http://127.0.0.1:${blob.port}/dacpacs/legacy.dacpac` });
    // What a row written by an earlier version looks like: the whole URI in dacpac_uri.
    await api.services.control.db.updateTable('contentVersions').set({ dacpacUri: uri('legacy'), dacpacQuerySecret: null }).where('contentName', '=', 'legacy').execute();
    expect(await storedVersions(api)).toContain(SECRET);
    // Even before the move, no reader sees it.
    const early = await api.call('GET', 'contents/legacy');
    expect(early.text).not.toContain(SECRET);

    const logs: string[] = [];
    const restarted = await createServices(api.services.config, { logger: createLogger('debug', (l) => logs.push(l)) });
    try {
      expect(await storedVersions(api)).not.toContain(SECRET);
      expect(logs.join('\n')).toContain('Protected the SAS token of 1 DACPAC content version(s)');
      expect(logs.join('\n')).not.toContain(SECRET);
      // Another start finds nothing left to move.
      expect(await contentStore(restarted.control).protectClearDacpacQueries(async () => 'never')).toBe(0);

      const before = blob.urls.length;
      await applyDacpacContent(restarted, {
        content: { name: 'legacy', version: 1 },
        database: { engine: 'sqlserver', serverName: 'tenants.database.windows.net', databaseName: 'tenant_042' },
        credential: { authentication: 'sql', username: 'job_runner', password: 'pw' },
        signal: new AbortController().signal,
        timeoutMs: 30_000,
      });
      expect(new URL(blob.urls[before], 'http://x').searchParams.get('sig')).toBe(SECRET);
    } finally {
      await restarted.close();
    }
    const count = await sql<{ n: number }>`select count(*) as n from content_versions where dacpac_uri like ${'%' + SECRET + '%'}`.execute(api.services.control.db);
    expect(Number(count.rows[0].n)).toBe(0);
  });
});

describe('OpenAPI description of a content', () => {
  it('says the DACPAC URI is returned without its query', () => {
    const text = JSON.stringify(buildOpenApiDocument(routes));
    expect(text).toContain('The DACPAC URI without its query');
  });
});
