/**
 * The job and lane orchestrations (src/execution/orchestrators), run by the real replay host on
 * a manual clock against the fake activities of ./fakeJobWorld.ts.
 */
import { ACTIVITY_TRIES } from '../../../src/execution/orchestrators/retriedActivity';
import { CALLS_PER_GENERATION } from '../../../src/execution/orchestrators/laneOrchestrator';
import { at, createJobWorld, permanent, transient } from './fakeJobWorld';

describe('job orchestration through the replay host', () => {
  it('starts every planned lane under its instance id with its slots, and rolls the parent up when they end', async () => {
    // maxParallelism 25 over 100 children: three lanes of 9, 8 and 8 slots (src/domain/lanePlan.ts).
    const world = createJobWorld({ executionId: 'Job-A', children: 100, maxParallelism: 25, attempt: () => ({ durationMs: 1_000 }) });
    await world.start();
    await world.clock.advanceTo(at(60_000));

    expect(world.expansions.map((e) => e.output?.lanes)).toEqual([
      [
        { lane: 0, slots: 9 },
        { lane: 1, slots: 8 },
        { lane: 2, slots: 8 },
      ],
    ]);
    for (const lane of [0, 1, 2]) expect(world.laneStatus(lane)).toMatchObject({ name: 'laneOrchestrator', runtimeStatus: 'Completed', parentInstanceId: 'Job-A' });
    // Lane instance ids are the parent's lower-cased.
    expect(world.laneId(0)).toBe('job-a:lane:0');
    expect(world.host.status('job-a:lane:3')).toBeUndefined();
    expect(world.host.stats().byOrchestrator.laneOrchestrator.instances).toBe(3);
    expect(world.laneCalls.map((c) => c.input)).toEqual(
      [9, 8, 8].map((slots, lane) => ({ parentId: 'Job-A', lane, slots, policy: world.policy, deadline: world.deadline, step: 1 })),
    );

    // Every child once, 25 at a time and never more: four rounds of a second.
    expect(world.attempts).toHaveLength(100);
    expect(new Set(world.attempts.map((a) => a.child)).size).toBe(100);
    expect(world.maxRunning()).toBe(25);
    expect(Math.max(...world.attempts.map((a) => a.endedAt!))).toBe(4_000);
    const outcomes = [0, 1, 2].map((lane) => world.laneOutcome(lane)!);
    expect(outcomes.reduce((sum, o) => sum + o.attempts, 0)).toBe(100);
    for (const o of outcomes) expect(o.stoppedBy).toBeUndefined();

    // Lanes that ended normally: the parent is rolled up, with no reason.
    expect(world.completes).toEqual([{ input: { executionId: 'Job-A' }, at: 4_000 }]);
    expect(world.jobStatus()).toMatchObject({ runtimeStatus: 'Completed', output: { executionId: 'Job-A', lifecycle: 'Succeeded' } });
  });

  it("rolls up a child's permanent failure to a Failed parent, still with no reason", async () => {
    const world = createJobWorld({ children: 4, attempt: (child) => (child === 2 ? { outcome: permanent('login failed') } : {}) });
    await world.start();

    expect(world.attempts).toHaveLength(4);
    expect(world.lifecycles()).toEqual(['Succeeded', 'Succeeded', 'Failed', 'Succeeded']);
    expect(world.completes).toEqual([{ input: { executionId: 'job' }, at: 0 }]);
    expect(world.jobStatus()?.output).toEqual({ executionId: 'job', lifecycle: 'Failed' });
  });

  it('calls runLane again at once while it answers more, with no timer between the calls', async () => {
    // One slot, one attempt per call: three children take three calls.
    const world = createJobWorld({ children: 3, maxParallelism: 1, attemptsPerSlotPerCall: 1 });
    await world.start();

    expect(world.callsOf(0).map((c) => [c.at, c.output])).toEqual([
      [0, { attempts: 1, more: true, nextNotBefore: at(0).toISOString() }],
      [0, { attempts: 1, more: true, nextNotBefore: at(0).toISOString() }],
      [0, { attempts: 1, more: false, nextNotBefore: null }],
    ]);
    expect(world.host.stats().timersFired).toBe(0);
    expect(world.clock.pendingTimers()).toEqual([]);
    expect(world.laneOutcome(0)).toEqual({ lane: 0, attempts: 3 });
    expect(world.completes).toEqual([{ input: { executionId: 'job' }, at: 0 }]);
  });

  it('sleeps on a durable timer until the next child is ready, and calls runLane then', async () => {
    // The first attempt fails and may be retried in 60 s.
    const world = createJobWorld({
      children: 1,
      policy: { initialRetryIntervalMs: 60_000 },
      attempt: (_child, attempt) => (attempt === 1 ? { outcome: transient() } : {}),
    });
    await world.start();
    expect(world.callsOf(0).map((c) => c.output)).toEqual([{ attempts: 1, more: false, nextNotBefore: at(60_000).toISOString() }]);
    expect(world.clock.pendingTimers()).toEqual([at(60_000)]);

    await world.clock.advanceTo(at(59_999));
    expect(world.laneCalls).toHaveLength(1);
    expect(world.completes).toEqual([]);

    await world.clock.advanceTo(at(60_000));
    expect(world.callsOf(0).map((c) => c.at)).toEqual([0, 60_000]);
    expect(world.attempts.map((a) => [a.attempt, a.startedAt, a.lifecycle])).toEqual([
      [1, 0, 'Failed'],
      [2, 60_000, 'Succeeded'],
    ]);
    expect(world.laneOutcome(0)).toEqual({ lane: 0, attempts: 2 });
    expect(world.completes).toEqual([{ input: { executionId: 'job' }, at: 60_000 }]);
    expect(world.jobStatus()?.output).toEqual({ executionId: 'job', lifecycle: 'Succeeded' });
  });

  it('wakes a sleeping lane early on a cancel: it ends Canceled and the parent is completed Canceled', async () => {
    const world = createJobWorld({ children: 1, policy: { maximumAttempts: 10, initialRetryIntervalMs: 60_000 }, attempt: () => ({ outcome: transient() }) });
    await world.start();
    await world.clock.advanceTo(at(10_000));
    expect(world.clock.pendingTimers()).toEqual([at(60_000)]);

    world.requestCancel();
    await world.clock.settle();
    expect(world.laneOutcome(0)).toEqual({ lane: 0, attempts: 1, stoppedBy: 'Canceled' });
    expect(world.completes).toEqual([{ input: { executionId: 'job', reason: 'Canceled' }, at: 10_000 }]);
    expect(world.jobStatus()?.output).toEqual({ executionId: 'job', lifecycle: 'Canceled' });
    // Its timer was cancelled, and no call came after the cancel.
    expect(world.clock.pendingTimers()).toEqual([]);
    await world.clock.advanceTo(at(3_600_000));
    expect(world.laneCalls).toHaveLength(1);
    expect(world.attempts).toHaveLength(1);
    expect(world.lifecycle(0)).toBe('Canceled');
  });

  it('sees a cancel the lane was not told of at its next call, which reads it from the control database', async () => {
    const world = createJobWorld({ children: 1, policy: { maximumAttempts: 10, initialRetryIntervalMs: 60_000 }, attempt: () => ({ outcome: transient() }) });
    await world.start();
    await world.clock.advanceTo(at(10_000));
    world.requestCancel({ toLanes: false });
    await world.clock.advanceTo(at(59_999));
    expect(world.completes).toEqual([]);

    await world.clock.advanceTo(at(120_000));
    expect(world.callsOf(0).map((c) => [c.at, c.output])).toEqual([
      [0, { attempts: 1, more: false, nextNotBefore: at(60_000).toISOString() }],
      [60_000, { attempts: 0, more: false, nextNotBefore: at(60_000).toISOString(), stoppedBy: 'Canceled' }],
    ]);
    expect(world.laneOutcome(0)).toEqual({ lane: 0, attempts: 1, stoppedBy: 'Canceled' });
    expect(world.completes).toEqual([{ input: { executionId: 'job', reason: 'Canceled' }, at: 60_000 }]);
  });

  it('ends Canceled only after the running attempts have returned, starting nothing meanwhile', async () => {
    const world = createJobWorld({ children: 4, maxParallelism: 2, attempt: () => ({ durationMs: 600_000 }) });
    await world.start();
    await world.clock.advanceTo(at(10_200));
    world.requestCancel();
    // Raised at 10.2 s: the attempts look at the flag at 10.5 s. Until then nothing is completed.
    await world.clock.advanceTo(at(10_400));
    expect(world.completes).toEqual([]);
    expect(world.laneStatus(0)?.runtimeStatus).toBe('Running');

    await world.clock.advanceTo(at(120_000));
    expect(world.attempts.map((a) => [a.child, a.startedAt, a.endedAt, a.lifecycle])).toEqual([
      [0, 0, 10_500, 'Canceled'],
      [1, 0, 10_500, 'Canceled'],
    ]);
    expect(world.laneOutcome(0)).toEqual({ lane: 0, attempts: 2, stoppedBy: 'Canceled' });
    expect(world.completes).toEqual([{ input: { executionId: 'job', reason: 'Canceled' }, at: 10_500 }]);
    expect(world.lifecycles()).toEqual(['Canceled', 'Canceled', 'Canceled', 'Canceled']);
  });

  it("bounds a lane's sleep by the job's deadline: it wakes then and ends TimedOut, and so does the parent", async () => {
    const world = createJobWorld({
      children: 1,
      jobTimeoutMs: 30_000,
      policy: { maximumAttempts: 10, initialRetryIntervalMs: 60_000 },
      attempt: () => ({ outcome: transient() }),
    });
    await world.start();
    expect(world.clock.pendingTimers()).toEqual([at(30_000)]);

    await world.clock.advanceTo(at(29_999));
    expect(world.laneStatus(0)?.runtimeStatus).toBe('Running');
    await world.clock.advanceTo(at(3_600_000));
    expect(world.laneOutcome(0)).toEqual({ lane: 0, attempts: 1, stoppedBy: 'TimedOut' });
    // Woken by the deadline, the lane did not call runLane again.
    expect(world.laneCalls).toHaveLength(1);
    expect(world.completes).toEqual([{ input: { executionId: 'job', reason: 'TimedOut' }, at: 30_000 }]);
    expect(world.lifecycle(0)).toBe('TimedOut');
    expect(world.jobStatus()?.output).toEqual({ executionId: 'job', lifecycle: 'TimedOut' });
  });

  it('starts no lane and completes nothing when the expansion finds the parent already terminal', async () => {
    const world = createJobWorld({ children: 3, alreadyTerminal: true });
    await world.start();
    await world.clock.advanceTo(at(60_000));

    expect(world.jobStatus()).toMatchObject({ runtimeStatus: 'Completed', output: { executionId: 'job', lifecycle: null } });
    expect(world.host.stats().byOrchestrator.laneOrchestrator).toBeUndefined();
    expect(world.laneCalls).toEqual([]);
    expect(world.completes).toEqual([]);
  });

  it('completes Canceled with no lane when the cancel came before the expansion ended', async () => {
    const world = createJobWorld({ children: 3, expandMs: 10_000 });
    await world.start();
    await world.clock.advanceTo(at(5_000));
    world.requestCancel();
    await world.clock.advanceTo(at(120_000));

    // The expansion still planned its lane; the orchestration started none.
    expect(world.expansions[0].output).toMatchObject({ cancelRequested: true, lanes: [{ lane: 0, slots: 3 }] });
    expect(world.host.status(world.laneId(0))).toBeUndefined();
    expect(world.laneCalls).toEqual([]);
    expect(world.attempts).toEqual([]);
    expect(world.completes).toEqual([{ input: { executionId: 'job', reason: 'Canceled' }, at: 10_000 }]);
    expect(world.lifecycles()).toEqual(['Canceled', 'Canceled', 'Canceled']);
    expect(world.jobStatus()?.output).toEqual({ executionId: 'job', lifecycle: 'Canceled' });
  });

  it('completes TimedOut with no lane when the expansion ended past the deadline', async () => {
    const world = createJobWorld({ children: 3, expandMs: 20_000, jobTimeoutMs: 10_000 });
    await world.start();
    await world.clock.advanceTo(at(60_000));

    expect(world.host.status(world.laneId(0))).toBeUndefined();
    expect(world.completes).toEqual([{ input: { executionId: 'job', reason: 'TimedOut' }, at: 20_000 }]);
    expect(world.jobStatus()?.output).toEqual({ executionId: 'job', lifecycle: 'TimedOut' });
  });

  it('retries a lane whose runLane keeps failing on durable timers, then ends that lane without throwing while the others finish', async () => {
    // Two lanes of 10 slots; lane 0 never gets through. Lane 1 runs all 30 children, 100 s each: until 300 s.
    const world = createJobWorld({ children: 30, maxParallelism: 20, runLaneFails: (lane) => lane === 0, attempt: () => ({ durationMs: 100_000 }) });
    await world.start();
    await world.clock.advanceTo(at(100_000));

    expect(ACTIVITY_TRIES).toBe(5);
    expect(world.callsOf(0).map((c) => [c.at, c.threw])).toEqual([
      [0, true],
      [5_000, true],
      [15_000, true],
      [35_000, true],
      [75_000, true],
    ]);
    // The lane gave up without throwing: Completed, with no stop reason, and no sixth try.
    expect(world.laneStatus(0)).toMatchObject({ runtimeStatus: 'Completed', output: { lane: 0, attempts: 0 } });
    expect(world.laneOutcome(0)?.stoppedBy).toBeUndefined();
    // The parent waits for the other lane.
    expect(world.laneStatus(1)?.runtimeStatus).toBe('Running');
    expect(world.completes).toEqual([]);

    await world.clock.advanceTo(at(600_000));
    expect(world.callsOf(0)).toHaveLength(ACTIVITY_TRIES);
    expect(world.laneOutcome(1)).toEqual({ lane: 1, attempts: 30 });
    expect(world.completes).toEqual([{ input: { executionId: 'job' }, at: 300_000 }]);
    expect(world.jobStatus()?.output).toEqual({ executionId: 'job', lifecycle: 'Succeeded' });
  });

  it('continues a lane as new every CALLS_PER_GENERATION calls, adding up its attempts over the generations', async () => {
    expect(CALLS_PER_GENERATION).toBe(5);
    // One slot, one attempt per call: 12 calls, so generations of 5, 5 and 2 calls.
    const world = createJobWorld({ children: 12, maxParallelism: 1, attemptsPerSlotPerCall: 1 });
    await world.start();

    expect(world.callsOf(0)).toHaveLength(12);
    expect(world.host.stats().generations).toBe(2);
    expect(world.host.stats().byOrchestrator.laneOrchestrator.instances).toBe(1);
    // The parent heard only of the last generation's end, with the attempts of all three.
    expect(world.laneOutcome(0)).toEqual({ lane: 0, attempts: 12 });
    expect(world.laneStatus(0)?.historyLength).toBeLessThan(20);
    expect(world.completes).toEqual([{ input: { executionId: 'job' }, at: 0 }]);
    expect(world.jobStatus()?.output).toEqual({ executionId: 'job', lifecycle: 'Succeeded' });
    // Every call got the lane's input, whatever its generation.
    for (const c of world.laneCalls) expect(c.input).toEqual({ parentId: 'job', lane: 0, slots: 1, policy: world.policy, deadline: world.deadline, step: 1 });
  });

  it('sleeps in the generation of the call before it, then continues as new with its attempts', async () => {
    // Five calls (a generation) run children 0-4; child 4 fails and may be retried in 60 s, so the lane
    // sleeps after its fifth call, still in generation 0, and makes its sixth call in generation 1.
    const world = createJobWorld({
      children: 5,
      maxParallelism: 1,
      attemptsPerSlotPerCall: 1,
      policy: { initialRetryIntervalMs: 60_000 },
      attempt: (child, attempt) => (child === 4 && attempt === 1 ? { outcome: transient() } : {}),
    });
    await world.start();
    expect(world.host.stats().generations).toBe(0);
    expect(world.clock.pendingTimers()).toEqual([at(60_000)]);

    await world.clock.advanceTo(at(120_000));
    expect(world.callsOf(0).map((c) => c.at)).toEqual([0, 0, 0, 0, 0, 60_000]);
    expect(world.host.stats().generations).toBe(1);
    expect(world.laneOutcome(0)).toEqual({ lane: 0, attempts: 6 });
    expect(world.completes).toEqual([{ input: { executionId: 'job' }, at: 60_000 }]);
  });

  it('keeps replay work per target flat from 1,000 to 10,000 targets', async () => {
    // 10 lanes of 10 slots; a call runs one attempt per slot: 10 calls a lane for 1,000 targets, 100 for 10,000.
    const perTarget = async (n: number) => {
      const world = createJobWorld({ children: n, maxParallelism: 100, attemptsPerSlotPerCall: 1 });
      await world.start();
      expect(world.attempts).toHaveLength(n);
      expect(world.parent()).toBe('Succeeded');
      const stats = world.host.stats();
      return { events: stats.eventsReplayed / n, generations: stats.generations };
    };
    const small = await perTarget(1_000);
    const large = await perTarget(10_000);
    expect(large.generations).toBeGreaterThan(small.generations);
    expect(large.events / small.events).toBeLessThanOrEqual(1.2);
    expect(large.events).toBeLessThan(3);
  }, 60_000);

  it("retries the parent's own activities while the control database is away, 5 s apart and doubling", async () => {
    const world = createJobWorld({ children: 2, failFirst: { expand: 2, complete: 1 } });
    await world.start();
    await world.clock.advanceTo(at(60_000));

    expect(world.expansions.map((e) => e.at)).toEqual([0, 5_000, 15_000]);
    expect(world.attempts).toHaveLength(2);
    expect(world.completes).toEqual([{ input: { executionId: 'job' }, at: 20_000 }]);
    expect(world.jobStatus()).toMatchObject({ runtimeStatus: 'Completed', output: { lifecycle: 'Succeeded' } });
  });

  it('fails the orchestration when the control database stays away through the expansion', async () => {
    const world = createJobWorld({ children: 2, failFirst: { expand: 99 } });
    await world.start();
    await world.clock.advanceTo(at(3_600_000));

    expect(world.expansions.map((e) => e.at)).toEqual([0, 5_000, 15_000, 35_000, 75_000]);
    expect(world.jobStatus()).toMatchObject({ runtimeStatus: 'Failed', error: expect.stringContaining('control database unreachable') });
    expect(world.laneCalls).toEqual([]);
  });
});
