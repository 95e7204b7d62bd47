/**
 * runLane: one call of a lane (docs/engine.md). Its slots each loop on the work queue: claim the
 * next ready child (the same statement records the slot's previous attempt), run the attempt,
 * write its task execution whole. A slot that finishes a child starts the next at once, with no
 * poll and no orchestration step between them; an orchestration event serves every child the
 * call runs. The call stops claiming when its time budget is spent, the job's deadline passes,
 * or the host stops; it returns when its slots have recorded their last attempts (terminal
 * means stopped).
 *
 * First it settles what an earlier run of this lane left claimed (./../settleClaim.ts): a lane's
 * calls run one after another, so any claim of this lane still open belongs to a run that died.
 *
 * A slot with nothing ready while another slot still runs waits for the earliest queued child or
 * for that slot to end (a failure it records may be ready soon), whichever comes first; with
 * nothing running it ends, and the lane orchestration sleeps durably until the next ready time.
 */
import { randomUUID } from 'node:crypto';
import { executionStore, type ClaimedChild, type PreviousAttempt } from '../../control/stores/executionStore';
import { taskStore } from '../../control/stores/taskStore';
import { HOST_STOPPED_ATTEMPT_MESSAGE } from '../../domain/attemptRecord';
import { childAfterAttempt } from '../../domain/childAfterAttempt';
import { isoTimestamp } from '../../domain/clock';
import { taskLifecycleOf } from '../../domain/lifecycle';
import type { Services } from '../../services';
import { attemptOnDatabase, type AttemptContext, type AttemptResult } from '../attemptOnDatabase';
import type { RunLaneInput, RunLaneOutput } from '../contracts';
import { settleClaim } from '../settleClaim';
import { createStopWatcher } from '../stopWatcher';

export interface LaneOptions {
  /** How often running attempts look at the control database for a cancel (about every 500 ms). */
  cancelPollMs?: number;
  /**
   * Aborted when the host stops (local host on SIGTERM/SIGINT, a worker's appTerminate): no
   * claim after it, and each running attempt cancels its statement and is recorded Failed
   * (HOST_STOPPED_ATTEMPT_MESSAGE), its child queued again for the restart.
   */
  hostStopping?: AbortSignal;
  /** How long a retry waits for an earlier attempt's statement to end on its server (15 s). */
  earlierSessionWaitMs?: number;
  /** How long one call claims before it returns to its orchestration (30 s). */
  laneBudgetMs?: number;
}

/** One call's claiming time by default: long enough that orchestration steps are rare, short enough for any Functions plan's timeout. */
export const LANE_BUDGET_MS = 30_000;

const TIMED_OUT = 'The job timed out before this database finished.';
/** Claims a slot tries again at once after finding a ready child taken, before it waits. */
const LOST_RACE_RETRIES = 5;

