/**
 * closeCanaryWave: once the lanes of a canary wave ended, judges it. Every canary database
 * Succeeded: the databases held back are queued now, and the lanes to run them planned. Any
 * other end (Failed, TimedOut, Canceled, Skipped, or a refused server): they end Skipped with
 * "not started: canary database X failed", naming the first such canary, and no lane runs
 * (the parent rolls up Failed). Idempotent: a wave already released or skipped moves no more.
 */
import { executionStepStore } from '../../control/stores/executionStepStore';
import { executionStore } from '../../control/stores/executionStore';
import { isoTimestamp } from '../../domain/clock';
import { planLanes } from '../../domain/lanePlan';
import { CANARY_WAVE, MAIN_WAVE } from '../../domain/safetyRails';
import type { Services } from '../../services';
import type { CloseCanaryInput, CloseCanaryOutput } from '../contracts';

export function closeCanaryWaveActivity(services: Services) {
  return async function closeCanaryWave(input: CloseCanaryInput): Promise<CloseCanaryOutput> {
    const executions = executionStore(services.control);
    const now = isoTimestamp(services.clock.now());
    const parent = await executions.get(input.executionId);
    const log = services.logger.child({ executionId: parent.id, jobName: parent.jobName });
    const step = input.stepIndex ?? 1;
    const canary = await executions.waveChildren(parent.id, CANARY_WAVE, step);
    const failed = canary.find((c) => c.lifecycle !== 'Succeeded');
    if (failed || parent.cancelRequested) {
      const why = failed ? `not started: canary database ${failed.serverName}/${failed.databaseName} failed` : 'not started: the execution was canceled during its canary';
      const skipped = await executions.releaseWave(parent.id, MAIN_WAVE, now, why, step);
      log.warn('Canary wave did not succeed; the other databases are skipped', { skipped, canary: failed ? `${failed.serverName}/${failed.databaseName}` : null });
      return { lanes: [] };
    }
    const released = await executions.releaseWave(parent.id, MAIN_WAVE, now, undefined, step);
    const { open } = await executions.openChildren(parent.id, step);
    const snapshot = (await executionStepStore(services.control).list(parent.id)).find((s) => s.stepIndex === step);
    const lanes = planLanes(open, snapshot?.maxParallelism ?? parent.maxParallelism ?? services.config.defaultMaxParallelism);
    await executions.setLanes(parent.id, Math.max(lanes.length, parent.lanes ?? 0), now, step);
    log.info('Canary wave succeeded; the other databases are queued', { canary: canary.length, released });
    return { lanes };
  };
}
