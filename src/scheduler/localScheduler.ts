/**
 * The scheduler of the local host: the same tick and housekeeping as the Azure timers, run in
 * process. Passes never overlap (the next is set up when one ends), and `stop` waits for the
 * pass under way, so the host can close the control database right after.
 */
import { startRepeatingPass } from '../repeatingPass';
import type { Services } from '../services';
import { runHousekeeping } from './housekeeping';
import { runSchedulerTick } from './schedulerTick';

export interface LocalSchedulerOptions {
  /** Between scheduler ticks. */
  intervalMs?: number;
  /** Between housekeeping passes (by the services clock). */
  housekeepingIntervalMs?: number;
}

export interface LocalScheduler {
  stop(): Promise<void>;
}

export function startLocalScheduler(services: Services, { intervalMs = 15_000, housekeepingIntervalMs = 5 * 60_000 }: LocalSchedulerOptions = {}): LocalScheduler {
  let lastHousekeeping = -Infinity;
  const report = (what: string) => (error: unknown) => services.logger.error(`Local ${what} failed`, { error: error instanceof Error ? error.message : String(error) });

  async function runPass(): Promise<void> {
    const now = services.clock.now();
    await runSchedulerTick(services, { now }).catch(report('scheduler tick'));
    if (now.getTime() - lastHousekeeping >= housekeepingIntervalMs) {
      lastHousekeeping = now.getTime();
      await runHousekeeping(services, { now }).catch(report('housekeeping'));
    }
  }

  return startRepeatingPass(runPass, intervalMs);
}
