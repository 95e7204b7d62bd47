/**
 * Canceling an execution: the control database first, in one transaction (children still
 * queued end Canceled at once, since nothing of theirs runs; the execution and its running
 * children are flagged), then `cancel` is raised to the job orchestration and its lanes (a JS
 * orchestrator cannot send events to its children, so the client side does it), which wakes a
 * lane asleep until a retry. A running attempt sees the flag itself and cancels its statement;
 * its child ends Canceled once that statement stopped, the parent once nothing runs; until then
 * they keep their running lifecycle with cancelRequested true. A child canceled alone cancels
 * only that child.
 *
 * Throws NotFoundError for an unknown execution and ConflictError (409) for one that already
 * ended: there is nothing to cancel, and answering 202 would claim otherwise.
 */
import type { InvocationContext } from '@azure/functions';
import { executionStore } from '../control/stores/executionStore';
import { isoTimestamp } from '../domain/clock';
import { ConflictError } from '../domain/errors';
import { isTerminal } from '../domain/lifecycle';
import type { JobExecution } from '../domain/schemas/execution';
import type { Services } from '../services';

export async function cancelJobExecution(services: Services, executionId: string, invocation?: InvocationContext): Promise<JobExecution> {
  const executions = executionStore(services.control);
  const { execution, instanceIds, alreadyEnded } = await executions.requestCancel(executionId, isoTimestamp(services.clock.now()));
  if (alreadyEnded) {
    throw new ConflictError(`Job execution ${execution.id} already ended ${execution.lifecycle}; there is nothing to cancel.`);
  }
  if (instanceIds.length > 0) {
    await services.orchestrations(invocation).raiseCancel(instanceIds);
    services.logger.child({ executionId: execution.id, jobName: execution.jobName }).info('Job execution cancel requested', { instances: instanceIds.length });
  }
  return executions.view(execution.id);
}
