/** markJobExecution: sets a lifecycle (and message) on a job execution; never moves a terminal one, so it is safe to run twice or late. */
import { executionStore } from '../../control/stores/executionStore';
import { isoTimestamp } from '../../domain/clock';
import type { Services } from '../../services';
import type { MarkInput } from '../contracts';

export function markJobExecutionActivity(services: Services) {
  return async function markJobExecution(input: MarkInput): Promise<void> {
    await executionStore(services.control).mark(input.executionId, input.lifecycle, input.message, isoTimestamp(services.clock.now()));
  };
}
