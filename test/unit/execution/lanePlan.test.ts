/**
 * The lane plan (src/domain/lanePlan.ts): how many lane orchestrations a job execution runs and
 * how many attempts each runs at once. Pure; kept beside the orchestrators that use it.
 */
import { MAX_LANES, SLOTS_PER_LANE, laneInstanceId, planLanes, type LaneShare } from '../../../src/domain/lanePlan';

const total = (lanes: LaneShare[]) => lanes.reduce((sum, l) => sum + l.slots, 0);

/** The invariants every plan keeps, whatever its inputs. */
function expectWellFormed(lanes: LaneShare[], open: number, maxParallelism: number) {
  expect(total(lanes)).toBe(Math.min(Math.max(1, Math.floor(maxParallelism)), Math.max(0, open)));
  expect(lanes.length).toBeLessThanOrEqual(MAX_LANES);
  expect(lanes.map((l) => l.lane)).toEqual(lanes.map((_, i) => i));
  for (const l of lanes) expect(l.slots).toBeGreaterThanOrEqual(1);
  if (lanes.length > 0) {
    const slots = lanes.map((l) => l.slots);
    expect(Math.max(...slots) - Math.min(...slots)).toBeLessThanOrEqual(1);
  }
}

describe('planLanes', () => {
  it('plans min(maxParallelism, open) slots in lanes of about SLOTS_PER_LANE, slots differing by at most one', () => {
    expect(SLOTS_PER_LANE).toBe(10);
    expect(planLanes(100, 25)).toEqual([
      { lane: 0, slots: 9 },
      { lane: 1, slots: 8 },
      { lane: 2, slots: 8 },
    ]);
    // Fewer children open than maxParallelism: no slot waits for a child that does not exist.
    expect(planLanes(7, 100)).toEqual([{ lane: 0, slots: 7 }]);
    expect(planLanes(1_000, 100)).toEqual(Array.from({ length: 10 }, (_, lane) => ({ lane, slots: 10 })));
    expect(planLanes(11, 11)).toEqual([
      { lane: 0, slots: 6 },
      { lane: 1, slots: 5 },
    ]);
  });

  it('plans no lane when nothing is open', () => {
    expect(planLanes(0, 100)).toEqual([]);
    expect(planLanes(0, 1)).toEqual([]);
  });

  it('runs one slot with maxParallelism 1, however many children are open', () => {
    expect(planLanes(1, 1)).toEqual([{ lane: 0, slots: 1 }]);
    expect(planLanes(10_000, 1)).toEqual([{ lane: 0, slots: 1 }]);
  });

  it('caps the lanes at MAX_LANES for a huge maxParallelism, spreading the slots over them', () => {
    const lanes = planLanes(100_000, 5_000);
    expect(lanes).toHaveLength(MAX_LANES);
    expect(total(lanes)).toBe(5_000);
    // 5,000 over 64 lanes: 78 or 79 each.
    expect(new Set(lanes.map((l) => l.slots))).toEqual(new Set([79, 78]));
    const unbounded = planLanes(1_000_000, Number.MAX_SAFE_INTEGER);
    expect(unbounded).toHaveLength(MAX_LANES);
    expect(total(unbounded)).toBe(1_000_000);
  });

  it('treats a maxParallelism below one as one and rounds a fraction down', () => {
    expect(planLanes(5, 0)).toEqual([{ lane: 0, slots: 1 }]);
    expect(planLanes(50, 12.9)).toEqual([
      { lane: 0, slots: 6 },
      { lane: 1, slots: 6 },
    ]);
  });

  it('keeps its invariants over a grid of inputs', () => {
    for (const open of [0, 1, 2, 9, 10, 11, 99, 640, 641, 5_000, 100_000]) {
      for (const p of [1, 2, 9, 10, 11, 64, 100, 639, 640, 641, 1_000, 10_000]) expectWellFormed(planLanes(open, p), open, p);
    }
  });
});

describe('laneInstanceId', () => {
  it('is the parent id lower-cased, then :lane: and the lane number', () => {
    expect(laneInstanceId('3F2504E0-4F89-11D3-9A0C-0305E82C3301', 0)).toBe('3f2504e0-4f89-11d3-9a0c-0305e82c3301:lane:0');
    expect(laneInstanceId('job', 12)).toBe('job:lane:12');
  });
});
