/**
 * The dashboard in a real headless Chromium (Debian's `chromium`, driven by playwright-core),
 * against a local host with an API key and a reader key, as a user would: open it, type the
 * key, read a finished execution with every database and a failed database's error, start a
 * long job from the page and watch it run without reloading, cancel it with the Cancel button;
 * a reader sees no Cancel button and a direct cancel with the reader key is 403. A screenshot of
 * the execution view is kept under test-output/dashboard/ (a CI artifact).
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { chromium, type Browser, type Page } from 'playwright-core';
import { jsonClient } from '../support/httpClient';
import { REPO_ROOT, startLocalHost, type RunningLocalHost } from '../support/localHost';
import { createTestDatabase, pgServerName } from '../support/postgres';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ADMIN_KEY = 'dashboard-admin-key-0123456789';
const READER_KEY = 'dashboard-reader-key-0123456789';
const OUTPUT_DIR = path.join(REPO_ROOT, 'test-output', 'dashboard');

jest.setTimeout(120_000);

describe('the dashboard in a browser', () => {
  let host: RunningLocalHost;
  let browser: Browser;
  let pg: { name: string; drop: () => Promise<void> };
  let finishedId: string;
  const admin = () => jsonClient(host.url, { 'x-functions-key': ADMIN_KEY });

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium is not at ${CHROMIUM}: install Debian's chromium package (.ci/run does) or set CHROMIUM_PATH.`);
    host = await startLocalHost({ env: { ELASTIC_JOBS_API_KEY: ADMIN_KEY, ELASTIC_JOBS_READER_API_KEY: READER_KEY } });
    pg = await createTestDatabase('dash');
    const { ok } = admin();
    // Two SQLite tenants: the script reads a table only `tenant_ok` has, so `tenant_bad` fails.
    const folder = path.join(host.dataDir, 'sqlite', 'tenants');
    fs.mkdirSync(folder, { recursive: true });
    const good = new Database(path.join(folder, 'tenant_ok.db'));
    good.exec('CREATE TABLE marker(id INTEGER)');
    good.close();
    new Database(path.join(folder, 'tenant_bad.db')).close();
    await ok('POST', 'credentials', { name: 'runner', username: 'postgres', password: 'unused-with-trust', allowedServers: ['*'] });
    await ok('POST', 'execution-policies', { name: 'once', jobTimeout: 'PT10M', initialRetryInterval: 'PT1S', maximumRetryInterval: 'PT1S', retryIntervalBackoffCoefficient: 2, maximumAttempts: 1 });
    await ok('POST', 'contents', { name: 'read-marker', type: 'script', commandText: 'SELECT count(*) AS n FROM marker;' });
    await ok('POST', 'contents', { name: 'long', type: 'script', commandText: 'SELECT pg_sleep(60);' });
    const collection = await ok('POST', 'targets', { type: 'customCollection', name: 'tenants' });
    for (const db of ['tenant_ok.db', 'tenant_bad.db']) {
      const t = await ok('POST', 'targets', { type: 'database', engine: 'sqlite', serverName: 'tenants', databaseName: db });
      await ok('POST', `targets/${collection.id}/members`, { targetId: t.id });
    }
    const pgTarget = await ok('POST', 'targets', { type: 'database', engine: 'postgres', serverName: pgServerName(), databaseName: pg.name });
    await ok('POST', 'jobs', { name: 'marker-check', contentName: 'read-marker', credentialName: 'runner', targetId: collection.id, executionPolicyName: 'once' });
    await ok('POST', 'jobs', { name: 'long-sleep', contentName: 'long', credentialName: 'runner', targetId: pgTarget.id, executionPolicyName: 'once' });
    const started = await ok('POST', 'jobs/marker-check/executions');
    finishedId = started.id;
    const ended = await ok('GET', `executions/${finishedId}/wait?timeout=PT1M`);
    expect(ended.lifecycle).toBe('Failed');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
    await pg?.drop();
  });

  async function signIn(key: string): Promise<Page> {
    const page = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`http://127.0.0.1:${host.port}/`);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Open the dashboard' }).click();
    await page.getByRole('navigation', { name: 'Views' }).waitFor();
    expect(pageErrors).toEqual([]);
    return page;
  }

  test('an operator reads a finished execution, starts a long job, watches it run and cancels it', async () => {
    const page = await signIn(ADMIN_KEY);
    // The list shows the finished execution; the key never went into the URL.
    await page.getByRole('link', { name: 'marker-check' }).click();
    expect(page.url()).not.toContain(ADMIN_KEY);
    await page.getByRole('heading', { name: /marker-check/ }).getByText('Failed').waitFor();
    const grid = page.getByRole('table', { name: 'Databases of this execution' });
    await grid.getByRole('button', { name: 'tenant_ok.db' }).waitFor();
    await grid.getByRole('button', { name: 'tenant_bad.db' }).click();
    await page.getByRole('heading', { name: /tenant_bad\.db/ }).waitFor();
    await page.locator('.attempts').getByText(/no such table: marker/).waitFor();
    fs.mkdirSync(OUTPUT_DIR, { recursive: true });
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'execution.png'), fullPage: true });

    await page.getByRole('link', { name: 'Jobs' }).click();
    await page.getByRole('button', { name: 'Start job long-sleep' }).click();
    const heading = page.getByRole('heading', { name: /long-sleep/ });
    // No reload from here on: the page reads the execution again by itself.
    await heading.waitFor();
    // The parent waits for its children; the database's own row turns InProgress once its attempt runs.
    const row = page.getByRole('table', { name: 'Databases of this execution' }).getByRole('row', { name: new RegExp(pg.name) });
    await row.getByText('InProgress').waitFor({ timeout: 20_000 });
    const executionId = page.url().split('/').pop()!;
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Yes, cancel the execution' }).click();
    await heading.getByText('Canceled').waitFor({ timeout: 30_000 });
    const { ok } = admin();
    expect((await ok('GET', `executions/${executionId}`)).lifecycle).toBe('Canceled');
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'canceled.png'), fullPage: true });
  });

  test('a reader sees executions but no Cancel button, and a direct cancel with the reader key is 403', async () => {
    const started = await admin().ok('POST', 'jobs/long-sleep/executions');
    try {
      const page = await signIn(READER_KEY);
      await page.getByText('Role: reader').waitFor();
      await page.goto(`http://127.0.0.1:${host.port}/api/dashboard#/executions/${started.id}`);
      await page.getByRole('heading', { name: /long-sleep/ }).waitFor();
      await page.getByRole('table', { name: 'Databases of this execution' }).getByRole('button', { name: pg.name }).waitFor();
      expect(await page.getByRole('button', { name: 'Cancel', exact: true }).count()).toBe(0);
      await page.getByRole('link', { name: 'Jobs' }).click();
      await page.getByRole('table').waitFor();
      expect(await page.getByRole('button', { name: /^Start job/ }).count()).toBe(0);

      const reader = jsonClient(host.url, { 'x-functions-key': READER_KEY });
      const refused = await reader.call('POST', `executions/${started.id}/cancel`);
      expect(refused.status).toBe(403);
      expect((await admin().ok('GET', `executions/${started.id}`)).cancelRequested).toBe(false);
    } finally {
      await admin().call('POST', `executions/${started.id}/cancel`);
    }
  });
});
