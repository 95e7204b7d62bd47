/**
 * The names and payloads that pass between the orchestrators (src/execution/orchestrators) and
 * the activities (src/execution/activities). Orchestrators import only these types and names,
 * never a store or a driver: they must stay deterministic under replay.
 *
 * Instance ids: the job orchestration's is the parent execution id; a lane's is
 * `<parentId>:lane:<n>` (src/domain/lanePlan.ts). The control database, not the instance id,
 * makes a start happen once and a child run once per attempt (docs/engine.md).
 */
import type { LaneShare } from '../domain/lanePlan';
import type { RetryPolicy } from '../domain/retryPolicy';
import type { JobExecutionLifecycle } from '../domain/schemas/execution';

// Shared with src/domain and src/control, so defined in src/domain; named here for the orchestrators.
export type { LaneShare, RetryPolicy };

export const ORCHESTRATORS = {
  job: 'jobOrchestrator',
  lane: 'laneOrchestrator',
} as const;

export const ACTIVITIES = {
  expandJobExecution: 'expandJobExecution',
  runLane: 'runLane',
  closeCanaryWave: 'closeCanaryWave',
  closeStep: 'closeStep',
  completeJobExecution: 'completeJobExecution',
} as const;

/** The event raised to a job execution's orchestration and its lanes when it is canceled. */
export const CANCEL_EVENT = 'cancel';

export interface JobOrchestratorInput {
  executionId: string;
}

/**
 * expandJobExecution: resolves a step's target now, queues one child per database, settles what
 * a stopped run left, returns the lanes. Idempotent: a step already expanded is not again.
 */
export interface ExpandInput {
  executionId: string;
  /** The step to expand (1-based; 1 when left out). */
  stepIndex?: number;
}
export interface ExpandOutput {
  /** Parent already terminal (canceled before it started, failed at expansion, or a replayed finished execution). */
  alreadyTerminal: boolean;
  /** The lanes to run; empty when no child is left to run. */
  lanes: LaneShare[];
  policy: RetryPolicy;
  /** ISO timestamp: parent start + jobTimeout. Past it, no attempt starts and every child not ended ends TimedOut. */
  deadline: string;
  /** Set when the parent was cancel-requested before or during expansion. */
  cancelRequested: boolean;
  /** A canary wave runs first: the others are held back until closeCanaryWave judges it. */
  canary?: boolean;
  /** The safety rails the lanes' claims apply (src/domain/safetyRails.ts). */
  rails?: LaneRails;
  /** How many steps the execution runs (1 for a job of one step, and for executions from before steps). */
  steps?: number;
}

/** closeStep: once a step's lanes ended, whether the next step runs (its onFailure). */
export interface CloseStepInput {
  executionId: string;
  stepIndex: number;
}
export interface CloseStepOutput {
  /** False when a child of the step Failed or TimedOut and the step's onFailure is stopJob. */
  next: boolean;
}

/** What a lane's claims must respect besides maxParallelism. */
export interface LaneRails {
  /** No claim once this many children ended Failed or TimedOut (null: no threshold). */
  failureLimit: number | null;
  /** At most this many attempts at once on one server (null: no cap). */
  maxPerServer: number | null;
}

/** closeCanaryWave: once the canary's lanes ended, releases the other databases or skips them. */
export interface CloseCanaryInput {
  executionId: string;
  /** The step whose canary ended (1 when left out). */
  stepIndex?: number;
}
export interface CloseCanaryOutput {
  /** The lanes of the released wave; empty when the canary failed (the others were skipped) or nothing is left. */
  lanes: LaneShare[];
}

/** A lane orchestration: runs runLane until the parent has nothing queued, sleeping durably on retries. */
export interface LaneInput {
  parentId: string;
  lane: number;
  slots: number;
  policy: RetryPolicy;
  deadline: string;
  /** How many times the lane continued as new (its history kept short, docs/engine.md). */
  generation?: number;
  rails?: LaneRails;
  /** The step whose children it claims (1 when left out). */
  step?: number;
}

/** Why a lane stopped before its queue was empty. */
export type LaneStop = 'Canceled' | 'TimedOut';

export interface LaneOutcome {
  lane: number;
  /** Attempts the lane ran, over its generations. */
  attempts: number;
  stoppedBy?: LaneStop;
}

/** runLane: claims, runs and records children of the parent, `slots` at once, for a bounded time. */
export interface RunLaneInput {
  parentId: string;
  lane: number;
  slots: number;
  policy: RetryPolicy;
  deadline: string;
  rails?: LaneRails;
  /** The step whose children it claims (1 when left out). */
  step?: number;
}
export interface RunLaneOutput {
  /** Attempts this call ran. */
  attempts: number;
  /** True when the call stopped for its time budget with children still ready: call again at once. */
  more: boolean;
  /** When the earliest child still queued is ready (null: nothing queued, the lane is done). */
  nextNotBefore: string | null;
  /** Set when the call found the parent canceled or the deadline passed. */
  stoppedBy?: LaneStop;
}

/**
 * completeJobExecution: ends the parent, once its lanes have ended (nothing runs any more). With
 * `reason` TimedOut or Canceled, every child not yet terminal ends that way first. Otherwise the
 * parent's lifecycle is rolled up from its children.
 */
export interface CompleteInput {
  executionId: string;
  reason?: LaneStop;
}
export interface CompleteOutput {
  lifecycle: JobExecutionLifecycle;
}
