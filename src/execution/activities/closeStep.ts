/**
 * closeStep: once a step's lanes ended (every child of it terminal), whether the next step runs.
 * A step with a child Failed or TimedOut stops the job when its onFailure is `stopJob` (the
 * default): the later steps never expand, and the parent rolls up Failed. With `continue` the
 * next step runs, and the parent still ends Failed at the end (the roll-up sees the failure).
 */
import { executionStepStore } from '../../control/stores/executionStepStore';
import { executionStore } from '../../control/stores/executionStore';
import type { Services } from '../../services';
import type { CloseStepInput, CloseStepOutput } from '../contracts';

export function closeStepActivity(services: Services) {
  return async function closeStep(input: CloseStepInput): Promise<CloseStepOutput> {
    const executions = executionStore(services.control);
    const step = (await executionStepStore(services.control).list(input.executionId)).find((s) => s.stepIndex === input.stepIndex);
    const counts = await executions.childCounts(input.executionId, input.stepIndex);
    const failed = (counts.Failed ?? 0) + (counts.TimedOut ?? 0);
    const next = failed === 0 || step?.onFailure === 'continue';
    services.logger
      .child({ executionId: input.executionId, step: input.stepIndex })
      .info('Step ended', { failed, onFailure: step?.onFailure ?? 'stopJob', next });
    return { next };
  };
}
