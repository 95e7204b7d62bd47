/**
 * The job orchestrations in Azure: the two orchestrators (durable-functions generators that the
 * Durable extension drives) and the five activities, each handing over to the activity built by
 * createActivities from this process's services, created once on first use. Attempts stop with
 * the worker (src/azure/workerStop.ts, hooked in lifecycle.ts).
 */
import * as df from 'durable-functions';
import { azureServices } from '../src/azure/services';
import { workerActivities } from '../src/azure/workerStop';
import type { Activities } from '../src/execution/activities';
import { ACTIVITIES, ORCHESTRATORS } from '../src/execution/contracts';
import { jobOrchestrator, laneOrchestrator } from '../src/execution/orchestrators';

df.app.orchestration(ORCHESTRATORS.job, jobOrchestrator);
df.app.orchestration(ORCHESTRATORS.lane, laneOrchestrator);

let built: Promise<Activities> | undefined;
export function activities(): Promise<Activities> {
  built ??= azureServices()
    .then((services) => workerActivities(services))
    .catch((e: unknown) => {
      built = undefined;
      throw e;
    });
  return built;
}

df.app.activity(ACTIVITIES.expandJobExecution, { handler: async (input) => (await activities()).expandJobExecution(input) });
df.app.activity(ACTIVITIES.runLane, { handler: async (input) => (await activities()).runLane(input) });
df.app.activity(ACTIVITIES.closeCanaryWave, { handler: async (input) => (await activities()).closeCanaryWave(input) });
df.app.activity(ACTIVITIES.closeStep, { handler: async (input) => (await activities()).closeStep(input) });
df.app.activity(ACTIVITIES.completeJobExecution, { handler: async (input) => (await activities()).completeJobExecution(input) });
