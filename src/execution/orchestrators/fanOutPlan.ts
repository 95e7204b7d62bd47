/**
 * How a job's children are spread over batch orchestrations. Pure, so the job orchestrator can
 * compute it under replay, and so it can be tested without an orchestration.
 *
 * Why a tree: Durable replays an orchestrator's whole history at every event, so one
 * orchestrator with N children costs O(N^2). Batches of at most ~100 targets (and, past 100
 * batches, batches of batches) keep the replay work per target flat.
 *
 * Why these shapes: at most `maxParallelism` (P) targets run across the job, and the ideal
 * makespan is N / P rounds of equal tasks.
 * - When every slot has at most ROUNDS_PER_BATCH targets to run, all batches start at once,
 *   each with a share of P and as many targets as its share finishes in the ideal time, so no
 *   batch is left running alone at the end.
 * - Otherwise batches of the same shape (a share of at most 10 and ROUNDS_PER_BATCH targets per
 *   slot, so about 100 targets) queue behind P: the job runs P / share of them at once and
 *   starts the next when one ends. The shape does not depend on N, so neither does the replay
 *   work per target; and a target that retries for hours holds one slot of its batch, not a
 *   whole sequence of targets behind it.
 */
import type { BatchOfTargets, ChildPlan } from '../contracts';

/** Targets per batch orchestration, at most (about: a share's rounding may add one). */
export const BATCH_SIZE = 100;
/** Sub-orchestrations one orchestration starts, at most, before the plan adds a level. */
export const FAN_OUT = 100;
/** Targets each slot of a batch runs one after another, at most. */
export const ROUNDS_PER_BATCH = 10;
/** The share of a queued batch, at most: ROUNDS_PER_BATCH rounds of it fill one batch. */
export const QUEUED_SHARE = BATCH_SIZE / ROUNDS_PER_BATCH;

/** One sub-orchestration of the job: a batch of targets, or (second level) a batch of batches. */
export interface FanOutUnit {
  /** How many targets it runs at once, at most: its share of the job's parallelism. */
  parallelism: number;
  /** One batch: a batch orchestration of targets. Several: a batch orchestration of batches. */
  batches: BatchOfTargets[];
}

export interface FanOutPlan {
  /** Targets running at once across the job, at most (the sum of the shares running together). */
  parallelism: number;
  units: FanOutUnit[];
}

/** `total` as `parts` integers that differ by at most one, the larger first. */
export function spread(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  const extra = total - base * parts;
  return Array.from({ length: parts }, (_, i) => base + (i < extra ? 1 : 0));
}

/** `items` cut in `parts` contiguous runs whose lengths differ by at most one. */
export function splitEvenly<T>(items: readonly T[], parts: number): T[][] {
  const out: T[][] = [];
  let at = 0;
  for (const size of spread(items.length, parts)) {
    out.push(items.slice(at, at + size));
    at += size;
  }
  return out;
}

export function planFanOut(children: readonly ChildPlan[], maxParallelism: number): FanOutPlan {
  const n = children.length;
  if (n === 0) return { parallelism: 0, units: [] };
  const p = Math.min(Math.max(1, Math.floor(maxParallelism)), n);
  return Math.ceil(n / p) <= ROUNDS_PER_BATCH ? allAtOnce(children, p) : queued(children, p);
}

function allAtOnce(children: readonly ChildPlan[], p: number): FanOutPlan {
  const n = children.length;
  const out: BatchOfTargets[] = [];
  let before = 0;
  // Lanes share P; each gets children in proportion to its share; a lane with more than a batch's worth is cut in batches that split its share.
  for (const share of spread(p, Math.ceil(n / BATCH_SIZE))) {
    const lane = children.slice(Math.floor((n * before) / p), Math.floor((n * (before + share)) / p));
    before += share;
    const cuts = Math.max(1, Math.min(share, Math.ceil(lane.length / BATCH_SIZE)));
    const shares = spread(share, cuts);
    splitEvenly(lane, cuts).forEach((part, i) => {
      if (part.length > 0) out.push({ children: part, parallelism: Math.min(shares[i], part.length) });
    });
  }
  if (out.length <= FAN_OUT) return { parallelism: p, units: out.map((b) => ({ parallelism: b.parallelism, batches: [b] })) };
  const groups = splitEvenly(out, Math.ceil(out.length / FAN_OUT));
  return { parallelism: p, units: groups.map((g) => ({ parallelism: g.reduce((sum, b) => sum + b.parallelism, 0), batches: g })) };
}

/** The share of a queued batch: at most QUEUED_SHARE, wasting as little of P as can be (P mod share). */
export function queuedShare(p: number): number {
  if (p <= QUEUED_SHARE) return p;
  let best = QUEUED_SHARE;
  for (let share = QUEUED_SHARE; share >= Math.ceil(QUEUED_SHARE / 2); share--) if (p % share < p % best) best = share;
  return best;
}

function queued(children: readonly ChildPlan[], p: number): FanOutPlan {
  const share = queuedShare(p);
  // `lanes` batches run at once; each lane runs `waves` of them one after another, so the last wave is as full as the first.
  const lanes = Math.floor(p / share);
  const waves = Math.ceil(children.length / (ROUNDS_PER_BATCH * share * lanes));
  const batches = splitEvenly(children, waves * lanes).map((part) => ({ children: part, parallelism: Math.min(share, part.length) }));
  const capacity = share * lanes;
  if (batches.length <= FAN_OUT) return { parallelism: capacity, units: batches.map((b) => ({ parallelism: b.parallelism, batches: [b] })) };

  if (waves <= FAN_OUT) {
    // Batches of batches made of whole lanes: all of them run at once, each `lanes in it` batches at a time.
    const lanesPerGroup = spread(lanes, Math.ceil(lanes / Math.floor(FAN_OUT / waves)));
    const units: FanOutUnit[] = [];
    let at = 0;
    for (const k of lanesPerGroup) {
      units.push({ parallelism: k * share, batches: batches.slice(at, at + k * waves) });
      at += k * waves;
    }
    return { parallelism: capacity, units };
  }
  // Lanes longer than FAN_OUT batches are cut in pieces, one batch at a time each, queued behind the lanes.
  const groups = splitEvenly(batches, lanes * Math.ceil(waves / FAN_OUT));
  return { parallelism: capacity, units: groups.map((g) => ({ parallelism: share, batches: g })) };
}
