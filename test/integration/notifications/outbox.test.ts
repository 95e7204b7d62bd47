/**
 * The notification outbox on each control database, with a real webhook receiver on loopback:
 * what queueEndedExecutionNotification (the engine's call when a parent ends) queues, and what
 * the sender does with it: one signed POST per ended execution, retried with backoff after a
 * failure until the hour is over, claimed by one pass at a time, refused after DNS resolution when
 * the name points at the metadata address, recorded on the execution (GET /executions/{id}) with
 * an error that holds no secret. Parents are written through the API and ended as the engine
 * ends them; the clock of the sender is the test's.
 */
import { executionStore } from '../../../src/control/stores/executionStore';
import { notificationStore } from '../../../src/control/stores/notificationStore';
import { JobExecutionEndedEvent } from '../../../src/domain/schemas/execution';
import type { OrchestrationClient } from '../../../src/execution/orchestrationClient';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { deliverDueNotifications } from '../../../src/notifications/deliverDueNotifications';
import { startLocalNotificationSender } from '../../../src/notifications/localNotificationSender';
import { queueEndedExecutionNotification } from '../../../src/notifications/queueEndedExecutionNotification';
import type { TelemetryEvent } from '../../../src/notifications/telemetry';
import { runHousekeeping } from '../../../src/scheduler/housekeeping';
import { runSchedulerTick } from '../../../src/scheduler/schedulerTick';
import { createApiHarness, type ApiHarness } from '../../support/apiHarness';
import { ManualClock } from '../../support/clock';
import { CONTROL_DIALECTS } from '../../support/controlDatabases';
import { startWebhookReceiver, verifySignature, type WebhookReceiver } from '../../support/webhookReceiver';

const KEY = 'whsec-outbox-test-0123456789abcdefghij';
const START = '2026-11-25T20:00:00.000Z';
const MINUTE = 60_000;

