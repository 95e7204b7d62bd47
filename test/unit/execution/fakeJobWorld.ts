/**
 * A job's world without a database, for driving the real orchestrators through the replay host
 * on a manual clock: fake activities that keep the lifecycles the way the control database
 * would (a terminal execution never moves), and record every call with its clock time. A fake
 * attempt bounds itself as the real one does: it ends TimedOut at its timeoutMs, and it looks
 * for the cancel flag every CANCEL_POLL_MS and then returns Canceled.
 */
import { orchestrators } from '../../../src/execution/orchestrators';
import {
  ACTIVITIES,
  CANCEL_EVENT,
  ORCHESTRATORS,
  type ChildPlan,
  type CompleteInput,
  type CompleteOutput,
  type ExpandOutput,
  type MarkInput,
  type MarkOutput,
  type RetryPolicy,
  type RunTaskInput,
  type RunTaskOutput,
} from '../../../src/execution/contracts';
import { isTerminal, rollUp, type LifecycleCounts } from '../../../src/domain/lifecycle';
import type { JobExecutionLifecycle } from '../../../src/domain/schemas/execution';
import { ManualHostClock } from '../../../src/execution/replay/hostClock';
import { ReplayHost } from '../../../src/execution/replay/replayHost';

export const START = '2026-01-05T09:00:00.000Z';
export const at = (ms: number) => new Date(new Date(START).getTime() + ms);
export const msSinceStart = (date: Date | string) => new Date(date).getTime() - new Date(START).getTime();

export const POLICY: RetryPolicy = {
  maximumAttempts: 3,
  initialRetryIntervalMs: 100,
  maximumRetryIntervalMs: 30 * 60_000,
  retryIntervalBackoffCoefficient: 2,
  taskTimeoutMs: null,
};

/** What one attempt does: how long it takes (clock time) and what it returns, or throws. */
export interface AttemptScript {
  durationMs?: number;
  result?: RunTaskOutput;
  throws?: string;
}

export const succeeded: RunTaskOutput = { lifecycle: 'Succeeded', retryable: false, message: null };
export const transient = (message = 'connection reset'): RunTaskOutput => ({ lifecycle: 'Failed', retryable: true, message });
export const permanent = (message = 'permission denied'): RunTaskOutput => ({ lifecycle: 'Failed', retryable: false, message });

export interface AttemptRecord {
  executionId: string;
  attempt: number;
  timeoutMs: number | null;
  startedAt: number;
  endedAt?: number;
}

export interface WorldOptions {
  children: number | string[];
  maxParallelism?: number;
  policy?: Partial<RetryPolicy>;
  /** From the start. */
  jobTimeoutMs?: number;
  attempt?: (executionId: string, attempt: number) => AttemptScript;
  /** Clock time the expansion takes. */
  expandMs?: number;
  maxConcurrentActivities?: number;
  /** How many first calls of the parent's activities throw (a control database away for a while). */
  failFirst?: { expand?: number; complete?: number };
  /** ExpandOutput.windowPollMs: the host's shortest window poll. */
  windowPollMs?: number;
  /** Children as a previous run left them (a resumed execution). */
  resumed?: Record<string, { lifecycle: JobExecutionLifecycle; attemptsMade: number }>;
}

export const childId = (i: number) => `child-${String(i).padStart(5, '0')}`;

/** How often a fake attempt looks at the cancel flag (the real one: about every 500 ms). */
export const CANCEL_POLL_MS = 500;

