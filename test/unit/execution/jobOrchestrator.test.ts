import { CANCEL_EVENT } from '../../../src/execution/contracts';
import { at, childId, createJobWorld, permanent, transient } from './fakeJobWorld';

describe('job orchestration through the replay host', () => {
  it('runs every child once and rolls the parent up to Succeeded', async () => {
    const world = createJobWorld({ children: 5 });
    await world.start();
    await world.clock.advanceTo(at(1_000));

    expect(world.jobStatus()).toMatchObject({ runtimeStatus: 'Completed', output: { executionId: 'job', lifecycle: 'Succeeded' } });
    expect(world.attempts.map((a) => [a.executionId, a.attempt])).toEqual(world.ids.map((id) => [id, 1]));
    for (const id of world.ids) expect(world.lifecycle(id)).toBe('Succeeded');
    // Each child is shown InProgress before its attempt, then ends Succeeded.
    expect(world.marks.filter((m) => m.executionId === childId(0)).map((m) => m.lifecycle)).toEqual(['InProgress', 'Succeeded']);
    expect(world.completes).toEqual([{ input: { executionId: 'job' }, at: 0 }]);
    expect(world.expansions()).toBe(1);
  });

  it('keeps a permanent failure to its own target while the others succeed', async () => {
    const world = createJobWorld({ children: 4, attempt: (id) => (id === childId(2) ? { result: permanent('login failed') } : {}) });
    await world.start();
    await world.clock.advanceTo(at(60_000));

    expect(world.attemptsOf(childId(2))).toHaveLength(1);
    expect(world.lifecycle(childId(2))).toBe('Failed');
    for (const i of [0, 1, 3]) expect(world.lifecycle(childId(i))).toBe('Succeeded');
    expect(world.marks.find((m) => m.executionId === childId(2) && m.lifecycle === 'Failed')).toBeDefined();
    expect(world.jobStatus()?.output).toEqual({ executionId: 'job', lifecycle: 'Failed' });
    const outcomes = world.host.status('job:batch:0')?.output;
    expect(outcomes).toContainEqual({ executionId: childId(2), lifecycle: 'Failed', attempts: 1, message: 'login failed' });
    expect(outcomes).toContainEqual({ executionId: childId(0), lifecycle: 'Succeeded', attempts: 1, message: null });
  });

  it('retries a transient failure at the retry curve times, then succeeds', async () => {
    const world = createJobWorld({
      children: 1,
      policy: { maximumAttempts: 5, initialRetryIntervalMs: 100, retryIntervalBackoffCoefficient: 2 },
      attempt: (_id, attempt) => (attempt < 4 ? { result: transient() } : {}),
    });
    await world.start();
    await world.clock.advanceTo(at(10_000));

    expect(world.attempts.map((a) => [a.attempt, a.startedAt])).toEqual([
      [1, 0],
      [2, 100],
      [3, 300],
      [4, 700],
    ]);
    expect(world.marks.map((m) => m.lifecycle)).toEqual(['InProgress', 'WaitingForRetry', 'InProgress', 'WaitingForRetry', 'InProgress', 'WaitingForRetry', 'InProgress', 'Succeeded']);
    expect(world.parent()).toBe('Succeeded');
  });

  it('ends TimedOut at the deadline: running children end TimedOut and nothing starts after it', async () => {
    const world = createJobWorld({
      children: 6,
      maxParallelism: 2,
      jobTimeoutMs: 60_000,
      attempt: () => ({ durationMs: 25_000 }),
    });
    await world.start();
    await world.clock.advanceTo(at(600_000));

    expect(world.jobStatus()?.output).toEqual({ executionId: 'job', lifecycle: 'TimedOut' });
    expect(world.completes).toEqual([{ input: { executionId: 'job', reason: 'TimedOut' }, at: 60_000 }]);
    // Two at a time: 0-25 s, 25-50 s, then 50 s until the deadline cut the third pair (their attempts bound themselves to it).
    expect(world.attempts.map((a) => a.startedAt).every((t) => t < 60_000)).toBe(true);
    expect(world.attempts.filter((a) => a.endedAt! < 60_000)).toHaveLength(4);
    expect(world.attempts.filter((a) => a.endedAt! === 60_000)).toHaveLength(2);
    const unfinished = world.ids.filter((id) => world.lifecycle(id) !== 'Succeeded');
    expect(unfinished).toHaveLength(2);
    for (const id of unfinished) expect(world.lifecycle(id)).toBe('TimedOut');
    // The attempt bound itself to what was left before the deadline.
    expect(world.attempts[4].timeoutMs).toBeLessThanOrEqual(60_000 - world.attempts[4].startedAt);
  });

  it('starts nothing when the cancel is raised while the expansion is still running', async () => {
    const world = createJobWorld({ children: 3, expandMs: 10_000 });
    await world.start();
    await world.clock.advanceTo(at(5_000));
    expect(world.host.raiseEvent('job', CANCEL_EVENT)).toBe(true);
    await world.clock.advanceTo(at(120_000));

    expect(world.jobStatus()?.output).toEqual({ executionId: 'job', lifecycle: 'Canceled' });
    expect(world.attempts).toEqual([]);
    expect(world.host.status('job:batch:0')).toBeUndefined();
    expect(world.completes).toEqual([{ input: { executionId: 'job', reason: 'Canceled' }, at: 10_000 }]);
    for (const id of world.ids) expect(world.lifecycle(id)).toBe('Canceled');
  });

  it('ends Canceled only after every running attempt has returned, starting nothing meanwhile', async () => {
    const world = createJobWorld({ children: 4, maxParallelism: 2, attempt: () => ({ durationMs: 600_000 }) });
    await world.start();
    await world.clock.advanceTo(at(10_200));
    world.requestCancel();
    // Raised at 10.2 s: the attempts look at the flag at 10.5 s. Until then nothing is terminal.
    await world.clock.advanceTo(at(10_400));
    expect(world.completes).toEqual([]);
    for (const id of world.ids) expect(world.lifecycle(id)).not.toMatch(/Canceled|TimedOut|Succeeded|Failed/);
    expect(world.parent()).toBe('WaitingForChildJobExecutions');

    await world.clock.advanceTo(at(120_000));
    const running = world.attempts.filter((a) => a.startedAt === 0);
    expect(running).toHaveLength(2);
    for (const a of running) expect(a.endedAt).toBe(10_500);
    // Each running child is marked Canceled after its attempt returned, the parent after them all.
    for (const a of running) {
      const mark = world.marks.find((m) => m.executionId === a.executionId && m.lifecycle === 'Canceled');
      expect(mark?.at).toBeGreaterThanOrEqual(a.endedAt!);
    }
    expect(world.completes).toEqual([{ input: { executionId: 'job', reason: 'Canceled' }, at: 10_500 }]);
    // The other two never ran a statement.
    expect(world.attempts.filter((a) => a.startedAt > 0).every((a) => a.endedAt === a.startedAt)).toBe(true);
    for (const id of world.ids) expect(world.lifecycle(id)).toBe('Canceled');
    expect(world.jobStatus()?.output).toEqual({ executionId: 'job', lifecycle: 'Canceled' });
  });

  it('launches no further attempt once a cancel arrives during a retry wait', async () => {
    const world = createJobWorld({
      children: 1,
      policy: { maximumAttempts: 10, initialRetryIntervalMs: 60_000 },
      attempt: () => ({ result: transient() }),
    });
    await world.start();
    await world.clock.advanceTo(at(10_000));
    expect(world.attempts).toHaveLength(1);
    expect(world.lifecycle(childId(0))).toBe('WaitingForRetry');

    // The API raises the event to the parent and to every child that is not terminal.
    world.host.raiseEvent('job', CANCEL_EVENT);
    world.host.raiseEvent(childId(0), CANCEL_EVENT);
    await world.clock.advanceTo(at(3_600_000));

    expect(world.attempts).toHaveLength(1);
    expect(world.lifecycle(childId(0))).toBe('Canceled');
    expect(world.host.status(childId(0))?.output).toEqual({ executionId: childId(0), lifecycle: 'Canceled', attempts: 1, message: 'The execution was canceled.' });
    expect(world.jobStatus()?.output).toEqual({ executionId: 'job', lifecycle: 'Canceled' });
    expect(world.clock.pendingTimers()).toEqual([]);
  });

  it('never runs more than maxParallelism attempts and keeps the window full while one target runs long', async () => {
    // Child 0 runs for 1,000 s; the other 11 take 10 s each: a window of 2 runs them all beside it.
    const world = createJobWorld({ children: 12, maxParallelism: 2, attempt: (id) => ({ durationMs: id === childId(0) ? 1_000_000 : 10_000 }) });
    await world.start();
    await world.clock.advanceTo(at(2_000_000));

    expect(world.maxRunning()).toBe(2);
    expect(world.attempts).toHaveLength(12);
    const others = world.attempts.filter((a) => a.executionId !== childId(0));
    // All in the second slot beside the long one, each started within the poll's slack (an eighth of 10 s) of the one before.
    others.slice(1).forEach((a, i) => {
      expect(a.startedAt).toBeGreaterThanOrEqual(others[i].endedAt!);
      expect(a.startedAt - others[i].endedAt!).toBeLessThanOrEqual(1_250);
    });
    expect(others[others.length - 1].endedAt).toBeLessThan(130_000);
    expect(world.parent()).toBe('Succeeded');
  });

  it('refills the window at the poll when an older target ends before the newest one', async () => {
    // Durations chosen so that the target started last is the slowest: the older ones end first and
    // are seen at the next poll, not only when the newest ends.
    const durations = [30_000, 31_000, 32_000, 300_000, 30_000, 30_000];
    const world = createJobWorld({ children: 6, maxParallelism: 3, attempt: (id) => ({ durationMs: durations[Number(id.slice(-5))] }) });
    await world.start();
    await world.clock.advanceTo(at(2_000_000));

    expect(world.maxRunning()).toBe(3);
    const started = (i: number) => world.attemptsOf(childId(i))[0].startedAt;
    expect([started(0), started(1), started(2)]).toEqual([0, 0, 0]);
    expect(started(3)).toBe(30_000); // child 0 ended at 30 s; child 3 is the newest then
    // Children 1 and 2 end at 31 s and 32 s while the window waits on child 3: polls see them within seconds.
    expect(started(4) - 31_000).toBeGreaterThanOrEqual(0);
    expect(started(4) - 31_000).toBeLessThanOrEqual(4_000);
    expect(started(5) - 32_000).toBeLessThanOrEqual(4_000);
    expect(world.parent()).toBe('Succeeded');
  });

  it("keeps short targets' lanes busier with the local host's short poll floor than with Azure's", async () => {
    // 40 targets of 240 ms, 10 at a time: ideal 960 ms. Completions of targets the window is not
    // waiting on are seen at its polls, so the floor decides how long a lane stays empty.
    const makespan = async (windowPollMs?: number) => {
      const world = createJobWorld({ children: 40, maxParallelism: 10, windowPollMs, attempt: () => ({ durationMs: 240 }) });
      await world.start();
      await world.clock.advanceTo(at(60_000));
      expect(world.parent()).toBe('Succeeded');
      expect(world.maxRunning()).toBeLessThanOrEqual(10);
      return Math.max(...world.attempts.map((a) => a.endedAt!));
    };
    const local = await makespan(25);
    const azure = await makespan(undefined);
    expect(local).toBeLessThan(azure);
    expect(local).toBeLessThanOrEqual(960 * 1.5);
  });

  it('fans 1,000 children out through batches with exactly one attempt each', async () => {
    const world = createJobWorld({ children: 1_000, maxParallelism: 100 });
    await world.start();
    await world.clock.advanceTo(at(1_000));

    expect(world.parent()).toBe('Succeeded');
    expect(world.attempts).toHaveLength(1_000);
    expect(new Set(world.attempts.map((a) => a.executionId)).size).toBe(1_000);
    const stats = world.host.stats();
    expect(stats.byOrchestrator.targetOrchestrator.instances).toBe(1_000);
    expect(stats.byOrchestrator.batchOrchestrator.instances).toBe(10);
    expect(world.host.status('job:batch:9')?.runtimeStatus).toBe('Completed');
  });

  it('adds a level of batches of batches past 100 batches and still runs each child once', async () => {
    // One slot: batches of 10 targets, 101 of them, so two batches of batches run one after the other.
    const world = createJobWorld({ children: 1_010, maxParallelism: 1 });
    await world.start();
    await world.clock.advanceTo(at(1_000));

    expect(world.parent()).toBe('Succeeded');
    expect(world.attempts).toHaveLength(1_010);
    expect(new Set(world.attempts.map((a) => a.executionId)).size).toBe(1_010);
    expect(world.maxRunning()).toBe(1);
    expect(world.host.status('job:batch:0')?.name).toBe('batchOrchestrator');
    expect(world.host.status('job:batch:0:50')?.output).toHaveLength(10);
    expect(world.host.status('job:batch:1:49')?.output).toHaveLength(10);
    expect(world.host.status('job:batch:2')).toBeUndefined();
  });

  it('keeps replay work per target flat from 1,000 to 10,000 targets', async () => {
    const perTarget = async (n: number) => {
      const world = createJobWorld({ children: n, maxParallelism: 100 });
      await world.start();
      await world.clock.advanceTo(at(1_000));
      expect(world.attempts).toHaveLength(n);
      return world.host.stats().eventsReplayed / n;
    };
    const small = await perTarget(1_000);
    const large = await perTarget(10_000);
    expect(large / small).toBeLessThanOrEqual(1.5);
    expect(large).toBeLessThan(100);
  }, 60_000);

  it("retries the parent's own activities while the control database is away, 5 s apart and doubling", async () => {
    const world = createJobWorld({ children: 2, failFirst: { expand: 2, complete: 1 } });
    await world.start();
    await world.clock.advanceTo(at(60_000));

    expect(world.expandCalls).toEqual([0, 5_000, 15_000]);
    expect(world.attempts).toHaveLength(2);
    expect(world.completes).toEqual([{ input: { executionId: 'job' }, at: 20_000 }]);
    expect(world.jobStatus()).toMatchObject({ runtimeStatus: 'Completed', output: { lifecycle: 'Succeeded' } });
  });

  it('fails the orchestration when the control database stays away', async () => {
    const world = createJobWorld({ children: 2, failFirst: { expand: 99 } });
    await world.start();
    await world.clock.advanceTo(at(3_600_000));
    expect(world.expandCalls).toEqual([0, 5_000, 15_000, 35_000, 75_000]);
    expect(world.jobStatus()).toMatchObject({ runtimeStatus: 'Failed', error: expect.stringContaining('control database unreachable') });
    expect(world.attempts).toEqual([]);
  });

  it('resumes an execution: children already ended get no orchestration, the others go on from their next attempt', async () => {
    const world = createJobWorld({
      children: 3,
      resumed: { [childId(0)]: { lifecycle: 'Succeeded', attemptsMade: 1 }, [childId(1)]: { lifecycle: 'WaitingForRetry', attemptsMade: 2 } },
    });
    await world.start();
    await world.clock.advanceTo(at(1_000));

    expect(world.attempts.map((a) => [a.executionId, a.attempt])).toEqual([
      [childId(1), 3],
      [childId(2), 1],
    ]);
    expect(world.host.status(childId(0))).toBeUndefined();
    expect(world.parent()).toBe('Succeeded');
  });
});