describe.each(CONTROL_DIALECTS)('notification outbox on %s', (dialect) => {
  let api: ApiHarness;
  let receiver: WebhookReceiver;
  const clock = new ManualClock(START);
  const events: TelemetryEvent[] = [];
  let telemetryFails = false;
  const client: OrchestrationClient = { startJobExecution: async () => {}, raiseCancel: async () => {} };
  let targetId: string;

  const ok = async (method: string, path: string, body?: unknown) => {
    const res = await api.call(method, path, body === undefined ? {} : { body });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
    return res.body;
  };
  /** A parent started through the API and ended as the engine ends it, then reported. */
  const endedRun = async (job: string, lifecycle: 'Succeeded' | 'Failed' | 'TimedOut' | 'Canceled', message = '1 failed') => {
    const { id } = await ok('POST', `jobs/${job}/executions`);
    await executionStore(api.services.control).mark(id, 'InProgress', null, clock.now().toISOString());
    clock.advance(5_000);
    await executionStore(api.services.control).mark(id, lifecycle, message, clock.now().toISOString());
    return id as string;
  };
  const deliver = (at: Date = clock.now()) => deliverDueNotifications(api.services, { now: at });
  const outboxRow = (id: string, channel: 'webhook' | 'telemetry' = 'webhook') => notificationStore(api.services.control).get({ executionId: id, channel });

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    api = await createApiHarness(
      dialect,
      {
        clock,
        orchestrations: () => () => client,
        telemetry: {
          async trackEvent(event) {
            if (telemetryFails) throw new Error('the ingestion endpoint answered HTTP 503');
            events.push(event);
          },
        },
      },
      { WEBHOOK_SIGNING_KEY: KEY },
    );
    await ok('POST', 'credentials', { name: 'runner', username: 'u', password: 'runner-p4ss', allowedServers: ['*.example'] });
    await ok('POST', 'contents', { name: 'script', type: 'script', commandText: 'SELECT 1' });
    targetId = (await ok('POST', 'targets', { type: 'database', serverName: 'db.example', databaseName: 'orders' })).id;
    await ok('POST', 'jobs', { name: 'hooked', contentName: 'script', credentialName: 'runner', targetId, notify: { url: receiver.url } });
    await ok('POST', 'jobs', { name: 'quiet', contentName: 'script', credentialName: 'runner', targetId });
  });
  afterAll(async () => {
    await api.close();
    await receiver.close();
  });
  beforeEach(() => {
    receiver.reset();
    events.length = 0;
    telemetryFails = false;
  });

  it('queues a failed run once, with the exact body, and the sender POSTs it signed: one POST per ended execution', async () => {
    const id = await endedRun('hooked', 'Failed', '0 succeeded, 1 failed');
    expect(await queueEndedExecutionNotification(api.services, id)).toEqual({ webhook: true, telemetry: true });
    // Reported again (an activity runs at least once): nothing more is queued.
    expect(await queueEndedExecutionNotification(api.services, id)).toEqual({ webhook: false, telemetry: false });

    expect(await deliver()).toMatchObject({ delivered: 2, retrying: 0, failed: 0 });
    expect(receiver.received).toHaveLength(1);
    const [post] = receiver.received;
    expect(post.method).toBe('POST');
    expect(post.path).toBe('/hooks/elastic-jobs');
    expect(post.headers['content-type']).toBe('application/json');
    expect(post.headers['x-elastic-jobs-delivery']).toBe(id);
    expect(verifySignature(post, KEY)).toBe(true);
    expect(verifySignature(post, 'another-key-0123456789abcdefghijklmn')).toBe(false);
    const view = await ok('GET', `executions/${id}`);
    expect(post.body).toEqual({
      event: 'jobExecution.ended',
      execution: { id, jobName: 'hooked', lifecycle: 'Failed', counts: view.counts, startTime: view.startTime, endTime: view.endTime, lastMessage: '0 succeeded, 1 failed' },
    });
    expect(Object.keys(post.body.execution)).toEqual(['id', 'jobName', 'lifecycle', 'counts', 'startTime', 'endTime', 'lastMessage']);
    // What OpenAPI's webhooks section promises.
    expect(JobExecutionEndedEvent.safeParse(post.body).success).toBe(true);
    expect(view.notification).toEqual({ status: 'delivered', attempts: 1, lastError: null });

    // Nothing is sent twice.
    clock.advance(10 * MINUTE);
    expect(await deliver()).toMatchObject({ delivered: 0 });
    expect(receiver.received).toHaveLength(1);
  });

  it('says nothing for lifecycles not in on, for children, or for executions still running; notification null on GET', async () => {
    const succeeded = await endedRun('hooked', 'Succeeded', '1 succeeded');
    expect((await queueEndedExecutionNotification(api.services, succeeded)).webhook).toBe(false);
    expect(await outboxRow(succeeded)).toBeUndefined();
    expect((await ok('GET', `executions/${succeeded}`)).notification).toBeNull();

    const running = (await ok('POST', 'jobs/hooked/executions')).id;
    expect(await queueEndedExecutionNotification(api.services, running)).toEqual({ webhook: false, telemetry: false });
    await executionStore(api.services.control).mark(running, 'Canceled', 'Canceled: nothing ran', clock.now().toISOString());

    const noHook = await endedRun('quiet', 'Failed');
    expect((await queueEndedExecutionNotification(api.services, noHook)).webhook).toBe(false);
    await deliver();
    expect(receiver.received).toHaveLength(0);
  });

  it('emits one telemetry event per ended execution, whatever its lifecycle, and retries it when Application Insights refuses', async () => {
    const succeeded = await endedRun('quiet', 'Succeeded', '1 succeeded');
    await queueEndedExecutionNotification(api.services, succeeded);
    telemetryFails = true;
    expect(await deliver()).toMatchObject({ retrying: 1 });
    expect((await outboxRow(succeeded, 'telemetry'))!.lastError).toBe('Application Insights did not take the event: the ingestion endpoint answered HTTP 503');
    telemetryFails = false;
    clock.advance(MINUTE);
    expect(await deliver()).toMatchObject({ delivered: 1 });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ name: 'JobExecutionEnded', properties: { executionId: succeeded, jobName: 'quiet', lifecycle: 'Succeeded', lastMessage: '1 succeeded' } });
    expect(events[0].measurements).toMatchObject({ children: 0, durationMs: 5_000 });
  });

  it('retries after a 500 with backoff, then delivers; the error it kept names no secret and no URL', async () => {
    const id = await endedRun('hooked', 'TimedOut', 'Timed out: 1 timed out');
    await queueEndedExecutionNotification(api.services, id);
    receiver.answer(500);
    expect(await deliver()).toMatchObject({ delivered: 1, retrying: 1 }); // the telemetry event, and the webhook's first attempt
    expect(receiver.received).toHaveLength(1);
    const afterFirst = await ok('GET', `executions/${id}`);
    expect(afterFirst.notification).toEqual({ status: 'pending', attempts: 1, lastError: 'The receiver answered HTTP 500.' });

    // Not due again before its backoff (10 s).
    clock.advance(5_000);
    expect(await deliver()).toMatchObject({ delivered: 0, retrying: 0 });
    expect(receiver.received).toHaveLength(1);
    clock.advance(5_000);
    expect(await deliver()).toMatchObject({ delivered: 1 });
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1].raw.equals(receiver.received[0].raw)).toBe(true);
    expect(verifySignature(receiver.received[1], KEY)).toBe(true);
    const done = await ok('GET', `executions/${id}`);
    expect(done.notification).toEqual({ status: 'delivered', attempts: 2, lastError: 'The receiver answered HTTP 500.' });
    expect(JSON.stringify(done)).not.toContain(KEY);
    expect(api.logs.join('\n')).not.toContain(KEY);
  });

  it('gives up an hour after the execution ended, having tried all along', async () => {
    const id = await endedRun('hooked', 'Failed');
    await queueEndedExecutionNotification(api.services, id);
    const endedAt = clock.now().getTime();
    receiver.answer(...Array(100).fill(503));
    let attempts = 0;
    for (let t = endedAt; t <= endedAt + 61 * MINUTE; t += 5_000) {
      const report = await deliver(new Date(t));
      attempts += report.retrying + report.failed;
    }
    const row = await outboxRow(id);
    expect(row).toMatchObject({ status: 'failed', lastError: 'The receiver answered HTTP 503.' });
    expect(row!.attempts).toBe(attempts);
    expect(attempts).toBeGreaterThan(10);
    // Every attempt was one POST, and the last one came at the end of the hour.
    expect(receiver.received).toHaveLength(attempts);
    expect((await ok('GET', `executions/${id}`)).notification).toMatchObject({ status: 'failed', attempts });
    receiver.reset();
    await deliver(new Date(endedAt + 2 * 60 * MINUTE));
    expect(receiver.received).toHaveLength(0);
  });

  it('sends a notification from one pass only when several run at once', async () => {
    const id = await endedRun('hooked', 'Failed');
    await queueEndedExecutionNotification(api.services, id);
    const reports = await Promise.all([deliver(), deliver(), deliver()]);
    expect(reports.reduce((n, r) => n + r.delivered, 0)).toBe(2); // the webhook and the telemetry event, once each
    expect(receiver.received).toHaveLength(1);
  });

  it('refuses at send time a name that resolves to the metadata address, and never connects', async () => {
    await ok('PUT', 'jobs/quiet', { notify: { url: 'https://metadata-rebind.example/hook' } });
    const id = await endedRun('quiet', 'Failed');
    await queueEndedExecutionNotification(api.services, id);
    const report = await deliverDueNotifications(api.services, { now: clock.now(), resolve: async () => ['20.50.2.1', '169.254.169.254'] });
    expect(report.retrying).toBe(1);
    const row = await outboxRow(id);
    expect(row!.lastError).toBe(
      'Refused after DNS resolution: the webhook must not point at 169.254.169.254: that is a cloud metadata service address, and webhooks may not reach it.',
    );
    expect(row!.lastError).not.toContain('metadata-rebind.example/hook');
    expect(receiver.received).toHaveLength(0);
    await ok('PUT', 'jobs/quiet', { notify: null });
  });

  it('housekeeping queues the webhook of a parent that ended without being reported, never one from before the webhook was set', async () => {
    const before = await endedRun('quiet', 'Failed');
    clock.advance(MINUTE);
    await ok('PUT', 'jobs/quiet', { notify: { url: receiver.url } });
    clock.advance(MINUTE);
    // Ended, and the process stopped before reporting it.
    const unreported = await endedRun('quiet', 'Failed');
    const succeeded = await endedRun('quiet', 'Succeeded');
    const report = await runHousekeeping(api.services, { now: clock.now() });
    expect(report.sweptNotifications).toBe(1);
    expect(await outboxRow(unreported)).toMatchObject({ status: 'pending' });
    expect(await outboxRow(before)).toBeUndefined();
    expect(await outboxRow(succeeded)).toBeUndefined();
    expect((await runHousekeeping(api.services, { now: clock.now() })).sweptNotifications).toBe(0);
    await deliver();
    expect(receiver.received.map((r) => r.body.execution.id)).toEqual([unreported]);
    await ok('PUT', 'jobs/quiet', { notify: null });
  });

  it('keeps retrying, unsigned never, when the signing key was taken away after the webhook was set', async () => {
    const id = await endedRun('hooked', 'Failed');
    await queueEndedExecutionNotification(api.services, id);
    const config = api.services.config;
    const saved = config.webhookSigningKey;
    config.webhookSigningKey = undefined;
    try {
      await deliver();
    } finally {
      config.webhookSigningKey = saved;
    }
    expect(receiver.received).toHaveLength(0);
    expect(await outboxRow(id)).toMatchObject({ status: 'pending', attempts: 1, lastError: 'WEBHOOK_SIGNING_KEY is not set on this host: webhooks are never sent unsigned.' });
    clock.advance(MINUTE);
    await deliver();
    expect(receiver.received).toHaveLength(1);
    expect(verifySignature(receiver.received[0], KEY)).toBe(true);
  });

  it('a fire skipped by the overlap policy (a Skipped parent, ended outside the engine) is notified when on names Skipped', async () => {
    await ok('POST', 'jobs', { name: 'overlapping', contentName: 'script', credentialName: 'runner', targetId, overlap: 'skip', notify: { url: receiver.url, on: ['Skipped'] } });
    const start = clock.now().getTime();
    await ok('POST', 'schedules', { name: 'each-minute', interval: { unit: 'minute', count: 1 }, startTime: new Date(start - (start % MINUTE) + MINUTE).toISOString() });
    await ok('POST', 'triggers', { jobName: 'overlapping', scheduleName: 'each-minute' });
    const first = await runSchedulerTick(api.services, { now: new Date(start - (start % MINUTE) + MINUTE + 5_000) });
    expect(first.started).toHaveLength(1);
    // The first execution is still active (nothing runs it here): the next fire is skipped.
    const second = await runSchedulerTick(api.services, { now: new Date(start - (start % MINUTE) + 2 * MINUTE + 5_000) });
    expect(second.skipped).toBe(1);
    await deliver(new Date(start - (start % MINUTE) + 2 * MINUTE + 6_000));
    expect(receiver.received.map((r) => [r.body.execution.jobName, r.body.execution.lifecycle])).toEqual([['overlapping', 'Skipped']]);
    await ok('DELETE', 'triggers/overlapping/each-minute');
  });

  it('a stopping local sender abandons a POST to a receiver that hangs, unrecorded, and stops at once', async () => {
    let arrived = 0;
    const hanging = http.createServer(() => void arrived++);
    await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', () => r()));
    try {
      await ok('PUT', 'jobs/quiet', { notify: { url: `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/hook` } });
      const id = await endedRun('quiet', 'Failed');
      await queueEndedExecutionNotification(api.services, id);
      const sender = startLocalNotificationSender(api.services, { intervalMs: 50 });
      for (let i = 0; arrived === 0 && i < 200; i++) await new Promise((r) => setTimeout(r, 25));
      expect(arrived).toBe(1);
      const stopping = Date.now();
      await sender.stop();
      expect(Date.now() - stopping).toBeLessThan(2_000);
      // Not a failed attempt: the row waits for its lease to run out, then any pass sends it.
      expect(await outboxRow(id)).toMatchObject({ status: 'pending', attempts: 0, lastError: null });
      await api.services.control.db.deleteFrom('executionNotifications').where('executionId', '=', id).execute();
    } finally {
      await ok('PUT', 'jobs/quiet', { notify: null });
      hanging.closeAllConnections();
      await new Promise<void>((r) => hanging.close(() => r()));
    }
  });

  it('purges outbox rows past the history retention with housekeeping', async () => {
    const id = await endedRun('hooked', 'Failed');
    await queueEndedExecutionNotification(api.services, id);
    await deliver();
    const report = await runHousekeeping(api.services, { now: new Date(clock.now().getTime() + 46 * 24 * 60 * MINUTE) });
    expect(report.purgedNotifications).toBeGreaterThanOrEqual(2);
    expect(await outboxRow(id)).toBeUndefined();
  });
});
