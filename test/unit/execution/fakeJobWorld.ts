/**
 * A job's world without a database, for driving the real orchestrators (job and lanes) through
 * the real replay host on a manual clock. The activities are fakes that keep a work queue the
 * way the control database does (src/control/stores/executions/workQueue.ts): one queued child
 * per database, claimed once, and after each attempt ended or queued again by the real rule
 * (src/domain/childAfterAttempt.ts). Every call is recorded with its clock time.
 *
 * The fake runLane follows the real one (src/execution/activities/runLane.ts) in what the lane
 * orchestration sees: its slots each claim the next ready child until the call's budget is
 * spent, nothing is ready, the deadline passes or the parent is canceled; it returns `more`,
 * `nextNotBefore` and `stoppedBy` by the same rules. Two simplifications: the budget is counted
 * in attempts per slot (not clock time), so a test sets how many calls a lane needs; and a slot
 * with nothing ready ends at once instead of waiting for the others.
 */
import { orchestrators } from '../../../src/execution/orchestrators';
import {
  ACTIVITIES,
  CANCEL_EVENT,
  ORCHESTRATORS,
  type CompleteInput,
  type CompleteOutput,
  type ExpandOutput,
  type LaneOutcome,
  type RetryPolicy,
  type RunLaneInput,
  type RunLaneOutput,
} from '../../../src/execution/contracts';
import { childAfterAttempt } from '../../../src/domain/childAfterAttempt';
import { laneInstanceId, planLanes } from '../../../src/domain/lanePlan';
import { isTerminal, rollUp, type LifecycleCounts } from '../../../src/domain/lifecycle';
import type { JobExecutionLifecycle } from '../../../src/domain/schemas/execution';
import type { TaskOutcome } from '../../../src/domain/taskOutcome';
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

export const succeeded: TaskOutcome = { lifecycle: 'Succeeded', retryable: false, message: null };
export const transient = (message = 'connection reset'): TaskOutcome => ({ lifecycle: 'Failed', retryable: true, message });
export const permanent = (message = 'permission denied'): TaskOutcome => ({ lifecycle: 'Failed', retryable: false, message });

/** What one attempt does: how long it runs (clock time) and what it ends with (Succeeded by default). */
export interface AttemptScript {
  durationMs?: number;
  outcome?: TaskOutcome;
}

export interface AttemptRecord {
  child: number;
  attempt: number;
  lane: number;
  startedAt: number;
  endedAt?: number;
  lifecycle?: TaskOutcome['lifecycle'];
}

export interface LaneCallRecord {
  input: RunLaneInput;
  /** Its number among its lane's calls, from 1. */
  call: number;
  at: number;
  output?: RunLaneOutput;
  threw?: boolean;
}

export interface WorldOptions {
  children: number;
  /** The parent execution id, and so the job orchestration's instance id ('job' by default). */
  executionId?: string;
  maxParallelism?: number;
  policy?: Partial<RetryPolicy>;
  /** From the start; 7 days by default. */
  jobTimeoutMs?: number;
  /** What attempt `attempt` (from 1) of child `child` (from 0) does. */
  attempt?: (child: number, attempt: number) => AttemptScript;
  /** Attempts one slot runs in one runLane call before the call's budget is spent (unbounded by default). */
  attemptsPerSlotPerCall?: number;
  /** Clock time the expansion takes. */
  expandMs?: number;
  /** The expansion finds the parent already terminal. */
  alreadyTerminal?: boolean;
  /** How many first calls of the parent's activities throw (a control database away for a while). */
  failFirst?: { expand?: number; complete?: number };
  /** runLane throws, before claiming anything, for the calls this says (call numbered from 1 per lane). */
  runLaneFails?: (lane: number, call: number) => boolean;
}

/** How often a fake attempt looks at the cancel flag (the real one: about every 500 ms). */
export const CANCEL_POLL_MS = 500;

interface Child {
  lifecycle: JobExecutionLifecycle;
  /** Ready from then (ms since epoch); null while claimed or once ended. */
  notBefore: number | null;
  attempts: number;
}

