/**
 * What a claimed fire does, under its job's overlap policy, once the claim row is written:
 * start an execution (through the one start path, with the fire's deterministic id), record a
 * Skipped execution, or wait as queued until the active execution ends. The claim row is then
 * settled with the outcome.
 */
import type { InvocationContext } from '@azure/functions';
import { executionStore } from '../control/stores/executionStore';
import { triggerFireStore, type FireKey, type FireStatus } from '../control/stores/triggerFireStore';
import { ElasticJobsError } from '../domain/errors';
import type { Job } from '../domain/schemas/job';
import { recordSkippedJobExecution, startJobExecution } from '../execution/startJobExecution';
import { queueEndedExecutionNotification } from '../notifications/queueEndedExecutionNotification';
import type { Services } from '../services';
import { fireExecutionId } from './fireExecutionId';

export type FireOutcome = { status: Exclude<FireStatus, 'claimed'>; executionId: string | null; message: string | null } | { status: 'claimed'; executionId: null; message: string };

export interface ClaimedFire extends FireKey {
  overlap: Job['overlap'];
  /** Said on the execution: missed fire times, or how long it waited in the queue. */
  message?: string;
}

function joinMessages(...parts: (string | undefined)[]): string | undefined {
  const text = parts.filter((p): p is string => !!p).join(' ');
  return text || undefined;
}

/** Applies the overlap policy to a claimed fire and settles its claim row. */
export async function runClaimedFire(services: Services, fire: ClaimedFire, invocation?: InvocationContext): Promise<FireOutcome> {
  const active = await executionStore(services.control).activeExecutionsOfJob(fire.jobName);
  if (active.length === 0 || fire.overlap === 'allow') return startFire(services, fire, fire.message, invocation);

  const fires = triggerFireStore(services.control);
  const running = `execution ${active[0].id} of job '${fire.jobName}' was still active`;
  if (fire.overlap === 'queue' && !(await fires.hasQueued(fire.jobName))) {
    const message = joinMessages(`Queued at fire time ${fire.fireTime}: ${running} (overlap policy: queue).`, fire.message)!;
    await fires.settle(fire, { status: 'queued', message });
    return { status: 'queued', executionId: null, message };
  }
  // One queued fire per job is enough: runs that pile up behind a long one would run back to back.
  const reason =
    fire.overlap === 'skip'
      ? `Skipped: ${running} (overlap policy: skip).`
      : `Skipped: ${running} and an earlier fire time already waits in the queue (overlap policy: queue).`;
  return recordSkip(services, fire, joinMessages(reason, fire.message)!);
}

async function recordSkip(services: Services, fire: ClaimedFire, message: string): Promise<FireOutcome> {
  const fires = triggerFireStore(services.control);
  const executionId = fireExecutionId(fire.jobName, fire.scheduleName, fire.fireTime);
  try {
    await recordSkippedJobExecution(services, { jobName: fire.jobName, scheduleName: fire.scheduleName, executionId, message });
  } catch (error) {
    return settleAfterError(services, fire, executionId, error, 'skipped');
  }
  await fires.settle(fire, { status: 'skipped', executionId, message });
  // A Skipped parent ends here, not in the engine: a job notified on Skipped hears of it too.
  await queueEndedExecutionNotification(services, executionId);
  return { status: 'skipped', executionId, message };
}

/** Starts the fire's execution (no overlap check: the caller made it) and settles the claim. */
export async function startFire(services: Services, fire: FireKey, message: string | undefined, invocation?: InvocationContext): Promise<FireOutcome> {
  const executionId = fireExecutionId(fire.jobName, fire.scheduleName, fire.fireTime);
  try {
    await startJobExecution(services, { jobName: fire.jobName, scheduleName: fire.scheduleName, executionId, message, invocation });
  } catch (error) {
    return settleAfterError(services, fire, executionId, error, 'started');
  }
  await triggerFireStore(services.control).settle(fire, { status: 'started', executionId, message: message ?? null });
  services.logger.info('Scheduled fire started', { jobName: fire.jobName, scheduleName: fire.scheduleName, fireTime: fire.fireTime, executionId });
  return { status: 'started', executionId, message: message ?? null };
}

/**
 * A start that threw. When the execution row exists (an orchestration that would not start ends
 * it Failed; a stranded claim re-run finds its own row), the fire points at it. A refusal the
 * request itself caused (job deleted or marked, content gone, credential scope) cannot get better
 * by retrying: the fire is failed with the reason. Anything else leaves the claim as it is; a
 * later tick takes it up again once it counts as stranded.
 */
async function settleAfterError(services: Services, fire: FireKey, executionId: string, error: unknown, intended: 'started' | 'skipped'): Promise<FireOutcome> {
  const fires = triggerFireStore(services.control);
  const text = error instanceof Error ? error.message : String(error);
  const log = { jobName: fire.jobName, scheduleName: fire.scheduleName, fireTime: fire.fireTime, executionId, error: text };
  const existing = await executionStore(services.control).find(executionId);
  if (existing) {
    const status = existing.lifecycle === 'Failed' ? 'failed' : intended;
    await fires.settle(fire, { status, executionId, message: existing.lastMessage });
    services.logger.warn('Scheduled fire found its execution already written', log);
    return { status, executionId, message: existing.lastMessage };
  }
  if (error instanceof ElasticJobsError && !error.retryable) {
    const message = `The scheduled fire could not start: ${text}`;
    await fires.settle(fire, { status: 'failed', executionId: null, message });
    services.logger.warn('Scheduled fire could not start', log);
    return { status: 'failed', executionId: null, message };
  }
  services.logger.error('Scheduled fire failed to start; a later tick retries it', log);
  return { status: 'claimed', executionId: null, message: text };
}
