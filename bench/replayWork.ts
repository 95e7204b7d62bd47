/**
 * Replay work of the real orchestrators through the replay host (the Durable replay path), with
 * activities that do nothing, so only orchestration is measured: events the executor replays,
 * per target, by orchestrator. Durable replays an orchestrator's whole history at every
 * episode; the tree fan-out must keep this flat as N grows.
 */
import { ACTIVITIES, ORCHESTRATORS, type ExpandOutput, type RunTaskOutput } from '../src/execution/contracts';
import { orchestrators } from '../src/execution/orchestrators';
import { realHostClock } from '../src/execution/replay/hostClock';
import { ReplayHost } from '../src/execution/replay/replayHost';

export interface ReplayWork {
  n: number;
  episodes: number;
  eventsReplayed: number;
  eventsPerTarget: number;
  byOrchestrator: { job: number; batch: number; target: number };
  elapsedMs: number;
}

export async function measureReplayWork(n: number, maxParallelism: number): Promise<ReplayWork> {
  const children = Array.from({ length: n }, (_, i) => ({ executionId: `child-${i}`, lifecycle: 'Created' as const, attemptsMade: 0 }));
  const succeeded: RunTaskOutput = { lifecycle: 'Succeeded', retryable: false, message: null };
  const host = new ReplayHost({
    orchestrators,
    clock: realHostClock,
    activities: {
      [ACTIVITIES.expandJobExecution]: async (): Promise<ExpandOutput> => ({
        alreadyTerminal: false,
        children,
        policy: { maximumAttempts: 3, initialRetryIntervalMs: 100, maximumRetryIntervalMs: 1_800_000, retryIntervalBackoffCoefficient: 2, taskTimeoutMs: null },
        maxParallelism,
        deadline: new Date(Date.now() + 3_600_000).toISOString(),
        cancelRequested: false,
      }),
      [ACTIVITIES.runTaskAttempt]: async () => succeeded,
      [ACTIVITIES.markJobExecution]: async (input: { lifecycle: string }) => ({ lifecycle: input.lifecycle }),
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
    byOrchestrator: { job: per(ORCHESTRATORS.job), batch: per(ORCHESTRATORS.batch), target: per(ORCHESTRATORS.target) },
    elapsedMs,
  };
}
