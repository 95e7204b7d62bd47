import type { BatchOfTargets, ChildPlan } from '../../../src/execution/contracts';
import { BATCH_SIZE, FAN_OUT, planFanOut, queuedShare, spread, splitEvenly, type FanOutPlan } from '../../../src/execution/orchestrators/fanOutPlan';

const children = (n: number): ChildPlan[] => Array.from({ length: n }, (_, i) => ({ executionId: `c${i}`, lifecycle: 'Created', attemptsMade: 0 }));

/** Rounds of equal tasks a window of `capacity` takes over units of `weight` and `rounds` each, started in order. */
function windowRounds(units: { weight: number; rounds: number }[], capacity: number): number {
  const ends: { at: number; weight: number }[] = [];
  let used = 0;
  let time = 0;
  let makespan = 0;
  for (const unit of units) {
    while (used + unit.weight > capacity && ends.length > 0) {
      ends.sort((a, b) => a.at - b.at);
      const done = ends.shift()!;
      time = Math.max(time, done.at);
      used -= done.weight;
    }
    ends.push({ at: time + unit.rounds, weight: unit.weight });
    used += unit.weight;
    makespan = Math.max(makespan, time + unit.rounds);
  }
  return makespan;
}

const batchRounds = (b: BatchOfTargets) => Math.ceil(b.children.length / b.parallelism);

function makespan(plan: FanOutPlan): number {
  return windowRounds(
    plan.units.map((u) => ({ weight: u.parallelism, rounds: windowRounds(u.batches.map((b) => ({ weight: b.parallelism, rounds: batchRounds(b) })), u.parallelism) })),
    plan.parallelism,
  );
}

function checkShape(n: number, p: number): FanOutPlan {
  const plan = planFanOut(children(n), p);
  const batches = plan.units.flatMap((u) => u.batches);
  // Every child once, in order.
  const ids = batches.flatMap((b) => b.children.map((c) => c.executionId));
  expect(ids.length).toBe(n);
  expect(ids.every((id, i) => id === `c${i}`)).toBe(true);
  expect(plan.parallelism).toBeLessThanOrEqual(Math.min(p, n));
  expect(plan.units.length).toBeLessThanOrEqual(FAN_OUT);
  for (const unit of plan.units) {
    expect(unit.batches.length).toBeLessThanOrEqual(FAN_OUT);
    expect(unit.parallelism).toBeLessThanOrEqual(plan.parallelism);
    for (const batch of unit.batches) {
      expect(batch.children.length).toBeLessThanOrEqual(BATCH_SIZE + 1);
      expect(batch.parallelism).toBeGreaterThanOrEqual(1);
      expect(batch.parallelism).toBeLessThanOrEqual(Math.min(unit.parallelism, batch.children.length));
    }
  }
  return plan;
}

describe('fan-out plan', () => {
  it('spreads a total and splits a list evenly', () => {
    expect(spread(15, 10)).toEqual([2, 2, 2, 2, 2, 1, 1, 1, 1, 1]);
    expect(splitEvenly([1, 2, 3, 4, 5], 2)).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it('plans nothing for a target that expanded to no database', () => {
    expect(planFanOut([], 10)).toEqual({ parallelism: 0, units: [] });
  });

  it('runs a small job as one batch with all its targets at once when the parallelism allows', () => {
    const plan = checkShape(50, 1_000);
    expect(plan.parallelism).toBe(50);
    expect(plan.units).toHaveLength(1);
    expect(plan.units[0].batches[0]).toMatchObject({ parallelism: 50 });
  });

  it('starts every batch at once with a share of P in proportion to its size when each slot has few targets', () => {
    const plan = checkShape(250, 100);
    expect(plan.units.map((u) => [u.batches[0].children.length, u.parallelism])).toEqual([
      [85, 34],
      [82, 33],
      [83, 33],
    ]);
    expect(makespan(plan)).toBe(3);
  });

  it('gives 1,000 targets at P = 100 ten batches of 100 with ten slots each', () => {
    const plan = checkShape(1_000, 100);
    expect(plan.units.map((u) => [u.batches[0].children.length, u.parallelism])).toEqual(Array(10).fill([100, 10]));
  });

  it('queues batches of the same shape behind P for 10,000 and 50,000 targets at P = 100', () => {
    for (const n of [10_000, 50_000]) {
      const plan = checkShape(n, 100);
      const batches = plan.units.flatMap((u) => u.batches);
      expect(plan.parallelism).toBe(100);
      expect(new Set(batches.map((b) => b.parallelism))).toEqual(new Set([10]));
      expect(new Set(batches.map((b) => b.children.length))).toEqual(new Set([100]));
    }
  });

  it('adds a level of batches of batches past 100 batches, each running a whole number of batches at once', () => {
    const plan = checkShape(50_000, 100);
    expect(plan.units).toHaveLength(5);
    expect(plan.units.map((u) => [u.batches.length, u.parallelism])).toEqual(Array(5).fill([100, 20]));
    const huge = checkShape(1_000_000, 100);
    expect(huge.units).toHaveLength(100);
    expect(huge.units.every((u) => u.parallelism === 10)).toBe(true);
  });

  it('keeps the makespan of equal tasks within 10% of N / P (plus a round)', () => {
    for (const [n, p] of [
      [1_000, 15],
      [1_000, 7],
      [1_000, 3],
      [5_000, 37],
      [10_000, 100],
      [12_345, 101],
      [20_000, 250],
      [3_000, 1],
    ]) {
      const ideal = Math.ceil(n / p);
      const rounds = makespan(checkShape(n, p));
      const bound = Math.ceil(ideal * 1.1) + 1;
      expect({ n, p, nearIdeal: rounds >= ideal && rounds <= bound }).toEqual({ n, p, nearIdeal: true });
    }
  });

  it('chooses a queued share that wastes as little of P as it can', () => {
    expect(queuedShare(7)).toBe(7);
    expect(queuedShare(100)).toBe(10);
    expect(queuedShare(15)).toBe(5);
    expect(queuedShare(19)).toBe(9);
    expect(queuedShare(101)).toBe(10);
  });

  it('handles a parallelism of 1: one target at a time, batches of ten', () => {
    const plan = checkShape(1_010, 1);
    expect(plan.parallelism).toBe(1);
    expect(plan.units).toHaveLength(2);
    expect(plan.units[0].batches[0]).toMatchObject({ parallelism: 1 });
    expect(plan.units[0].batches[0].children).toHaveLength(10);
  });
});
