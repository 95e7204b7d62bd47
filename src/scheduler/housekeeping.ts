/**
 * Housekeeping, every few minutes: jobs marked for deletion go once nothing of theirs runs
 * (executions, task executions and fire rows in bounded batches, then triggers and the job row),
 * and history past its retention (config.historyRetention, P45D by default) is purged, the
 * notification outbox with it. Webhooks of ended executions that were never queued are queued
 * (sweepUnqueuedNotifications). Every pass does a bounded amount of work; what is left waits for
 * the next one.
 */
import { executionStore } from '../control/stores/executionStore';
import { historyStore, PARENT_BATCH } from '../control/stores/historyStore';
import { jobStore } from '../control/stores/jobStore';
import { notificationStore } from '../control/stores/notificationStore';
import { triggerFireStore } from '../control/stores/triggerFireStore';
import { isoTimestamp } from '../domain/clock';
import { durationMs } from '../domain/duration';
import { sweepUnqueuedNotifications } from '../notifications/sweepUnqueuedNotifications';
import type { Services } from '../services';

/** Marked jobs looked at per pass, and batches of history removed per pass. */
const JOBS_PER_PASS = 100;
const BATCHES_PER_PASS = 20;

export interface HousekeepingOptions {
  now: Date;
}

export interface HousekeepingReport {
  /** Jobs removed with their whole history. */
  removedJobs: string[];
  /** Top-level executions purged because they were older than the retention. */
  purgedExecutions: number;
  purgedFires: number;
  purgedNotifications: number;
  /** Webhooks of ended executions queued by the sweep. */
  sweptNotifications: number;
}

export async function runHousekeeping(services: Services, options: HousekeepingOptions): Promise<HousekeepingReport> {
  const report: HousekeepingReport = { removedJobs: [], purgedExecutions: 0, purgedFires: 0, purgedNotifications: 0, sweptNotifications: 0 };
  for (const name of await jobStore(services.control).namesMarkedForDeletion(JOBS_PER_PASS)) {
    try {
      if (await removeDeletedJob(services, name)) report.removedJobs.push(name);
    } catch (error) {
      services.logger.error('Housekeeping could not remove a deleted job', { jobName: name, error: error instanceof Error ? error.message : String(error) });
    }
  }
  const cutoff = isoTimestamp(new Date(options.now.getTime() - durationMs(services.config.historyRetention)));
  report.purgedExecutions = await purgeEndedExecutions(services, cutoff, { maxBatches: BATCHES_PER_PASS });
  const fires = triggerFireStore(services.control);
  for (let batch = 0; batch < BATCHES_PER_PASS; batch++) {
    const n = await fires.purgeBatchOlderThan(cutoff);
    report.purgedFires += n;
    if (n === 0) break;
  }
  const outbox = notificationStore(services.control);
  for (let batch = 0; batch < BATCHES_PER_PASS; batch++) {
    const n = await outbox.purgeBatchOlderThan(cutoff);
    report.purgedNotifications += n;
    if (n === 0) break;
  }
  report.sweptNotifications = await sweepUnqueuedNotifications(services, { now: options.now }).catch((error: unknown) => {
    services.logger.error('Housekeeping could not sweep for unqueued webhooks', { error: error instanceof Error ? error.message : String(error) });
    return 0;
  });
  if (report.removedJobs.length || report.purgedExecutions || report.purgedFires || report.purgedNotifications) {
    services.logger.info('Housekeeping', {
      removedJobs: report.removedJobs.join(', '),
      purgedExecutions: report.purgedExecutions,
      purgedFires: report.purgedFires,
      purgedNotifications: report.purgedNotifications,
      cutoff,
    });
  }
  return report;
}

/**
 * Removes a marked job and all its history; false while an execution of it is active (it waits
 * for the next pass). Also called by `DELETE /jobs/{name}`, so a job with nothing running is gone
 * when the answer is sent.
 */
export async function removeDeletedJob(services: Services, jobName: string): Promise<boolean> {
  if ((await executionStore(services.control).activeExecutionsOfJob(jobName)).length) return false;
  const history = historyStore(services.control);
  for (;;) {
    const parents = await history.parentsOfJob(jobName, PARENT_BATCH);
    if (!parents.length) break;
    if ((await history.removeExecutions(parents)).parents === 0) break;
  }
  const fires = triggerFireStore(services.control);
  while ((await fires.removeBatchOfJob(jobName)) > 0);
  return history.removeMarkedJob(jobName);
}

/**
 * Purges top-level executions that ended before `cutoff` (their children and task executions
 * first), a batch at a time; never an active one. Returns how many top-level executions went.
 */
export async function purgeEndedExecutions(services: Services, cutoff: string, options: { jobName?: string; maxBatches?: number } = {}): Promise<number> {
  const history = historyStore(services.control);
  let purged = 0;
  for (let batch = 0; batch < (options.maxBatches ?? Infinity); batch++) {
    const parents = await history.endedParentsBefore(cutoff, PARENT_BATCH, options.jobName);
    if (!parents.length) break;
    const removed = await history.removeExecutions(parents);
    purged += removed.parents;
    if (removed.parents === 0) break;
  }
  return purged;
}