export function runLaneActivity(services: Services, options: LaneOptions = {}) {
  const executions = executionStore(services.control);
  const tasks = taskStore(services.control);
  const watcher = createStopWatcher(executions, options.cancelPollMs ?? 500, services.logger);
  const budgetMs = options.laneBudgetMs ?? LANE_BUDGET_MS;
  const clock = () => services.clock.now();

  return async function runLane(input: RunLaneInput): Promise<RunLaneOutput> {
    const { parentId, lane, policy, rails } = input;
    const step = input.step ?? 1;
    const deadlineMs = Date.parse(input.deadline);
    const budgetEnds = clock().getTime() + budgetMs;
    const log = services.logger.child({ executionId: parentId, lane });
    const parentAtStart = await executions.get(parentId);
    const ctx: AttemptContext = {
      parentCreatedAt: parentAtStart.createdAt,
      services,
      watcher,
      hostStopping: options.hostStopping,
      earlierSessionWaitMs: options.earlierSessionWaitMs,
      credentials: new Map(),
      contents: new Map(),
    };

    for (const left of await executions.claimedChildren(parentId, lane)) {
      const outcome = await settleClaim({ executions, tasks }, left, policy, clock());
      log.warn('Attempt left claimed by an earlier run of its lane settled', { childExecutionId: left.child.id, attempt: left.attempt, lifecycle: outcome.lifecycle });
    }

    let attempts = 0;
    let running = 0;
    let budgetSpent = false;
    const waiting = new Set<() => void>();
    const slotEnded = () => {
      for (const wake of [...waiting]) wake();
    };
    const mayClaim = () => {
      const now = clock().getTime();
      if (now >= budgetEnds) budgetSpent = true;
      return !options.hostStopping?.aborted && now < deadlineMs && !budgetSpent;
    };

    /** Waits until `untilMs` or until a running slot ends. */
    const idle = (untilMs: number) =>
      new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          waiting.delete(done);
          resolve();
        };
        const timer = setTimeout(done, Math.max(0, untilMs - clock().getTime()));
        waiting.add(done);
      });

    async function runClaimed(claimed: ClaimedChild): Promise<PreviousAttempt> {
      const { child } = claimed;
      const attemptLog = log.child({ childExecutionId: child.id, target: `${child.target?.serverName}/${child.target?.databaseName}`, attempt: claimed.attempt });
      attemptLog.info('Task attempt started');
      const left = deadlineMs - clock().getTime();
      const timeoutMs = policy.taskTimeoutMs === null ? left : Math.min(policy.taskTimeoutMs, left);
      let result: AttemptResult = await attemptOnDatabase(ctx, claimed, Math.max(1, timeoutMs));
      const hostStopped = options.hostStopping?.aborted === true && result.outcome.lifecycle !== 'Succeeded';
      // Stopped by the host, not by the script or a user: a failed attempt the restart retries.
      if (hostStopped) result = { outcome: { lifecycle: 'Failed', retryable: true, message: HOST_STOPPED_ATTEMPT_MESSAGE }, output: result.output };
      const ended = clock();
      const { outcome } = result;
      const written = await executions.insertFinishedAttempt({
        id: claimed.taskId,
        jobExecutionId: child.id,
        attempt: claimed.attempt,
        lifecycle: taskLifecycleOf(outcome.lifecycle),
        message: outcome.message,
        output: result.output === null ? null : JSON.stringify(result.output),
        startTime: claimed.startTime,
        endTime: isoTimestamp(ended),
        outcome: outcome.lifecycle,
        retryable: outcome.retryable ? 1 : 0,
      });
      if (!written) attemptLog.warn('Task attempt was settled as interrupted while it ran; its record stands');
      attemptLog.info('Task attempt ended', { lifecycle: outcome.lifecycle, retryable: outcome.retryable, message: outcome.message });
      // An attempt cut by the job's deadline ends its child TimedOut: no retry can start after it.
      const next =
        outcome.lifecycle === 'TimedOut' && ended.getTime() >= deadlineMs
          ? { lifecycle: 'TimedOut' as const, notBefore: null, message: TIMED_OUT }
          : childAfterAttempt(outcome, claimed.attempt, policy, ended, { retryNow: hostStopped });
      return { childId: child.id, taskId: claimed.taskId, next };
    }

    async function slot(): Promise<void> {
      let previous: PreviousAttempt | undefined;
      let lostRaces = 0;
      for (;;) {
        const claim = mayClaim();
        const recorded = previous;
        const claimed = await executions.claimNext({
          parentId,
          lane,
          now: isoTimestamp(clock()),
          taskId: randomUUID(),
          previous,
          claim,
          failureLimit: rails?.failureLimit ?? null,
          maxPerServer: rails?.maxPerServer ?? null,
          step,
        });
        previous = undefined;
        // A failure that reaches the threshold ends every child not started (the claims already stop at it).
        if (rails?.failureLimit && recorded && (recorded.next.lifecycle === 'Failed' || recorded.next.lifecycle === 'TimedOut')) {
          const ended = await executions.stopAtFailureLimit(parentId, rails.failureLimit, isoTimestamp(clock()), step);
          if (ended > 0) log.warn('Failure threshold reached: the databases not started end Skipped', { limit: rails.failureLimit, ended });
        }
        if (!claimed) {
          if (!claim) return;
          // The statement chose its child before it queued the retry it recorded: a retry due now is claimed by the next one.
          if (recorded?.next.notBefore && Date.parse(recorded.next.notBefore) <= clock().getTime()) continue;
          const next = await executions.earliestQueued(parentId, step);
          const nextMs = next === null ? Number.POSITIVE_INFINITY : Date.parse(next);
          // Ready now, yet nothing claimed: another slot took it first. Where the engine skips
          // rows others hold (PostgreSQL, SQL Server) that is rare; where it waits for them and
          // then finds them taken (Babelfish ignores READPAST) every slot but one comes back
          // empty, so look again at once, spread out, before waiting.
          if (nextMs <= clock().getTime() && lostRaces < LOST_RACE_RETRIES) {
            lostRaces++;
            await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 25));
            continue;
          }
          if (running === 0) return;
          // Ready but not claimable (its server is at its cap): wait for a slot to end, not for a time already past.
          await idle(Math.min(nextMs > clock().getTime() ? nextMs : budgetEnds, deadlineMs, budgetEnds));
          continue;
        }
        lostRaces = 0;
        running++;
        attempts++;
        try {
          previous = await runClaimed(claimed);
        } finally {
          running--;
          slotEnded();
        }
      }
    }

    const slots = await Promise.allSettled(Array.from({ length: Math.max(1, input.slots) }, () => slot()));
    const failed = slots.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    // A slot that failed (the control database away for longer than its retries) leaves its
    // claim to this lane's next call, which settles it; the others recorded theirs.
    if (failed) throw failed.reason;

    const parent = await executions.get(parentId);
    const nextNotBefore = await executions.earliestQueued(parentId, step);
    const now = clock().getTime();
    const stoppedBy = parent.cancelRequested ? 'Canceled' : now >= deadlineMs && nextNotBefore !== null ? 'TimedOut' : undefined;
    const more = !stoppedBy && budgetSpent && nextNotBefore !== null && Date.parse(nextNotBefore) <= now;
    return { attempts, more, nextNotBefore, ...(stoppedBy ? { stoppedBy } : {}) };
  };
}
