/**
 * completeJobExecution: ends the parent, called once nothing of it runs any more (the job
 * orchestrator waited for every lane it started: terminal means stopped). A claim still open
 * (a lane whose activity failed for good) is settled from its record first. On a job timeout or
 * a cancel every child not yet terminal (never started, or waiting for a retry) ends that way;
 * otherwise the parent's lifecycle is the roll-up of its children's. Idempotent: a parent
 * already terminal is returned as it is.
 */
import { executionStore } from '../../control/stores/executionStore';
import { taskStore } from '../../control/stores/taskStore';
import { settleClaim } from '../settleClaim';
import { retryPolicyOf } from './expandJobExecution';
import { isoTimestamp } from '../../domain/clock';
import { isTerminal, rollUp, summarize } from '../../domain/lifecycle';
import { queueEndedExecutionNotification } from '../../notifications/queueEndedExecutionNotification';
import type { Services } from '../../services';
import type { CompleteInput, CompleteOutput } from '../contracts';

const REASON_MESSAGE = {
  TimedOut: 'The job timed out before this database finished.',
  Canceled: 'The execution was canceled.',
} as const;

export function completeJobExecutionActivity(services: Services) {
  return async function completeJobExecution(input: CompleteInput): Promise<CompleteOutput> {
    const executions = executionStore(services.control);
    const now = () => isoTimestamp(services.clock.now());
    const parent = await executions.get(input.executionId);
    if (isTerminal(parent.lifecycle)) {
      // A run that ended the parent and died before it queued the notification: queue it now (idempotent).
      await queueEndedExecutionNotification(services, parent.id);
      return { lifecycle: parent.lifecycle };
    }
    const tasks = taskStore(services.control);
    for (const claimed of await executions.claimedChildren(parent.id)) {
      await settleClaim({ executions, tasks }, claimed, retryPolicyOf(parent.executionPolicy), services.clock.now());
    }

    if (input.reason) await executions.endOpenChildren(parent.id, input.reason, REASON_MESSAGE[input.reason], now());
    else await executions.endOpenChildren(parent.id, 'Failed', 'The job ended before this database got an outcome.', now());

    const counts = await executions.childCounts(parent.id);
    const lifecycle = input.reason ?? rollUp(counts);
    const summary = summarize(counts);
    const message = input.reason === 'TimedOut' ? `Timed out: ${summary}` : input.reason === 'Canceled' ? `Canceled: ${summary}` : summary;
    await executions.mark(parent.id, lifecycle, message, now());
    const ended = await executions.get(parent.id);
    services.logger.child({ executionId: parent.id, jobName: parent.jobName, targetId: parent.targetId }).info('Job execution ended', { lifecycle: ended.lifecycle, summary });
    await queueEndedExecutionNotification(services, parent.id);
    return { lifecycle: ended.lifecycle };
  };
}
