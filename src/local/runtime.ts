/**
 * The local host's orchestration runtime: the replay host on the real clock, driving the same
 * orchestrators as Azure, with the activities built from this process's services. The control
 * database stays the source of truth: after a restart, resumeUnfinished() starts the job
 * orchestration of every parent not yet terminal again, with a fresh history (the activities are
 * idempotent and the children wait in the control database's work queue, so nothing runs twice
 * that already has an outcome; an attempt the stopped process left claimed is settled as
 * interrupted and retried under a new attempt number).
 */
import type { InvocationContext } from '@azure/functions';
import { executionStore } from '../control/stores/executionStore';
import { createActivities, type Activities } from '../execution/activities';
import { createHostStop } from '../execution/hostStop';
import { ACTIVITIES, CANCEL_EVENT, ORCHESTRATORS, type JobOrchestratorInput } from '../execution/contracts';
import type { OrchestrationClient } from '../execution/orchestrationClient';
import { orchestrators } from '../execution/orchestrators';
import { realHostClock, type HostClock } from '../execution/replay/hostClock';
import { ReplayHost, type ActivityFunction } from '../execution/replay/replayHost';
import { createServices, type ServiceOverrides, type Services } from '../services';
import type { Config } from '../config';

export interface LocalRuntimeOptions {
  /** Activities running at once, at most (attempts hold a target connection each). */
  maxConcurrentActivities?: number;
  clock?: HostClock;
  /** The activities; by default createActivities(services). */
  activities?: Activities;
}

export interface LocalRuntime {
  orchestrations: (invocation?: InvocationContext) => OrchestrationClient;
  /** Starts the job orchestration of every parent execution not terminal in the control database; returns how many. */
  resumeUnfinished(): Promise<number>;
  /** Resolves when no orchestration runs and no activity is in flight. */
  idle(): Promise<void>;
  /**
   * Graceful stop: starts nothing more, stops the running attempts (statements cancelled on
   * their servers, attempts recorded as interrupted) and waits up to `waitMs` (8 s) for them.
   */
  close(waitMs?: number): Promise<void>;
  /** The replay host, for its statistics. */
  host: ReplayHost;
}

export const DEFAULT_LOCAL_ACTIVITIES = 1_000;

/** How long a stopping host waits for its attempts to cancel and record themselves: under main.ts's 10 s bound. */
const STOP_WAIT_MS = 8_000;

export function createLocalRuntime(services: Services, options: LocalRuntimeOptions = {}): LocalRuntime {
  let built: Activities | undefined;
  // Stopped at close: running attempts cancel their statements and record themselves interrupted (the same stop a Functions worker has, src/azure/workerStop.ts).
  const hostStop = createHostStop();
  // Built on first use: createServices hands this runtime the services before it returns them.
  const activities = () => (built ??= options.activities ?? createActivities(services, { hostStopping: hostStop.signal }));
  const byName: Record<string, ActivityFunction> = {
    [ACTIVITIES.expandJobExecution]: (input) => activities().expandJobExecution(input),
    [ACTIVITIES.runLane]: (input) => activities().runLane(input),
    [ACTIVITIES.closeCanaryWave]: (input) => activities().closeCanaryWave(input),
    [ACTIVITIES.closeStep]: (input) => activities().closeStep(input),
    [ACTIVITIES.completeJobExecution]: (input) => activities().completeJobExecution(input),
  };
  const host = new ReplayHost({
    orchestrators,
    activities: byName,
    clock: options.clock ?? realHostClock,
    maxConcurrentActivities: options.maxConcurrentActivities ?? DEFAULT_LOCAL_ACTIVITIES,
    forgetFinished: true,
    logger: services.logger,
  });

  const startJob = (executionId: string): boolean => {
    if (host.isRunning(executionId)) return false;
    host.startNew(ORCHESTRATORS.job, executionId, { executionId } satisfies JobOrchestratorInput);
    return true;
  };

  const client: OrchestrationClient = {
    async startJobExecution(executionId) {
      startJob(executionId);
    },
    async raiseCancel(instanceIds) {
      for (const id of instanceIds) host.raiseEvent(id, CANCEL_EVENT);
    },
  };

  return {
    orchestrations: () => client,
    async resumeUnfinished() {
      const parents = await executionStore(services.control).listUnfinishedParents();
      let started = 0;
      for (const parent of parents) if (startJob(parent.id)) started++;
      if (started > 0) services.logger.info('Resumed unfinished job executions', { count: started });
      return started;
    },
    idle: () => host.idle(),
    async close(waitMs = STOP_WAIT_MS) {
      // The replay host closes first (it starts no episode or activity from here on, so no new
      // attempt), then every running attempt is told the host stops: it cancels its statement on
      // the server and records itself Failed, its child left open for the next start to retry.
      // The replay host's close is what waits for them here: it counts every activity in flight.
      const closing = host.close(waitMs);
      hostStop.stop();
      await closing;
    },
    host,
  };
}

/**
 * The services of a local process with this runtime as their orchestrations; closing the
 * services closes the runtime first, so no activity runs on a closed control database.
 */
export async function createLocalServices(config: Config, overrides: ServiceOverrides = {}, options: LocalRuntimeOptions = {}): Promise<{ services: Services; runtime: LocalRuntime }> {
  let runtime: LocalRuntime | undefined;
  const services = await createServices(config, {
    ...overrides,
    orchestrations: (s) => {
      runtime = createLocalRuntime(s, options);
      return runtime.orchestrations;
    },
  });
  const closeServices = services.close;
  services.close = async () => {
    await runtime!.close();
    await closeServices();
  };
  return { services, runtime: runtime! };
}
