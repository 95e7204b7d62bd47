/**
 * Cancelling an execution: the flag goes into the control database first (on the execution and
 * every child of it not yet terminal, in one transaction), then `cancel` is raised to each of
 * those orchestration instances. A JS orchestrator cannot send events to its children, so the
 * client side does it; a running attempt sees the flag itself and cancels its statement. A
 * child cancelled alone cancels only that child. A terminal execution is returned unchanged.
 */
import type { InvocationContext } from '@azure/functions';
import { executionStore } from '../control/stores/executionStore';
import { isoTimestamp } from '../domain/clock';
import type { JobExecution } from '../domain/schemas/execution';
import type { Services } from '../services';

export async function cancelJobExecution(services: Services, executionId: string, invocation?: InvocationContext): Promise<JobExecution> {
  const executions = executionStore(services.control);
  const { execution, instanceIds } = await executions.requestCancel(executionId, isoTimestamp(services.clock.now()));
  if (instanceIds.length > 0) {
    await services.orchestrations(invocation).raiseCancel(instanceIds);
    services.logger.child({ executionId: execution.id, jobName: execution.jobName }).info('Job execution cancel requested', { instances: instanceIds.length });
  }
  return executions.view(execution.id);
}
