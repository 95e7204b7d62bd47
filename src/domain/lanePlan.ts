/**
 * How many lanes run a job execution's children, and how many attempts each lane runs at once
 * (its slots). Pure, so the job orchestration's plan is tested alone.
 *
 * Why lanes with slots rather than one orchestration per slot: Durable replays an
 * orchestration's whole history at every event, so a job orchestration waiting on L lanes
 * replays about 1.5 L^2 events in all; L stays at most MAX_LANES however large maxParallelism
 * is, and a lane's activity runs its slots concurrently in one process (docs/engine.md).
 */

/** Attempts one lane runs at once, by default: lanes of about this many slots. */
export const SLOTS_PER_LANE = 10;
/** Lane orchestrations per job execution, at most. */
export const MAX_LANES = 64;

export interface LaneShare {
  /** The lane's number, 0-based: its orchestration is `<parent id>:lane:<lane>`. */
  lane: number;
  /** Attempts it runs at once. */
  slots: number;
}

/** The lanes for `open` children not yet ended under `maxParallelism` (P): min(P, open) slots in all, in lanes whose slots differ by at most one. */
export function planLanes(open: number, maxParallelism: number): LaneShare[] {
  const total = Math.min(Math.max(1, Math.floor(maxParallelism)), open);
  if (total <= 0) return [];
  const lanes = Math.min(MAX_LANES, Math.ceil(total / SLOTS_PER_LANE));
  const base = Math.floor(total / lanes);
  const extra = total - base * lanes;
  return Array.from({ length: lanes }, (_, lane) => ({ lane, slots: base + (lane < extra ? 1 : 0) }));
}

/**
 * The instance id of a lane orchestration of a parent execution: `<parent>:lane:<n>` for step 1,
 * `<parent>:step<k>:lane:<n>` for step k > 1, with `:canary` before `:lane` for the lanes of a
 * canary wave (src/domain/safetyRails.ts), which run before the others under ids of their own.
 */
export function laneInstanceId(parentId: string, lane: number, canary = false, step = 1): string {
  return `${parentId.toLowerCase()}${step > 1 ? `:step${step}` : ''}${canary ? ':canary' : ''}:lane:${lane}`;
}
