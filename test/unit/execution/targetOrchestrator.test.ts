import { ACTIVITIES, CANCEL_EVENT, ORCHESTRATORS, type ChildPlan, type MarkInput, type RetryPolicy, type RunTaskInput, type RunTaskOutput, type TargetInput } from '../../../src/execution/contracts';
import { orchestrators } from '../../../src/execution/orchestrators';
import { failureMessage } from '../../../src/execution/orchestrators/targetOrchestrator';
import type { JobExecutionLifecycle } from '../../../src/domain/schemas/execution';
import { ManualHostClock } from '../../../src/execution/replay/hostClock';
import { ReplayHost } from '../../../src/execution/replay/replayHost';
import { POLICY, START, at, msSinceStart, permanent, succeeded, transient, type AttemptScript } from './fakeJobWorld';

interface Options {
  child?: Partial<ChildPlan>;
  policy?: Partial<RetryPolicy>;
  deadlineMs?: number;
  attempt?: (attempt: number) => AttemptScript;
  /** What markJobExecution answers; by default the lifecycle asked for. */
  mark?: (input: MarkInput, clock: ManualHostClock) => unknown;
}

function target(options: Options = {}) {
  const clock = new ManualHostClock(START);
  const attempts: (RunTaskInput & { at: number })[] = [];
  const marks: { lifecycle: JobExecutionLifecycle; message?: string | null; at: number }[] = [];
  const host = new ReplayHost({
    orchestrators,
    clock,
    activities: {
      [ACTIVITIES.runTaskAttempt]: async (input: RunTaskInput): Promise<RunTaskOutput> => {
        attempts.push({ ...input, at: msSinceStart(clock.now()) });
        const script = options.attempt?.(input.attempt) ?? {};
        if (script.durationMs) await clock.sleep(script.durationMs);
        if (script.throws) throw new Error(script.throws);
        return script.result ?? succeeded;
      },
      [ACTIVITIES.markJobExecution]: async (input: MarkInput) => {
        marks.push({ lifecycle: input.lifecycle, message: input.message, at: msSinceStart(clock.now()) });
        return options.mark ? options.mark(input, clock) : { lifecycle: input.lifecycle };
      },
    },
  });
  clock.attach((parked) => host.settled(parked));
  const input: TargetInput = {
    parentId: 'parent',
    child: { executionId: 'child', lifecycle: 'Created', attemptsMade: 0, ...options.child },
    policy: { ...POLICY, ...options.policy },
    deadline: at(options.deadlineMs ?? 86_400_000).toISOString(),
  };
  host.startNew(ORCHESTRATORS.target, 'child', input);
  return { clock, host, attempts, marks, outcome: () => host.status('child')?.output };
}

