/**
 * Issue 14's enabled flag and failure webhooks as a user meets them: over HTTP on the local host
 * (its real server, engine and SQLite target files), on each control database.
 *
 * The host runs in this process with its scheduler and notification loop off, so the test drives
 * a scheduler tick and a sender pass at times it chooses (two "minutes" without waiting two
 * minutes); the last describe starts `npm start`'s entry as a child process and lets its own loop
 * deliver, which is what proves the loop is wired.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig } from '../../src/config';
import { startLocalHost as startInProcessHost, type LocalHost } from '../../src/local/main';
import { deliverDueNotifications } from '../../src/notifications/deliverDueNotifications';
import { runSchedulerTick } from '../../src/scheduler/schedulerTick';
import { CONTROL_DIALECTS, createControlUrl } from '../support/controlDatabases';
import { jsonClient } from '../support/httpClient';
import { startLocalHost, type RunningLocalHost } from '../support/localHost';
import { until } from '../support/until';
import { startWebhookReceiver, verifySignature, type WebhookReceiver } from '../support/webhookReceiver';

const KEY = 'whsec-e2e-0123456789abcdefghijklmnopqr';
const MINUTE = 60_000;

type Api = ReturnType<typeof jsonClient>;

/** A SQLite target file, a credential for it, a one-attempt policy, a failing and a working script. */
async function seed(api: Api, dataDir: string): Promise<string> {
  const folder = path.join(dataDir, 'sqlite', 'tenants');
  fs.mkdirSync(folder, { recursive: true });
  new Database(path.join(folder, 'a.db')).close();
  await api.ok('POST', 'credentials', { name: 'files', username: 'unused', password: 'unused-passw0rd', allowedServers: ['tenants'] });
  await api.ok('POST', 'execution-policies', { name: 'once', jobTimeout: 'PT5M', initialRetryInterval: 'PT1S', maximumRetryInterval: 'PT1S', retryIntervalBackoffCoefficient: 2, maximumAttempts: 1 });
  await api.ok('POST', 'contents', { name: 'broken', type: 'script', commandText: 'SELECT * FROM no_such_table;' });
  await api.ok('POST', 'contents', { name: 'fine', type: 'script', commandText: 'SELECT 1;' });
  return (await api.ok('POST', 'targets', { type: 'database', engine: 'sqlite', serverName: 'tenants', databaseName: 'a.db' })).id;
}

async function runToEnd(api: Api, job: string): Promise<{ id: string; lifecycle: string }> {
  const started = await api.ok('POST', `jobs/${job}/executions`);
  const ended = await api.call('GET', `executions/${started.id}/wait?timeout=PT30S`);
  expect(ended.status).toBe(200);
  return ended.body;
}

