/**
 * The names and payloads that pass between the orchestrators (src/execution/orchestrators) and
 * the activities (src/execution/activities). Orchestrators import only these types and names,
 * never a store or a driver: they must stay deterministic under replay.
 *
 * Instance ids: the job orchestration's is the parent execution id; a batch's is
 * `<parentId>:batch:<n>` (`:<m>` more for a second level); a target orchestration's is the
 * child execution id. The control database, not the instance id, makes a start happen once.
 */
import type { JobExecutionLifecycle } from '../domain/schemas/execution';
import type { RetryPolicy } from '../domain/retryPolicy';
import type { TaskOutcome } from '../domain/taskOutcome';

// Shared with src/domain and src/control, so defined in src/domain; named here for the orchestrators.
export type { RetryPolicy };

export const ORCHESTRATORS = {
  job: 'jobOrchestrator',
  batch: 'batchOrchestrator',
  target: 'targetOrchestrator',
} as const;

export const ACTIVITIES = {
  expandJobExecution: 'expandJobExecution',
  runTaskAttempt: 'runTaskAttempt',
  markJobExecution: 'markJobExecution',
  completeJobExecution: 'completeJobExecution',
} as const;

/** The event raised to every instance of an execution when it is cancelled. */
export const CANCEL_EVENT = 'cancel';

export interface JobOrchestratorInput {
  executionId: string;
}

export interface ChildPlan {
  /** The child execution id, also its target orchestration's instance id. */
  executionId: string;
  lifecycle: JobExecutionLifecycle;
  /** Attempts already on record (after a restart: resume from attempt attemptsMade + 1). */
  attemptsMade: number;
}

/** expandJobExecution: resolves the target now, upserts one child per database, returns the plan. Idempotent. */
export interface ExpandInput {
  executionId: string;
}
export interface ExpandOutput {
  /** Parent already terminal (cancelled before it started, or a replayed finished execution). */
  alreadyTerminal: boolean;
  children: ChildPlan[];
  policy: RetryPolicy;
  maxParallelism: number;
  /** ISO timestamp: parent start + jobTimeout. Past it, every non-terminal child ends TimedOut. */
  deadline: string;
  /** Set when the parent was cancel-requested before or during expansion. */
  cancelRequested: boolean;
  /**
   * The shortest poll of the fan-out windows (see orchestrators/window.ts), chosen by the host:
   * Azure's durable timers travel through storage queues, the local host's are in memory.
   */
  windowPollMs?: number;
}

export interface BatchInput {
  parentId: string;
  children: ChildPlan[];
  policy: RetryPolicy;
  /** How many of this batch's targets may run at once. */
  parallelism: number;
  deadline: string;
  /** ExpandOutput.windowPollMs, passed down. */
  windowPollMs?: number;
  /**
   * Set on a batch of batches (the second level, for jobs of more than 100 batches): it runs
   * these as its own batch orchestrations, at most `parallelism` targets at once across them;
   * `children` is then empty.
   */
  batches?: BatchOfTargets[];
}

/** One batch of a batch of batches: its targets and how many of them may run at once. */
export interface BatchOfTargets {
  children: ChildPlan[];
  parallelism: number;
}

export interface TargetInput {
  parentId: string;
  child: ChildPlan;
  policy: RetryPolicy;
  deadline: string;
}

/** A target orchestration never throws: it returns its outcome, because Task.all fails fast. */
export interface TargetOutcome {
  executionId: string;
  lifecycle: Extract<JobExecutionLifecycle, 'Succeeded' | 'Failed' | 'TimedOut' | 'Canceled' | 'Skipped'>;
  attempts: number;
  message: string | null;
}

/** runTaskAttempt: records the task execution of this attempt, runs it, records the outcome. Idempotent per (executionId, attempt). */
export interface RunTaskInput {
  /** Child execution id. */
  executionId: string;
  attempt: number;
  /** The attempt bounds itself (statement cancelled on the server): taskTimeout, or what is left before the deadline. */
  timeoutMs: number | null;
}
/** The attempt's outcome, as recorded on its task execution (src/domain/taskOutcome.ts). */
export type RunTaskOutput = TaskOutcome;

/** markJobExecution: sets a lifecycle (and message). Never moves a terminal execution. Idempotent. */
export interface MarkInput {
  executionId: string;
  lifecycle: JobExecutionLifecycle;
  message?: string | null;
}
/**
 * What markJobExecution may return: the lifecycle the execution has after the call (the one
 * asked for, or the terminal one it already had). A target orchestration that finds its child
 * already ended (cancelled or timed out while it was queued) stops without an attempt. A void
 * result reads as "moved as asked".
 */
export interface MarkOutput {
  lifecycle: JobExecutionLifecycle;
}

/**
 * completeJobExecution: ends the parent. With `reason` TimedOut or Canceled, every child not yet
 * terminal ends that way first. Otherwise the parent's lifecycle is rolled up from its children.
 */
export interface CompleteInput {
  executionId: string;
  reason?: 'TimedOut' | 'Canceled';
}
export interface CompleteOutput {
  lifecycle: JobExecutionLifecycle;
}
