/**
 * The job orchestrations in Azure: the three orchestrators (durable-functions generators that the
 * Durable extension drives) and the four activities, each handing over to the activity built by
 * createActivities from this process's services, created once on first use. Attempts stop with
 * the worker (src/azure/workerStop.ts, hooked in lifecycle.ts).
 */
import * as df from 'durable-functions';
import { azureServices } from '../src/azure/services';
import { workerActivities } from '../src/azure/workerStop';
import type { Activities } from '../src/execution/activities';
import { ACTIVITIES, ORCHESTRATORS } from '../src/execution/contracts';
import { batchOrchestrator, jobOrchestrator, targetOrchestrator } from '../src/execution/orchestrators';

df.app.orchestration(ORCHESTRATORS.job, jobOrchestrator);
df.app.orchestration(ORCHESTRATORS.batch, batchOrchestrator);
df.app.orchestration(ORCHESTRATORS.target, targetOrchestrator);

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
df.app.activity(ACTIVITIES.runTaskAttempt, { handler: async (input) => (await activities()).runTaskAttempt(input) });
df.app.activity(ACTIVITIES.markJobExecution, { handler: async (input) => (await activities()).markJobExecution(input) });
df.app.activity(ACTIVITIES.completeJobExecution, { handler: async (input) => (await activities()).completeJobExecution(input) });
