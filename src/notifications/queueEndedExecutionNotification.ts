/**
 * The engine's one call when a parent execution has ended (after it is marked terminal):
 * queues in the outbox what must be said about it, to be delivered by the sender
 * (deliverDueNotifications) outside the engine, so no attempt ever waits on a receiver.
 *
 * - webhook: when the job has `notify` and the lifecycle is one of its `on`; the exact body to
 *   POST is written now, from the execution as it ended;
 * - telemetry: in Azure (where Services has a telemetry client), one custom event per ended
 *   execution, whatever its lifecycle.
 *
 * Idempotent: the outbox key (execution, channel) queues an execution once however often this
 * runs (an activity runs at least once). It never throws into the engine: the parent has ended
 * whatever becomes of its notification; a failure is logged, and housekeeping's sweep
 * (sweepUnqueuedNotifications) queues a webhook that was missed.
 */
import { executionStore } from '../control/stores/executionStore';
import { jobStore } from '../control/stores/jobStore';
import { notificationStore } from '../control/stores/notificationStore';
import { isoTimestamp } from '../domain/clock';
import { NotFoundError } from '../domain/errors';
import { isTerminal } from '../domain/lifecycle';
import { NOTIFICATION_RETRY_WINDOW_MS } from '../domain/notificationRetry';
import type { JobExecution, JobExecutionEndedEvent } from '../domain/schemas/execution';
import type { EndedLifecycle, Job } from '../domain/schemas/job';
import type { Services } from '../services';
import { JOB_EXECUTION_ENDED_EVENT, type TelemetryEvent } from './telemetry';

/** The webhook body (JobExecutionEndedEvent, in OpenAPI's `webhooks`): exactly these bytes are signed and sent. */
export function endedExecutionBody(execution: JobExecution): string {
  const { id, jobName, lifecycle, counts, startTime, endTime, lastMessage } = execution;
  const body: JobExecutionEndedEvent = {
    event: 'jobExecution.ended',
    // Only a terminal parent is queued (below).
    execution: { id, jobName, lifecycle: lifecycle as EndedLifecycle, counts, startTime, endTime, lastMessage },
  };
  return JSON.stringify(body);
}

/** The Application Insights custom event of an ended parent execution. */
export function endedExecutionEvent(execution: JobExecution): TelemetryEvent {
  const counts = Object.fromEntries(Object.entries(execution.counts).map(([lifecycle, n]) => [`children${lifecycle}`, n]));
  const children = Object.values(execution.counts).reduce((sum, n) => sum + n, 0);
  const durationMs = execution.startTime && execution.endTime ? Date.parse(execution.endTime) - Date.parse(execution.startTime) : undefined;
  return {
    name: JOB_EXECUTION_ENDED_EVENT,
    time: execution.endTime ?? execution.createdAt,
    properties: {
      executionId: execution.id,
      jobName: execution.jobName,
      lifecycle: execution.lifecycle,
      ...(execution.scheduleName ? { scheduleName: execution.scheduleName } : {}),
      ...(execution.startTime ? { startTime: execution.startTime } : {}),
      ...(execution.endTime ? { endTime: execution.endTime } : {}),
      ...(execution.lastMessage ? { lastMessage: execution.lastMessage } : {}),
    },
    measurements: { children, ...counts, ...(durationMs === undefined ? {} : { durationMs }) },
  };
}

/** What was queued for the execution (false: nothing, or it was queued before). */
export interface QueuedNotifications {
  webhook: boolean;
  telemetry: boolean;
}

/**
 * Queues the notifications of an ended parent execution. Does nothing for a child or an
 * execution not terminal. Never throws: an error is logged and reported as nothing queued.
 */
export async function queueEndedExecutionNotification(services: Services, parentExecutionId: string): Promise<QueuedNotifications> {
  const queued: QueuedNotifications = { webhook: false, telemetry: false };
  try {
    const execution = await executionStore(services.control).view(parentExecutionId);
    if (execution.parentId !== null || !isTerminal(execution.lifecycle)) return queued;
    const job = await jobStore(services.control)
      .get(execution.jobName)
      .catch((e: unknown): Job | undefined => {
        if (e instanceof NotFoundError) return undefined;
        throw e;
      });
    const now = services.clock.now();
    // Retried for the hour after the end; queued later than that (the sweep), still tried once.
    const giveUpAt = isoTimestamp(new Date(Math.max(Date.parse(execution.endTime ?? isoTimestamp(now)) + NOTIFICATION_RETRY_WINDOW_MS, now.getTime())));
    const outbox = notificationStore(services.control);
    if (job?.notify && (job.notify.on as string[]).includes(execution.lifecycle)) {
      queued.webhook = await outbox.queue(
        { executionId: execution.id, channel: 'webhook', jobName: execution.jobName, url: job.notify.url, body: endedExecutionBody(execution), giveUpAt },
        isoTimestamp(now),
      );
    }
    if (services.telemetry) {
      queued.telemetry = await outbox.queue(
        { executionId: execution.id, channel: 'telemetry', jobName: execution.jobName, url: null, body: JSON.stringify(endedExecutionEvent(execution)), giveUpAt },
        isoTimestamp(now),
      );
    }
  } catch (error) {
    services.logger.error('The notifications of an ended job execution could not be queued; housekeeping queues a missed webhook later', {
      executionId: parentExecutionId,
      error: error instanceof Error ? error.message : String(error),
    });
  }
  return queued;
}
