/**
 * The outbox's safety net, run with housekeeping: a parent that ended in a notified lifecycle
 * within the retry window, of a job that has a webhook, but has no webhook row. That happens
 * when a process stops between marking the parent and queueing its notification (the engine's
 * completion is not re-run for a parent already terminal), and for ends written outside it.
 * Each is queued now, so every ended execution is notified at least once. Only ends since the
 * job got its webhook count: setting one never notifies the past.
 */
import { notificationStore } from '../control/stores/notificationStore';
import { isoTimestamp } from '../domain/clock';
import { NOTIFICATION_RETRY_WINDOW_MS } from '../domain/notificationRetry';
import type { Services } from '../services';
import { queueEndedExecutionNotification } from './queueEndedExecutionNotification';

/** Executions looked at per job and pass. */
const PER_JOB = 100;

/** Returns how many webhooks it queued. */
export async function sweepUnqueuedNotifications(services: Services, options: { now: Date }): Promise<number> {
  const outbox = notificationStore(services.control);
  const windowStart = isoTimestamp(new Date(options.now.getTime() - NOTIFICATION_RETRY_WINDOW_MS));
  let queued = 0;
  for (const job of await outbox.jobsWithWebhook()) {
    const since = job.since > windowStart ? job.since : windowStart;
    for (const ending of await outbox.unqueuedEndings(job.jobName, job.on, since, PER_JOB)) {
      if ((await queueEndedExecutionNotification(services, ending.executionId)).webhook) queued++;
    }
  }
  if (queued > 0) services.logger.warn('Queued webhooks of ended executions that had none', { count: queued });
  return queued;
}