export function createJobWorld(options: WorldOptions) {
  const clock = new ManualHostClock(START);
  const executionId = options.executionId ?? 'job';
  const policy: RetryPolicy = { ...POLICY, ...options.policy };
  const deadline = at(options.jobTimeoutMs ?? 7 * 86_400_000).toISOString();
  const children: Child[] = Array.from({ length: options.children }, () => ({ lifecycle: 'Created', notBefore: clock.now().getTime(), attempts: 0 }));
  // The queue: first attempts in child order from a cursor, retries in a short list (so 10,000 children stay cheap).
  let firstCursor = 0;
  const retries = new Set<number>();

  const attempts: AttemptRecord[] = [];
  const laneCalls: LaneCallRecord[] = [];
  const completes: { input: CompleteInput; at: number }[] = [];
  const expansions: { at: number; output?: ExpandOutput }[] = [];
  let completeCalls = 0;
  let parent: JobExecutionLifecycle = 'Created';
  let cancelRequested = false;
  let running = 0;
  let maxRunning = 0;
  let lanesPlanned = 0;
  const nowMs = () => clock.now().getTime();
  const now = () => msSinceStart(clock.now());

  function claim(): number | undefined {
    const t = nowMs();
    for (const i of retries) {
      if (children[i].notBefore! <= t) {
        retries.delete(i);
        children[i].notBefore = null;
        return i;
      }
    }
    if (firstCursor < children.length) {
      const i = firstCursor++;
      children[i].notBefore = null;
      return i;
    }
    return undefined;
  }

  /** When the earliest queued child is ready (ms), or null with nothing queued. */
  function earliestQueued(): number | null {
    let earliest = firstCursor < children.length ? children[firstCursor].notBefore! : Number.POSITIVE_INFINITY;
    for (const i of retries) earliest = Math.min(earliest, children[i].notBefore!);
    return Number.isFinite(earliest) ? earliest : null;
  }

  /** Sleeps `ms` of clock time unless the cancel flag is seen first; says which. */
  async function run(ms: number): Promise<'done' | 'canceled'> {
    for (let left = ms; left > 0; left -= CANCEL_POLL_MS) {
      if (cancelRequested) return 'canceled';
      await clock.sleep(Math.min(CANCEL_POLL_MS, left));
    }
    return cancelRequested ? 'canceled' : 'done';
  }

  async function runAttempt(i: number, lane: number, deadlineMs: number): Promise<void> {
    const child = children[i];
    child.attempts++;
    child.lifecycle = 'InProgress';
    const record: AttemptRecord = { child: i, attempt: child.attempts, lane, startedAt: now() };
    attempts.push(record);
    running++;
    maxRunning = Math.max(maxRunning, running);
    let outcome: TaskOutcome;
    try {
      const script = options.attempt?.(i, child.attempts) ?? {};
      const left = deadlineMs - nowMs();
      const bounded = (script.durationMs ?? 0) > left;
      const ended = await run(bounded ? left : script.durationMs ?? 0);
      if (ended === 'canceled') outcome = { lifecycle: 'Canceled', retryable: false, message: 'statement canceled on the server' };
      else if (bounded) outcome = { lifecycle: 'TimedOut', retryable: true, message: 'job timeout' };
      else outcome = script.outcome ?? succeeded;
    } finally {
      running--;
    }
    record.endedAt = now();
    record.lifecycle = outcome.lifecycle;
    // As runLane: an attempt cut by the job's deadline ends its child TimedOut.
    const next =
      outcome.lifecycle === 'TimedOut' && nowMs() >= deadlineMs ? { lifecycle: 'TimedOut' as const, notBefore: null } : childAfterAttempt(outcome, child.attempts, policy, clock.now());
    child.lifecycle = next.lifecycle;
    if (next.notBefore !== null) {
      child.notBefore = Date.parse(next.notBefore);
      retries.add(i);
    }
  }

  /** Ends every child not yet terminal with `lifecycle`, as the control database's endOpenChildren does. */
  function endOpen(lifecycle: JobExecutionLifecycle): void {
    firstCursor = children.length;
    retries.clear();
    for (const child of children) {
      if (!isTerminal(child.lifecycle)) {
        child.lifecycle = lifecycle;
        child.notBefore = null;
      }
    }
  }

  const activities = {
    async [ACTIVITIES.expandJobExecution](): Promise<ExpandOutput> {
      const record: { at: number; output?: ExpandOutput } = { at: now() };
      expansions.push(record);
      if (expansions.length <= (options.failFirst?.expand ?? 0)) throw new Error('control database unreachable');
      if (options.expandMs) await clock.sleep(options.expandMs);
      if (options.alreadyTerminal) {
        record.output = { alreadyTerminal: true, lanes: [], policy, deadline, cancelRequested };
        return record.output;
      }
      parent = 'WaitingForChildJobExecutions';
      const open = children.filter((c) => !isTerminal(c.lifecycle)).length;
      const lanes = planLanes(open, options.maxParallelism ?? 100);
      lanesPlanned = lanes.length;
      record.output = { alreadyTerminal: false, lanes, policy, deadline, cancelRequested };
      return record.output;
    },

    async [ACTIVITIES.runLane](input: RunLaneInput): Promise<RunLaneOutput> {
      const call = laneCalls.filter((c) => c.input.lane === input.lane).length + 1;
      const record: LaneCallRecord = { input, call, at: now() };
      laneCalls.push(record);
      if (options.runLaneFails?.(input.lane, call)) {
        record.threw = true;
        throw new Error('control database unreachable');
      }
      const deadlineMs = Date.parse(input.deadline);
      const perSlot = options.attemptsPerSlotPerCall ?? Number.POSITIVE_INFINITY;
      let ran = 0;
      let budgetSpent = false;
      const slot = async () => {
        for (let n = 0; ; n++) {
          if (cancelRequested || nowMs() >= deadlineMs) return;
          if (n >= perSlot) {
            budgetSpent = true;
            return;
          }
          const i = claim();
          if (i === undefined) return;
          ran++;
          await runAttempt(i, input.lane, deadlineMs);
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, input.slots) }, slot));
      const earliest = earliestQueued();
      const t = nowMs();
      const stoppedBy = cancelRequested ? 'Canceled' : t >= deadlineMs && earliest !== null ? 'TimedOut' : undefined;
      const more = !stoppedBy && budgetSpent && earliest !== null && earliest <= t;
      record.output = { attempts: ran, more, nextNotBefore: earliest === null ? null : new Date(earliest).toISOString(), ...(stoppedBy ? { stoppedBy } : {}) };
      return record.output;
    },

    async [ACTIVITIES.completeJobExecution](input: CompleteInput): Promise<CompleteOutput> {
      if (++completeCalls <= (options.failFirst?.complete ?? 0)) throw new Error('control database unreachable');
      completes.push({ input, at: now() });
      if (isTerminal(parent)) return { lifecycle: parent };
      endOpen(input.reason ?? 'Failed');
      const counts: LifecycleCounts = {};
      for (const c of children) counts[c.lifecycle] = (counts[c.lifecycle] ?? 0) + 1;
      parent = input.reason ?? rollUp(counts);
      return { lifecycle: parent };
    },
  };

  const host = new ReplayHost({ orchestrators, activities, clock });
  clock.attach((parked) => host.settled(parked));
  const laneId = (lane: number) => laneInstanceId(executionId, lane);

  return {
    clock,
    host,
    executionId,
    policy,
    deadline,
    attempts,
    laneCalls,
    completes,
    expansions,
    lifecycle: (child: number) => children[child].lifecycle,
    lifecycles: () => children.map((c) => c.lifecycle),
    parent: () => parent,
    maxRunning: () => maxRunning,
    /** The runLane calls of one lane, in order. */
    callsOf: (lane: number) => laneCalls.filter((c) => c.input.lane === lane),
    laneId,
    laneStatus: (lane: number) => host.status(laneId(lane)),
    laneOutcome: (lane: number) => host.status(laneId(lane))?.output as LaneOutcome | undefined,
    jobStatus: () => host.status(executionId),
    /** Starts the job orchestration under the execution id and settles. */
    async start(): Promise<void> {
      host.startNew(ORCHESTRATORS.job, executionId, { executionId });
      await clock.settle();
    },
    /**
     * What the API does on a cancel: flag the parent (running attempts and runLane calls read it),
     * then raise `cancel` to the job orchestration and to each of its lanes (unless `toLanes` is false).
     */
    requestCancel({ toLanes = true }: { toLanes?: boolean } = {}): void {
      cancelRequested = true;
      host.raiseEvent(executionId, CANCEL_EVENT);
      if (toLanes) for (let lane = 0; lane < lanesPlanned; lane++) host.raiseEvent(laneId(lane), CANCEL_EVENT);
    },
  };
}
