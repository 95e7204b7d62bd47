/**
 * One pass of the scheduler: every trigger whose job can run, fired exactly once per fire time,
 * however many ticks run at once (every scaled-out instance of the Azure timer, the local
 * ticker, a test). Nothing is kept between ticks but the control database.
 *
 * 1. Fires waiting to start: queued ones whose job has no active execution any more, and claims
 *    whose tick died before it settled them (claimed more than STRANDED_AFTER_MS ago).
 * 2. For each live trigger of an enabled job: the latest fire time <= now not yet claimed (after
 *    the trigger's latest claim, or from the trigger's creation: a trigger never fires for a time
 *    before it existed, nor before its job was last enabled again). Missed earlier fire times are
 *    counted and said, not run. A disabled job's triggers fire nothing, not even a Skipped
 *    execution, and write no claim row.
 *    The claim row is inserted BEFORE anything starts; the tick that fails the insert lost the
 *    race and leaves that fire alone.
 */
import type { InvocationContext } from '@azure/functions';
import { executionStore } from '../control/stores/executionStore';
import { triggerFireStore, type FireRecord } from '../control/stores/triggerFireStore';
import { triggerStore, type TriggerState } from '../control/stores/triggerStore';
import { isoTimestamp } from '../domain/clock';
import { dueFireTime, type DueFire } from '../domain/scheduleMath';
import type { Services } from '../services';
import { runClaimedFire, startFire, type FireOutcome } from './runClaimedFire';

/** A claim not settled after this long belongs to a tick that died (a start takes well under a second). */
export const STRANDED_AFTER_MS = 5 * 60_000;

export interface SchedulerTickOptions {
  now: Date;
  /** The Functions invocation (its durable client binding) in Azure. */
  invocation?: InvocationContext;
}

export interface SchedulerTickReport {
  /** Execution ids started by this tick. */
  started: string[];
  skipped: number;
  queued: number;
  failed: number;
  /** Fire times another tick claimed first. */
  lostClaims: number;
  /** Triggers or fires this tick could not handle (logged; retried by a later tick). */
  errors: number;
}

const triggerKey = (jobName: string, scheduleName: string) => JSON.stringify([jobName, scheduleName]);

export function missedFiresMessage(due: DueFire): string | undefined {
  if (due.missed === 0) return undefined;
  const count = due.missedAtLeast ? `At least ${due.missed}` : String(due.missed);
  const noun = due.missed === 1 && !due.missedAtLeast ? 'earlier fire time was' : 'earlier fire times were';
  return `${count} ${noun} missed while the scheduler was not running; ran once.`;
}

function count(report: SchedulerTickReport, outcome: FireOutcome): void {
  if (outcome.status === 'started' && outcome.executionId) report.started.push(outcome.executionId);
  else if (outcome.status === 'skipped') report.skipped++;
  else if (outcome.status === 'queued') report.queued++;
  else if (outcome.status === 'failed') report.failed++;
  else if (outcome.status === 'claimed') report.errors++;
}