export function createJobWorld(options: WorldOptions) {
  const clock = new ManualHostClock(START);
  const ids = typeof options.children === 'number' ? Array.from({ length: options.children }, (_, i) => childId(i)) : options.children;
  const policy = { ...POLICY, ...options.policy };
  const lifecycles = new Map<string, JobExecutionLifecycle>(ids.map((id) => [id, options.resumed?.[id]?.lifecycle ?? 'Created']));
  const attemptsBefore = (id: string) => options.resumed?.[id]?.attemptsMade ?? 0;
  const marks: { executionId: string; lifecycle: JobExecutionLifecycle; at: number }[] = [];
  const attempts: AttemptRecord[] = [];
  const completes: { input: CompleteInput; at: number }[] = [];
  let parent: JobExecutionLifecycle = 'Created';
  let running = 0;
  let maxRunning = 0;
  let expansions = 0;
  const expandCalls: number[] = [];
  let completeCalls = 0;
  const now = () => msSinceStart(clock.now());
  const cancelRequested = new Set<string>();

  /** Sleeps `ms` of clock time unless the child's cancel flag is seen first; says which. */
  async function run(id: string, ms: number): Promise<'done' | 'canceled'> {
    for (let left = ms; left > 0; left -= CANCEL_POLL_MS) {
      if (cancelRequested.has(id)) return 'canceled';
      await clock.sleep(Math.min(CANCEL_POLL_MS, left));
    }
    return cancelRequested.has(id) ? 'canceled' : 'done';
  }

  const setLifecycle = (id: string, lifecycle: JobExecutionLifecycle): JobExecutionLifecycle => {
    const current = lifecycles.get(id)!;
    if (!isTerminal(current)) lifecycles.set(id, lifecycle);
    return lifecycles.get(id)!;
  };

  const activities = {
    async [ACTIVITIES.expandJobExecution](): Promise<ExpandOutput> {
      expansions++;
      expandCalls.push(now());
      if (expandCalls.length <= (options.failFirst?.expand ?? 0)) throw new Error('control database unreachable');
      if (options.expandMs) await clock.sleep(options.expandMs);
      parent = 'WaitingForChildJobExecutions';
      const children: ChildPlan[] = ids.map((id) => ({ executionId: id, lifecycle: lifecycles.get(id)!, attemptsMade: attemptsBefore(id) + attempts.filter((a) => a.executionId === id).length }));
      return {
        alreadyTerminal: false,
        children,
        policy,
        maxParallelism: options.maxParallelism ?? 100,
        deadline: at(options.jobTimeoutMs ?? 7 * 86_400_000).toISOString(),
        cancelRequested: false,
        windowPollMs: options.windowPollMs,
      };
    },
    async [ACTIVITIES.runTaskAttempt](input: RunTaskInput): Promise<RunTaskOutput> {
      const record: AttemptRecord = { executionId: input.executionId, attempt: input.attempt, timeoutMs: input.timeoutMs, startedAt: now() };
      attempts.push(record);
      running++;
      maxRunning = Math.max(maxRunning, running);
      try {
        const script = options.attempt?.(input.executionId, input.attempt) ?? {};
        if (cancelRequested.has(input.executionId)) return { lifecycle: 'Canceled', retryable: false, message: 'canceled before it started' };
        if (script.durationMs) {
          const bounded = input.timeoutMs !== null && script.durationMs > input.timeoutMs;
          const ended = await run(input.executionId, bounded ? input.timeoutMs! : script.durationMs);
          if (ended === 'canceled') return { lifecycle: 'Canceled', retryable: false, message: 'statement canceled on the server' };
          if (bounded) return { lifecycle: 'TimedOut', retryable: true, message: 'task timeout' };
        }
        if (script.throws) throw new Error(script.throws);
        return script.result ?? succeeded;
      } finally {
        running--;
        record.endedAt = now();
      }
    },
    async [ACTIVITIES.markJobExecution](input: MarkInput): Promise<MarkOutput> {
      marks.push({ executionId: input.executionId, lifecycle: input.lifecycle, at: now() });
      return { lifecycle: setLifecycle(input.executionId, input.lifecycle) };
    },
    async [ACTIVITIES.completeJobExecution](input: CompleteInput): Promise<CompleteOutput> {
      if (++completeCalls <= (options.failFirst?.complete ?? 0)) throw new Error('control database unreachable');
      completes.push({ input, at: now() });
      if (input.reason) for (const id of ids) setLifecycle(id, input.reason);
      const counts: LifecycleCounts = {};
      for (const l of lifecycles.values()) counts[l] = (counts[l] ?? 0) + 1;
      parent = input.reason ?? rollUp(counts);
      return { lifecycle: parent };
    },
  };

  const host = new ReplayHost({ orchestrators, activities, clock, maxConcurrentActivities: options.maxConcurrentActivities });
  clock.attach((parked) => host.settled(parked));

  return {
    clock,
    host,
    ids,
    policy,
    marks,
    attempts,
    completes,
    lifecycle: (id: string) => lifecycles.get(id),
    parent: () => parent,
    maxRunning: () => maxRunning,
    expansions: () => expansions,
    expandCalls,
    attemptsOf: (id: string) => attempts.filter((a) => a.executionId === id),
    /** Starts the job orchestration (instance id 'job') and settles. */
    async start(): Promise<void> {
      host.startNew(ORCHESTRATORS.job, 'job', { executionId: 'job' });
      await clock.settle();
    },
    jobStatus: () => host.status('job'),
    /** What the API does on a cancel of the job: flag the parent and its open children, then raise `cancel` to each instance. */
    requestCancel(): void {
      for (const id of ids) if (!isTerminal(lifecycles.get(id)!)) cancelRequested.add(id);
      host.raiseEvent('job', CANCEL_EVENT);
      for (const id of ids) if (!isTerminal(lifecycles.get(id)!)) host.raiseEvent(id, CANCEL_EVENT);
    },
  };
}
