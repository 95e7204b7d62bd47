/**
 * markJobExecution: sets a lifecycle (and message) on a job execution; never moves a terminal
 * one, so it is safe to run twice or late. Returns the lifecycle the execution has afterwards: a
 * target orchestration learns that its child already ended (cancelled or timed out while queued).
 */
import { executionStore } from '../../control/stores/executionStore';
import { isoTimestamp } from '../../domain/clock';
import type { Services } from '../../services';
import type { MarkInput, MarkOutput } from '../contracts';

export function markJobExecutionActivity(services: Services) {
  return async function markJobExecution(input: MarkInput): Promise<MarkOutput> {
    const executions = executionStore(services.control);
    const moved = await executions.mark(input.executionId, input.lifecycle, input.message, isoTimestamp(services.clock.now()));
    if (moved) return { lifecycle: input.lifecycle };
    return { lifecycle: (await executions.get(input.executionId)).lifecycle };
  };
}