export async function runSchedulerTick(services: Services, options: SchedulerTickOptions): Promise<SchedulerTickReport> {
  const report: SchedulerTickReport = { started: [], skipped: 0, queued: 0, failed: 0, lostClaims: 0, errors: 0 };
  const triggers = await triggerStore(services.control).listLive();
  await startWaitingFires(services, triggers, options, report);
  for (const trigger of triggers) {
    try {
      await fireIfDue(services, trigger, options, report);
    } catch (error) {
      report.errors++;
      services.logger.error('Scheduler could not handle a trigger', {
        jobName: trigger.jobName,
        scheduleName: trigger.scheduleName,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  if (report.started.length || report.skipped || report.queued || report.failed || report.errors) {
    services.logger.info('Scheduler tick', {
      started: report.started.length,
      skipped: report.skipped,
      queued: report.queued,
      failed: report.failed,
      lostClaims: report.lostClaims,
      errors: report.errors,
    });
  }
  return report;
}

/**
 * The earliest time the trigger may fire for: after its latest claimed fire, and never before it
 * was created (fire rows outlive a deleted trigger: one created again starts from its own
 * creation) nor before its job was last enabled (fires missed while disabled are not caught up).
 */
export function earliestFireTime(trigger: TriggerState): Date {
  const after = (iso: string | null, plus = 0) => (iso === null ? -Infinity : Date.parse(iso) + plus);
  return new Date(Math.max(Date.parse(trigger.createdAt), after(trigger.lastFireTime, 1), after(trigger.jobEnabledAt)));
}

async function fireIfDue(services: Services, trigger: TriggerState, options: SchedulerTickOptions, report: SchedulerTickReport): Promise<void> {
  if (!trigger.jobEnabled) return;
  const due = dueFireTime(trigger.schedule, { notBefore: earliestFireTime(trigger), now: options.now });
  if (!due) return;
  const key = { jobName: trigger.jobName, scheduleName: trigger.scheduleName, fireTime: isoTimestamp(due.fireTime) };
  if (!(await triggerFireStore(services.control).claim(key, isoTimestamp(options.now)))) {
    report.lostClaims++;
    return;
  }
  count(report, await runClaimedFire(services, { ...key, overlap: trigger.overlap, message: missedFiresMessage(due) }, options.invocation));
}

async function startWaitingFires(services: Services, triggers: TriggerState[], options: SchedulerTickOptions, report: SchedulerTickReport): Promise<void> {
  const fires = triggerFireStore(services.control);
  const now = isoTimestamp(options.now);
  const waiting = await fires.pending(isoTimestamp(new Date(options.now.getTime() - STRANDED_AFTER_MS)));
  if (!waiting.length) return;
  const live = new Map(triggers.map((t) => [triggerKey(t.jobName, t.scheduleName), t]));
  const startedJobs = new Set<string>();
  for (const fire of waiting) {
    if (startedJobs.has(fire.jobName)) continue;
    try {
      const trigger = live.get(triggerKey(fire.jobName, fire.scheduleName));
      const outcome = await startWaitingFire(services, fire, trigger, now, options.invocation);
      if (!outcome) continue;
      count(report, outcome);
      if (outcome.status === 'started') startedJobs.add(fire.jobName);
    } catch (error) {
      report.errors++;
      services.logger.error('Scheduler could not start a waiting fire', {
        jobName: fire.jobName,
        scheduleName: fire.scheduleName,
        fireTime: fire.fireTime,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}

/** Undefined when the fire keeps waiting or another tick took it. */
async function startWaitingFire(services: Services, fire: FireRecord, trigger: TriggerState | undefined, now: string, invocation?: InvocationContext): Promise<FireOutcome | undefined> {
  const fires = triggerFireStore(services.control);
  if (!trigger) {
    if (!(await fires.retake(fire, now))) return undefined;
    const message = 'The trigger was deleted, or its job marked for deletion, before this fire time could start.';
    await fires.settle(fire, { status: 'failed', message });
    return { status: 'failed', executionId: null, message };
  }
  if (fire.status === 'queued') {
    if (!trigger.jobEnabled) {
      // Starting it once the job is enabled again would catch up a fire time of the disabled time.
      if (!(await fires.retake(fire, now))) return undefined;
      const message = `Fire time ${fire.fireTime} waited in the queue, and the job was disabled before it could start.`;
      await fires.settle(fire, { status: 'failed', message });
      return { status: 'failed', executionId: null, message };
    }
    if ((await executionStore(services.control).activeExecutionsOfJob(fire.jobName)).length) return undefined;
    if (!(await fires.retake(fire, now))) return undefined;
    return startFire(services, fire, `Fire time ${fire.fireTime} waited in the queue until the job's previous execution ended (overlap policy: queue).`, invocation);
  }
  // A claim whose tick died before it settled it: run it as that tick would have (the job was
  // enabled when the fire was claimed, even if it has been disabled since; its execution may exist).
  if (!(await fires.retake(fire, now))) return undefined;
  return runClaimedFire(services, { jobName: fire.jobName, scheduleName: fire.scheduleName, fireTime: fire.fireTime, overlap: trigger.overlap }, invocation);
}