describe('target orchestration', () => {
  it('retries at the curve, capped at the maximum interval, and runs each attempt once', async () => {
    const t = target({
      policy: { maximumAttempts: 5, initialRetryIntervalMs: 1_000, retryIntervalBackoffCoefficient: 3, maximumRetryIntervalMs: 5_000 },
      attempt: (k) => (k < 5 ? { result: transient(`reset ${k}`) } : {}),
    });
    await t.clock.advanceTo(at(60_000));
    // Waits before attempts 2..5: 1 s, 3 s, then 9 s capped to 5 s twice.
    expect(t.attempts.map((a) => [a.attempt, a.at])).toEqual([
      [1, 0],
      [2, 1_000],
      [3, 4_000],
      [4, 9_000],
      [5, 14_000],
    ]);
    expect(t.outcome()).toEqual({ executionId: 'child', lifecycle: 'Succeeded', attempts: 5, message: null });
  });

  it('ends Failed with the last message when the attempts run out', async () => {
    const t = target({ policy: { maximumAttempts: 3 }, attempt: (k) => ({ result: transient(`reset ${k}`) }) });
    await t.clock.advanceTo(at(60_000));
    expect(t.attempts).toHaveLength(3);
    expect(t.outcome()).toEqual({ executionId: 'child', lifecycle: 'Failed', attempts: 3, message: 'reset 3' });
    expect(t.marks.at(-1)).toMatchObject({ lifecycle: 'Failed', message: 'reset 3' });
  });

  it('does not retry what no retry can help, and keeps its lifecycle (Skipped for a missing database)', async () => {
    const skipped = target({ attempt: () => ({ result: { lifecycle: 'Skipped', retryable: false, message: 'database does not exist' } }) });
    await skipped.clock.advanceTo(at(60_000));
    expect(skipped.attempts).toHaveLength(1);
    expect(skipped.outcome()).toMatchObject({ lifecycle: 'Skipped', attempts: 1, message: 'database does not exist' });

    const refused = target({ attempt: () => ({ result: permanent('server not allowed') }) });
    await refused.clock.advanceTo(at(60_000));
    expect(refused.attempts).toHaveLength(1);
    expect(refused.outcome()).toMatchObject({ lifecycle: 'Failed', message: 'server not allowed' });
  });

  it('counts an activity that throws as a failed attempt that may be retried, with its message', async () => {
    const t = target({ policy: { maximumAttempts: 2 }, attempt: (k) => (k === 1 ? { throws: 'control database unreachable' } : {}) });
    await t.clock.advanceTo(at(60_000));
    expect(t.attempts.map((a) => a.attempt)).toEqual([1, 2]);
    expect(t.marks.map((m) => m.lifecycle)).toEqual(['InProgress', 'WaitingForRetry', 'InProgress', 'Succeeded']);
    expect(t.outcome()).toMatchObject({ lifecycle: 'Succeeded', attempts: 2 });
  });

  it('retries an attempt that hit the task timeout, and bounds each attempt by the time left before the deadline', async () => {
    const t = target({
      deadlineMs: 70_000,
      policy: { taskTimeoutMs: 30_000, maximumAttempts: 3, initialRetryIntervalMs: 20_000 },
      // Each attempt runs to its own bound: 30 s, then the 20 s left.
      attempt: (k) => ({ durationMs: k === 1 ? 30_000 : 20_000, result: { lifecycle: 'TimedOut', retryable: true, message: 'task timeout' } }),
    });
    await t.clock.advanceTo(at(200_000));
    // The second attempt starts at 50 s with 20 s left before the deadline; the deadline ends the target at 70 s.
    expect(t.attempts.map((a) => [a.attempt, a.at, a.timeoutMs])).toEqual([
      [1, 0, 30_000],
      [2, 50_000, 20_000],
    ]);
    expect(t.outcome()).toMatchObject({ lifecycle: 'TimedOut', attempts: 2 });
    expect(t.marks.at(-1)).toMatchObject({ lifecycle: 'TimedOut', at: 70_000 });
  });

  it('at the deadline, ends TimedOut only once the running attempt has returned, and leaves no timer behind', async () => {
    // The attempt is bounded by the deadline; its statement takes 400 ms more to be canceled on the server.
    const t = target({ deadlineMs: 60_000, attempt: () => ({ durationMs: 60_400, result: { lifecycle: 'TimedOut', retryable: true, message: 'task timeout' } }) });
    await t.clock.advanceTo(at(60_200));
    expect(t.outcome()).toBeUndefined();
    expect(t.marks.map((m) => m.lifecycle)).toEqual(['InProgress']);
    await t.clock.advanceTo(at(61_000));
    expect(t.outcome()).toEqual({ executionId: 'child', lifecycle: 'TimedOut', attempts: 1, message: 'The job timed out before this database finished.' });
    expect(t.marks.at(-1)).toMatchObject({ lifecycle: 'TimedOut', at: 60_400 });
    expect(t.attempts[0].timeoutMs).toBe(60_000);
    expect(t.clock.pendingTimers()).toEqual([]);
  });

  it('on the cancel event, keeps the child running until its attempt returns, then ends it Canceled', async () => {
    // The attempt sees the flag and returns 800 ms after the event.
    const t = target({ attempt: () => ({ durationMs: 5_800, result: { lifecycle: 'Canceled', retryable: false, message: 'statement canceled' } }) });
    await t.clock.advanceTo(at(5_000));
    t.host.raiseEvent('child', CANCEL_EVENT);
    await t.clock.advanceTo(at(5_500));
    expect(t.outcome()).toBeUndefined();
    expect(t.marks.map((m) => m.lifecycle)).toEqual(['InProgress']);
    await t.clock.advanceTo(at(10_000));
    expect(t.outcome()).toEqual({ executionId: 'child', lifecycle: 'Canceled', attempts: 1, message: 'The execution was canceled.' });
    expect(t.marks.at(-1)).toMatchObject({ lifecycle: 'Canceled', at: 5_800 });
    expect(t.attempts).toHaveLength(1);
  });

  it('records Succeeded when the attempt finished its script before the cancel reached it', async () => {
    const t = target({ attempt: () => ({ durationMs: 2_000 }) });
    await t.clock.advanceTo(at(1_000));
    t.host.raiseEvent('child', CANCEL_EVENT);
    await t.clock.advanceTo(at(10_000));
    expect(t.outcome()).toMatchObject({ lifecycle: 'Succeeded', attempts: 1 });
    expect(t.marks.at(-1)).toMatchObject({ lifecycle: 'Succeeded', at: 2_000 });
  });

  it('returns at once for a child already terminal, without touching it', async () => {
    const t = target({ child: { lifecycle: 'Succeeded', attemptsMade: 2 } });
    await t.clock.settle();
    expect(t.outcome()).toEqual({ executionId: 'child', lifecycle: 'Succeeded', attempts: 2, message: null });
    expect(t.attempts).toEqual([]);
    expect(t.marks).toEqual([]);
  });

  it('launches no attempt when marking it InProgress finds it ended (cancelled while it waited its turn)', async () => {
    const t = target({ mark: () => ({ lifecycle: 'Canceled' }) });
    await t.clock.settle();
    expect(t.outcome()).toEqual({ executionId: 'child', lifecycle: 'Canceled', attempts: 0, message: null });
    expect(t.attempts).toEqual([]);
  });

  it('launches no attempt when the cancel arrives while the child is being marked InProgress', async () => {
    const t = target({
      mark: async (input, clock) => {
        if (input.lifecycle === 'InProgress') await clock.sleep(5_000);
        return { lifecycle: input.lifecycle };
      },
    });
    await t.clock.advanceTo(at(1_000));
    t.host.raiseEvent('child', CANCEL_EVENT);
    await t.clock.advanceTo(at(60_000));
    expect(t.outcome()).toEqual({ executionId: 'child', lifecycle: 'Canceled', attempts: 0, message: 'The execution was canceled.' });
    expect(t.attempts).toEqual([]);
  });

  it('reads a markJobExecution that returns nothing as done, and goes on', async () => {
    const t = target({ mark: () => undefined });
    await t.clock.settle();
    expect(t.outcome()).toMatchObject({ lifecycle: 'Succeeded', attempts: 1 });
  });

  it('resumes from the next attempt after a restart, within the same maximum', async () => {
    const t = target({ child: { lifecycle: 'WaitingForRetry', attemptsMade: 2 }, policy: { maximumAttempts: 4 }, attempt: () => ({ result: transient() }) });
    await t.clock.advanceTo(at(60_000));
    expect(t.attempts.map((a) => a.attempt)).toEqual([3, 4]);
    expect(t.outcome()).toMatchObject({ lifecycle: 'Failed', attempts: 4 });
  });

  it('keeps the first line of an activity failure as the message', () => {
    expect(failureMessage(new Error("Activity function 'runTaskAttempt' failed: boom \n Error: boom\n    at x"))).toBe("Activity function 'runTaskAttempt' failed: boom");
    expect(failureMessage('plain')).toBe('plain');
  });
});
