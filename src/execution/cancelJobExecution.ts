/**
 * Cancelling an execution: the flag goes into the control database first (on the execution and
 * every child of it not yet terminal, in one transaction), then `cancel` is raised to each of
 * those orchestration instances. A JS orchestrator cannot send events to its children, so the
 * client side does it; a running attempt sees the flag itself and cancels its statement. A
 * child canceled alone cancels only that child. Nothing is marked Canceled here: each child ends
 * Canceled once its attempt has stopped its statement, the parent once every child has ended;
 * until then the execution keeps its running lifecycle with cancelRequested true.
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
  const { execution, instanceIds } = await executions.requestCancel(executionId, isoTimestamp(services.clock.now()));
  if (isTerminal(execution.lifecycle)) {
    throw new ConflictError(`Job execution ${execution.id} already ended ${execution.lifecycle}; there is nothing to cancel.`);
  }
  if (instanceIds.length > 0) {
    await services.orchestrations(invocation).raiseCancel(instanceIds);
    services.logger.child({ executionId: execution.id, jobName: execution.jobName }).info('Job execution cancel requested', { instances: instanceIds.length });
  }
  return executions.view(execution.id);
}