describe.each(CONTROL_DIALECTS)('webhooks and disabled jobs over HTTP on the local host (%s control database)', (dialect) => {
  let host: LocalHost;
  let api: Api;
  let receiver: WebhookReceiver;
  let targetId: string;
  let drop: () => Promise<void>;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ej-e2e14-'));

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    const control = await createControlUrl(dialect);
    drop = control.drop;
    const config = loadConfig(
      { ELASTIC_JOBS_DATA_DIR: dataDir, CONTROL_DB: control.url, PORT: '0', ELASTIC_JOBS_MASTER_KEY: crypto.randomBytes(32).toString('hex'), WEBHOOK_SIGNING_KEY: KEY, LOG_LEVEL: 'silent' },
      'local',
    );
    host = await startInProcessHost(config, { scheduler: false, notifications: false });
    api = jsonClient(host.url);
    targetId = await seed(api, dataDir);
  }, 60_000);
  afterAll(async () => {
    await host?.stop();
    await receiver?.close();
    await drop?.();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  const deliver = (at: Date) => deliverDueNotifications(host.services, { now: at });
  /** The wait answers once the parent is terminal; the engine queues its notification just after: wait for that too. */
  const queued = (id: string) => until(async () => (await api.ok('GET', `executions/${id}`)).notification !== null, `the notification of ${id} to be queued`);

  it('a receiver on loopback gets one signed POST per failed run, retried when it first answers 500, and none for a success', async () => {
    await api.ok('POST', 'jobs', { name: 'nightly', contentName: 'broken', credentialName: 'files', targetId, executionPolicyName: 'once', notify: { url: receiver.url } });
    await api.ok('POST', 'jobs', { name: 'healthy', contentName: 'fine', credentialName: 'files', targetId, executionPolicyName: 'once', notify: { url: receiver.url } });

    receiver.answer(500);
    const first = await runToEnd(api, 'nightly');
    expect(first.lifecycle).toBe('Failed');
    // The engine queued it when the parent ended; the first attempt meets the 500.
    await queued(first.id);
    expect(await deliver(new Date())).toMatchObject({ delivered: 0, retrying: 1 });
    expect((await api.ok('GET', `executions/${first.id}`)).notification).toEqual({ status: 'pending', attempts: 1, lastError: 'The receiver answered HTTP 500.' });
    // Its backoff passed: the retry is taken.
    expect(await deliver(new Date(Date.now() + MINUTE))).toMatchObject({ delivered: 1 });
    expect((await api.ok('GET', `executions/${first.id}`)).notification).toEqual({ status: 'delivered', attempts: 2, lastError: 'The receiver answered HTTP 500.' });

    const second = await runToEnd(api, 'nightly');
    expect(second.lifecycle).toBe('Failed');
    await queued(second.id);
    const success = await runToEnd(api, 'healthy');
    expect(success.lifecycle).toBe('Succeeded');
    expect(await deliver(new Date(Date.now() + 2 * MINUTE))).toMatchObject({ delivered: 1, retrying: 0 });
    expect((await api.ok('GET', `executions/${success.id}`)).notification).toBeNull();
    // Nothing left to send, however much later.
    expect(await deliver(new Date(Date.now() + 30 * MINUTE))).toMatchObject({ delivered: 0, retrying: 0, failed: 0 });

    expect(receiver.received.map((r) => r.body.execution.id)).toEqual([first.id, first.id, second.id]);
    for (const post of receiver.received) {
      expect(verifySignature(post, KEY)).toBe(true);
      expect(post.body).toMatchObject({ event: 'jobExecution.ended', execution: { jobName: 'nightly', lifecycle: 'Failed', counts: { Failed: 1 } } });
    }
    expect(receiver.received[1].raw.equals(receiver.received[0].raw)).toBe(true);
    const view = await api.ok('GET', `executions/${second.id}`);
    expect(receiver.received[2].body.execution).toEqual({ id: second.id, jobName: 'nightly', lifecycle: 'Failed', counts: view.counts, startTime: view.startTime, endTime: view.endTime, lastMessage: view.lastMessage });
  }, 120_000);

  it('a disabled job with an every-minute trigger fires nothing for two minutes while a manual start runs; enabled again it fires at the next minute', async () => {
    const now = Date.now();
    await api.ok('POST', 'schedules', { name: 'every-minute', interval: { unit: 'minute', count: 1 }, startTime: new Date(now - (now % MINUTE) - MINUTE).toISOString() });
    await api.ok('POST', 'jobs', { name: 'paused', contentName: 'fine', credentialName: 'files', targetId, executionPolicyName: 'once' });
    expect((await api.ok('PUT', 'jobs/paused', { enabled: false })).enabled).toBe(false);
    await api.ok('POST', 'triggers', { jobName: 'paused', scheduleName: 'every-minute' });
    expect((await api.ok('GET', 'triggers?jobName=paused')).items[0].nextFireTime).toBeNull();

    for (const minutes of [1, 2]) {
      expect(await runSchedulerTick(host.services, { now: new Date(now + minutes * MINUTE + 1_000) })).toMatchObject({ started: [], skipped: 0, queued: 0, failed: 0, errors: 0 });
    }
    expect((await api.ok('GET', 'executions?jobName=paused&includeInactive=true')).items).toEqual([]);

    const manual = await runToEnd(api, 'paused');
    expect(manual.lifecycle).toBe('Succeeded');
    expect((await api.ok('GET', 'executions?jobName=paused&includeInactive=true')).items.map((e: { id: string }) => e.id)).toEqual([manual.id]);

    expect((await api.ok('PUT', 'jobs/paused', { enabled: true })).enabled).toBe(true);
    const next = (await api.ok('GET', 'triggers?jobName=paused')).items[0].nextFireTime as string;
    expect(Date.parse(next)).toBeGreaterThan(Date.now() - 1_000);
    expect(Date.parse(next) % MINUTE).toBe(0);
    const report = await runSchedulerTick(host.services, { now: new Date(Date.parse(next) + 1_000) });
    expect(report.started).toHaveLength(1);
    const scheduled = await api.call('GET', `executions/${report.started[0]}/wait?timeout=PT30S`);
    expect(scheduled.body).toMatchObject({ lifecycle: 'Succeeded', scheduleName: 'every-minute', lastMessage: '1 succeeded' });
  }, 120_000);

  it('refuses a webhook to 169.254.169.254 at create with 400 and writes nothing', async () => {
    const before = (await api.ok('GET', 'jobs?limit=1000')).items.length;
    for (const url of ['http://169.254.169.254/metadata/identity/oauth2/token', 'https://169.254.169.254/latest/meta-data/']) {
      const res = await api.call('POST', 'jobs', { name: 'harvest', contentName: 'fine', credentialName: 'files', targetId, notify: { url } });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ path: 'body.notify.url', message: expect.stringContaining('169.254.169.254') }]);
    }
    expect((await api.call('GET', 'jobs/harvest')).status).toBe(404);
    expect((await api.ok('GET', 'jobs?limit=1000')).items).toHaveLength(before);
  });

  it('refuses bad input with 400 and writes nothing', async () => {
    const before = (await api.ok('GET', 'jobs?limit=1000')).items;
    for (const notify of [{ url: 'http://hooks.example.com/x' }, { url: 'not a url' }, { url: receiver.url, on: ['Whenever'] }, { url: receiver.url, extra: true }]) {
      expect((await api.call('POST', 'jobs', { name: 'bad', contentName: 'fine', credentialName: 'files', targetId, notify })).status).toBe(400);
      expect((await api.call('PUT', 'jobs/nightly', { notify, enabled: false })).status).toBe(400);
    }
    expect((await api.call('PUT', 'jobs/nightly', { enabled: 'no' })).status).toBe(400);
    expect((await api.ok('GET', 'jobs?limit=1000')).items).toEqual(before);
  });
});

describe('the local host started as `npm start` does', () => {
  let host: RunningLocalHost;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    host = await startLocalHost({ env: { WEBHOOK_SIGNING_KEY: KEY } });
  }, 120_000);
  afterAll(async () => {
    await host?.stop();
    await receiver?.close();
  }, 60_000);

  it('delivers a failed run to the webhook with its own sender loop, signed, and never logs the key', async () => {
    const api = jsonClient(host.url);
    const targetId = await seed(api, host.dataDir);
    await api.ok('POST', 'jobs', { name: 'nightly', contentName: 'broken', credentialName: 'files', targetId, executionPolicyName: 'once', notify: { url: receiver.url } });
    const run = await runToEnd(api, 'nightly');
    expect(run.lifecycle).toBe('Failed');
    await receiver.waitFor(1, 20_000);
    expect(receiver.received).toHaveLength(1);
    expect(verifySignature(receiver.received[0], KEY)).toBe(true);
    expect(receiver.received[0].body.execution).toMatchObject({ id: run.id, lifecycle: 'Failed' });
    expect(host.output()).not.toContain(KEY);
  }, 120_000);
});
