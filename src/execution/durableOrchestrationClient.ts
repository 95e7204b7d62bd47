/**
 * The orchestration client in Azure: the Durable Functions client of the current invocation
 * (its durableClient input binding). The job orchestration's instance id is the execution id.
 */
import type { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { CANCEL_EVENT, ORCHESTRATORS, type JobOrchestratorInput } from './contracts';
import type { OrchestrationClient } from './orchestrationClient';

/** Events raised at once, at most, when an execution with many children is cancelled. */
const RAISE_CONCURRENCY = 16;
const ACTIVE = new Set<string>([df.OrchestrationRuntimeStatus.Running, df.OrchestrationRuntimeStatus.Pending, df.OrchestrationRuntimeStatus.ContinuedAsNew]);

export function createDurableOrchestrationClient(invocation?: InvocationContext): OrchestrationClient {
  if (!invocation) throw new Error('The Durable Functions client needs the current invocation (a function with the durableClient input).');
  const client = df.getClient(invocation);

  async function isActive(instanceId: string): Promise<boolean> {
    try {
      return ACTIVE.has((await client.getStatus(instanceId)).runtimeStatus);
    } catch {
      return false;
    }
  }

  return {
    async startJobExecution(executionId) {
      try {
        await client.startNew(ORCHESTRATORS.job, { instanceId: executionId, input: { executionId } satisfies JobOrchestratorInput });
      } catch (e) {
        // Started already (a retried request): the running orchestration is the one we want.
        if (await isActive(executionId)) return;
        throw e;
      }
    },
    async raiseCancel(instanceIds) {
      let next = 0;
      const worker = async () => {
        while (next < instanceIds.length) {
          const id = instanceIds[next++];
          try {
            // 410 (not running) resolves; 404 (never started, or purged) rejects: both mean nothing to cancel.
            await client.raiseEvent(id, CANCEL_EVENT, null);
          } catch (e) {
            if (!(e instanceof Error && e.message.startsWith('No instance with ID'))) throw e;
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(RAISE_CONCURRENCY, instanceIds.length) }, worker));
    },
  };
}
