/**
 * Settles a claim that no attempt will finish: a lane's run that died (the host stopped, a
 * worker recycled, Durable re-ran the activity) left its child claimed. One run, one attempt
 * row: if the attempt's task execution was written, its outcome decides the child; if not, the
 * attempt is written now as interrupted (Failed, retryable: its script may have run), and the
 * retry is a new attempt number, which first ends the statement it may have left on its server.
 */
import { randomUUID } from 'node:crypto';
import type { ClaimedChild, ExecutionStore } from '../control/stores/executionStore';
import type { TaskStore } from '../control/stores/taskStore';
import { INTERRUPTED_ATTEMPT_MESSAGE } from '../domain/attemptRecord';
import { childAfterAttempt } from '../domain/childAfterAttempt';
import type { RetryPolicy } from '../domain/retryPolicy';
import type { TaskOutcome } from '../domain/taskOutcome';

/** Applies the claim's outcome (recorded, or interrupted) to its child; returns that outcome. */
export async function settleClaim(
  stores: { executions: ExecutionStore; tasks: TaskStore },
  claimed: ClaimedChild,
  policy: RetryPolicy,
  now: Date,
): Promise<TaskOutcome> {
  const { executions, tasks } = stores;
  const at = now.toISOString();
  let outcome = (await tasks.findAttempt(claimed.child.id, claimed.attempt))?.outcome ?? null;
  if (!outcome) {
    const interrupted: TaskOutcome = { lifecycle: 'Failed', retryable: true, message: INTERRUPTED_ATTEMPT_MESSAGE };
    const written = await executions.insertFinishedAttempt({
      id: claimed.taskId,
      jobExecutionId: claimed.child.id,
      attempt: claimed.attempt,
      lifecycle: 'Failed',
      message: interrupted.message,
      output: null,
      startTime: claimed.startTime,
      endTime: at,
      outcome: 'Failed',
      retryable: 1,
    });
    outcome = written ? interrupted : ((await tasks.findAttempt(claimed.child.id, claimed.attempt))?.outcome ?? interrupted);
  }
  const next = childAfterAttempt(outcome, claimed.attempt, policy, now);
  await executions.claimNext({
    parentId: claimed.child.parentId!,
    lane: 0,
    now: at,
    taskId: randomUUID(),
    previous: { childId: claimed.child.id, taskId: claimed.taskId, next },
    claim: false,
  });
  return outcome;
}
