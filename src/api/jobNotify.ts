/**
 * What a job's `notify` must satisfy before a create or an update writes anything: a signing key
 * is configured (an unsigned webhook could be forged by anyone who learns the URL), and the URL
 * points where this host may send (src/domain/webhookAddress.ts). Either failure is a 400 naming
 * `body.notify...`; the key itself is never named by value.
 */
import { ValidationError } from '../domain/errors';
import { DEFAULT_NOTIFY_ON, EndedLifecycle, type JobNotify, type JobNotifyInput } from '../domain/schemas/job';
import { webhookUrlProblem } from '../domain/webhookAddress';
import type { Services } from '../services';

/** The stored form of a requested webhook: `on` defaulted and in lifecycle order, without repeats. */
export function normalizeNotify(input: JobNotifyInput): JobNotify {
  const on = new Set(input.on ?? DEFAULT_NOTIFY_ON);
  return { url: input.url, on: EndedLifecycle.options.filter((l) => on.has(l)) };
}

/** Throws ValidationError (400) when this webhook may not be stored on this host. */
export function checkNotify(services: Services, notify: JobNotify): void {
  if (!services.config.webhookSigningKey) {
    throw new ValidationError('A job with notify needs the WEBHOOK_SIGNING_KEY setting: webhooks are always signed, and no signing key is configured on this host.', [
      { path: 'body.notify', message: 'needs the WEBHOOK_SIGNING_KEY setting' },
    ]);
  }
  const problem = webhookUrlProblem(notify.url, services.config.host);
  if (problem) throw new ValidationError(`The webhook URL ${problem}.`, [{ path: 'body.notify.url', message: problem }]);
}
