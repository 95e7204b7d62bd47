/**
 * One pass of the notification sender: every outbox row due at `now` is claimed, delivered and
 * its outcome recorded on it. Run by the local host's loop (localNotificationSender.ts) and, in
 * Azure, by a timer (functions/timers.ts). Any number of passes may run at once: a row is sent
 * only by the pass that claimed it, and a pass that dies leaves it to the next once its lease
 * ends (delivery is at least once; receivers drop repeats by X-Elastic-Jobs-Delivery).
 *
 * A failed attempt is due again after a backoff (src/domain/notificationRetry.ts) until an hour
 * after the execution ended; then the row is `failed`. The error kept on the row never holds a
 * secret (the signing key) nor the URL, which may carry a token.
 */
import crypto from 'node:crypto';
import { notificationStore, type NotificationRecord } from '../control/stores/notificationStore';
import { isoTimestamp } from '../domain/clock';
import { nextAttemptAt } from '../domain/notificationRetry';
import type { Services } from '../services';
import type { TelemetryEvent } from './telemetry';
import { postWebhook, type ResolveAddresses, type WebhookOutcome } from './webhookPost';

/** A pass holds a row this long: well over one attempt (a 10 s POST timeout). */
const LEASE_MS = 2 * 60_000;
/** Rows handled per pass, and at once. */
const ROWS_PER_PASS = 100;
const AT_ONCE = 8;

export interface DeliveryOptions {
  now: Date;
  /** Name resolution for webhooks (tests); the system resolver by default. */
  resolve?: ResolveAddresses;
  /** Extra CA certificates a webhook receiver may present (tests with a self-signed one). */
  ca?: string | Buffer;
  timeoutMs?: number;
  /** The host is stopping: POSTs under way are abandoned unrecorded (their lease runs out and a later pass sends them), no more are started. */
  signal?: AbortSignal;
}

export interface DeliveryReport {
  delivered: number;
  /** Failed attempts that will be tried again. */
  retrying: number;
  /** Rows given up (the hour is over). */
  failed: number;
  /** Rows another pass claimed first. */
  lostClaims: number;
}

/** An error text stripped of anything secret that could have slipped into it. */
function scrub(text: string, secrets: (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]');
  return out;
}

async function attempt(services: Services, row: NotificationRecord, options: DeliveryOptions): Promise<WebhookOutcome> {
  if (row.channel === 'telemetry') {
    if (!services.telemetry) return { ok: false, error: 'Application Insights is not configured on this host (APPLICATIONINSIGHTS_CONNECTION_STRING).' };
    try {
      await services.telemetry.trackEvent(JSON.parse(row.body) as TelemetryEvent);
      return { ok: true, status: 200 };
    } catch (e) {
      return { ok: false, error: `Application Insights did not take the event: ${e instanceof Error ? e.message : String(e)}` };
    }
  }
  const signingKey = services.config.webhookSigningKey;
  if (!signingKey) return { ok: false, error: 'WEBHOOK_SIGNING_KEY is not set on this host: webhooks are never sent unsigned.' };
  return postWebhook({
    url: row.url!,
    body: row.body,
    signingKey,
    host: services.config.host,
    deliveryId: row.executionId,
    resolve: options.resolve,
    ca: options.ca,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
  });
}

async function deliverOne(services: Services, row: NotificationRecord, options: DeliveryOptions, report: DeliveryReport): Promise<void> {
  const outbox = notificationStore(services.control);
  const token = crypto.randomUUID();
  const now = isoTimestamp(options.now);
  if (!(await outbox.claim(row, token, now, isoTimestamp(new Date(options.now.getTime() + LEASE_MS))))) {
    report.lostClaims++;
    return;
  }
  const attempts = row.attempts + 1;
  const outcome = await attempt(services, row, options);
  // Not an attempt that failed: the host stopped. The claim runs out and the next pass (or start) sends it.
  if (options.signal?.aborted) return;
  const log = services.logger.child({ executionId: row.executionId, jobName: row.jobName, channel: row.channel });
  if (outcome.ok) {
    await outbox.delivered(row, token, attempts, now);
    report.delivered++;
    log.info('Notification delivered', { attempts });
    return;
  }
  const error = scrub(outcome.error, [services.config.webhookSigningKey, row.url ?? undefined]);
  const next = nextAttemptAt(attempts, options.now, new Date(row.giveUpAt));
  await outbox.attemptFailed(row, token, attempts, error, next === null ? null : isoTimestamp(next), now);
  if (next === null) {
    report.failed++;
    log.warn('Notification given up after its retry window', { attempts, error });
  } else {
    report.retrying++;
    log.info('Notification attempt failed; retried later', { attempts, error, nextAttemptAt: isoTimestamp(next) });
  }
}

export async function deliverDueNotifications(services: Services, options: DeliveryOptions): Promise<DeliveryReport> {
  const report: DeliveryReport = { delivered: 0, retrying: 0, failed: 0, lostClaims: 0 };
  const due = await notificationStore(services.control).due(isoTimestamp(options.now), ROWS_PER_PASS);
  for (let i = 0; i < due.length && !options.signal?.aborted; i += AT_ONCE) {
    await Promise.all(
      due.slice(i, i + AT_ONCE).map((row) =>
        deliverOne(services, row, options, report).catch((error: unknown) => {
          // The row stays claimed until its lease ends, then the next pass takes it up again.
          services.logger.error('Notification could not be handled', { executionId: row.executionId, channel: row.channel, error: error instanceof Error ? error.message : String(error) });
        }),
      ),
    );
  }
  return report;
}
