/**
 * Replay work of the real orchestrators through the replay host (the Durable replay path), with
 * activities that touch no database, so only orchestration is measured: events the executor
 * replays, per target, by orchestrator. Durable replays an orchestrator's whole history at every
 * episode; the lanes must keep this flat as N grows.
 *
 * The fake runLane takes up to TARGETS_PER_SLOT_PER_CALL children per slot per call from a
 * shared count, as a real call does in its 30 s budget with targets of about 0.6 s; a lane with
 * targets of minutes runs fewer per call, and continue-as-new bounds its history either way
 * (docs/engine.md gives the worst case).
 */
import { ACTIVITIES, ORCHESTRATORS, type ExpandOutput, type RunLaneInput, type RunLaneOutput } from '../src/execution/contracts';
import { planLanes } from '../src/domain/lanePlan';
import { orchestrators } from '../src/execution/orchestrators';
import { realHostClock } from '../src/execution/replay/hostClock';
import { ReplayHost } from '../src/execution/replay/replayHost';

export const TARGETS_PER_SLOT_PER_CALL = 50;

export interface ReplayWork {
  n: number;
  episodes: number;
  eventsReplayed: number;
  eventsPerTarget: number;
  byOrchestrator: { job: number; lane: number };
  generations: number;
  elapsedMs: number;
}

export async function measureReplayWork(n: number, maxParallelism: number, targetsPerSlotPerCall = TARGETS_PER_SLOT_PER_CALL): Promise<ReplayWork> {
  let remaining = n;
  const host = new ReplayHost({
    orchestrators,
    clock: realHostClock,
    activities: {
      [ACTIVITIES.expandJobExecution]: async (): Promise<ExpandOutput> => ({
        alreadyTerminal: false,
        lanes: planLanes(n, maxParallelism),
        policy: { maximumAttempts: 3, initialRetryIntervalMs: 100, maximumRetryIntervalMs: 1_800_000, retryIntervalBackoffCoefficient: 2, taskTimeoutMs: null },
        deadline: new Date(Date.now() + 3_600_000).toISOString(),
        cancelRequested: false,
      }),
      [ACTIVITIES.runLane]: async (input: RunLaneInput): Promise<RunLaneOutput> => {
        const taken = Math.min(remaining, input.slots * targetsPerSlotPerCall);
        remaining -= taken;
        return { attempts: taken, more: remaining > 0, nextNotBefore: remaining > 0 ? new Date().toISOString() : null };
      },
      [ACTIVITIES.completeJobExecution]: async () => ({ lifecycle: 'Succeeded' }),
    },
  });
  const started = performance.now();
  host.startNew(ORCHESTRATORS.job, 'bench-job', { executionId: 'bench-job' });
  const status = await host.waitForCompletion('bench-job');
  const elapsedMs = performance.now() - started;
  await host.close();
  if (status?.runtimeStatus !== 'Completed') throw new Error(`The replay benchmark's job orchestration ended ${status?.runtimeStatus}: ${status?.error ?? ''}`);
  const stats = host.stats();
  const per = (name: string) => (stats.byOrchestrator[name]?.eventsReplayed ?? 0) / n;
  return {
    n,
    episodes: stats.episodes,
    eventsReplayed: stats.eventsReplayed,
    eventsPerTarget: stats.eventsReplayed / n,
    byOrchestrator: { job: per(ORCHESTRATORS.job), lane: per(ORCHESTRATORS.lane) },
    generations: stats.generations,
    elapsedMs,
  };
}
