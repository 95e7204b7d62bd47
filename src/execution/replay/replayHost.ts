/**
 * An in-memory replay host: drives durable-functions orchestrators through the library's own
 * executor the way the Durable extension does, for the local host, the tests and the benchmark.
 *
 * Per episode of an instance: a new context; the history is every earlier event, then
 * OrchestratorStarted (its timestamp is the orchestrator's currentUtcDateTime), the completions
 * that arrived since (task results, fired timers, raised events, sub-orchestration ends), and,
 * once the episode ran, OrchestratorCompleted. What the episode scheduled is read back from the
 * executor: every task id handed out since the previous episode is a new activity, timer or
 * sub-orchestration. Activities run in process and concurrently; their results come back on a
 * later episode. Timers fire when the host clock reaches them, unless cancelled meanwhile.
 * External events raised before anyone waits are kept in the history, where the executor finds
 * them when the wait comes.
 *
 * The guard: a task already yielded, put into a new Task.any/Task.all, reappears among the
 * actions and the Durable extension would schedule it again. Here it fails the instance: the new
 * schedulable actions of an episode must be exactly its new tasks.
 */
import { DummyOrchestrationContext } from 'durable-functions';
import type * as df from 'durable-functions';
import type { Logger } from '../../logging';
import {
  ActionType,
  DurableOrchestrationInput,
  LongTimerTask,
  Orchestrator,
  ReplaySchema,
  type ActionLike,
  type ExecutorLike,
  type OrchestratorStateLike,
  type TaskLike,
} from './durableInternals';
import * as events from './history';
import type { HistoryEvent } from './history';
import type { HostClock } from './hostClock';

/** What an activity is to the host: a function of its (JSON) input. */
export type ActivityFunction = (input: any) => unknown;

export interface ReplayHostOptions {
  orchestrators: Record<string, df.OrchestrationHandler>;
  activities: Record<string, ActivityFunction>;
  clock: HostClock;
  /** Activities running at once, at most; the others queue. Unlimited by default. */
  maxConcurrentActivities?: number;
  /** Drop an instance (history and status) as soon as it ends: for a long-running host. */
  forgetFinished?: boolean;
  logger?: Logger;
}

export type RuntimeStatus = 'Running' | 'Completed' | 'Failed';

export interface InstanceStatus {
  instanceId: string;
  name: string;
  runtimeStatus: RuntimeStatus;
  output?: unknown;
  error?: string;
  parentInstanceId?: string;
  episodes: number;
  /** History events the executor went through, summed over the episodes. */
  eventsReplayed: number;
  historyLength: number;
}

export interface ReplayCounters {
  instances: number;
  episodes: number;
  eventsReplayed: number;
}

export interface ReplayStats extends ReplayCounters {
  activities: number;
  timersFired: number;
  /** Orchestrations that continued as new. */
  generations: number;
  byOrchestrator: Record<string, ReplayCounters>;
}

export class ReplayGuardError extends Error {}

/** Azure Storage's defaults, which the extension passes along (longer timers are chained). */
const LONG_RUNNING_TIMER_INTERVAL = '3.00:00:00';
const MAXIMUM_SHORT_TIMER_DURATION = '6.00:00:00';
const HTTP_POLL_MS = 30_000;
const SCHEMA = ReplaySchema.V3;
const noLog = () => {};

interface ParentLink {
  instance: Instance;
  taskId: number;
}

interface Instance {
  id: string;
  name: string;
  fn: df.OrchestrationHandler;
  input: unknown;
  parent?: ParentLink;
  status: RuntimeStatus;
  output?: unknown;
  error?: string;
  history: HistoryEvent[];
  inbox: HistoryEvent[];
  /** Task ids handed out (and dispatched) so far. */
  nextTaskId: number;
  /** Schedulable actions seen so far. */
  actionCount: number;
  timers: Map<number, () => void>;
  /** No episode may be timestamped before a timer it delivers. */
  notBefore: number;
  lastTimestamp: number;
  queued: boolean;
  running: boolean;
  /** Times it continued as new. */
  generations: number;
  episodes: number;
  eventsReplayed: number;
  waiters: ((status: InstanceStatus) => void)[];
}

class Queue<T> {
  private items: T[] = [];
  private head = 0;
  get length() {
    return this.items.length - this.head;
  }
  push(item: T) {
    this.items.push(item);
  }
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
  clear() {
    this.items = [];
    this.head = 0;
  }
}

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Leaf actions that schedule something (activities, timers, sub-orchestrations), compound actions opened. */
function countSchedulable(actions: readonly ActionLike[]): number {
  let n = 0;
  for (const action of actions) {
    if (action.actionType === ActionType.WhenAny || action.actionType === ActionType.WhenAll) n += countSchedulable(action.compoundActions ?? []);
    else if (action.actionType !== ActionType.WaitForExternalEvent && action.actionType !== ActionType.ContinueAsNew) n++;
  }
  return n;
}

/** A long timer is one action whose later legs the executor adds by itself as earlier ones fire. */
function isLongTimerLeg(task: TaskLike): boolean {
  return task.parent instanceof LongTimerTask && task.parent.children?.[0] !== task;
}

function isTimerCanceled(task: TaskLike): boolean {
  return Boolean(task.actionObj.isCanceled) || (task.parent instanceof LongTimerTask && Boolean(task.parent.isCanceled));
}

/** Activity input as the extension delivers it: through JSON (a string input arrives already encoded). */
function decodeInput(input: unknown): unknown {
  if (input === undefined) return undefined;
  if (typeof input === 'string') return JSON.parse(input);
  return JSON.parse(JSON.stringify(input));
}

export class ReplayHost {
  private readonly instances = new Map<string, Instance>();
  private readonly activityQueue = new Queue<() => Promise<void>>();
  private readonly maxActivities: number;
  private activitiesInFlight = 0;
  private episodesPending = 0;
  private immediatesPending = 0;
  private runningInstances = 0;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  private readonly counters: ReplayStats = { instances: 0, episodes: 0, eventsReplayed: 0, activities: 0, timersFired: 0, generations: 0, byOrchestrator: {} };

  constructor(private readonly options: ReplayHostOptions) {
    this.maxActivities = options.maxConcurrentActivities ?? Number.POSITIVE_INFINITY;
  }

  /** Starts an orchestration. Fails if an instance with that id is running; a finished one is replaced (as Durable does). */
  startNew(name: string, instanceId: string, input?: unknown): void {
    this.start(name, instanceId, input);
  }

  /** Queues an external event for a running instance; false (and nothing done) when it is not running here. */
  raiseEvent(instanceId: string, name: string, data?: unknown): boolean {
    const instance = this.instances.get(instanceId);
    if (!instance || instance.status !== 'Running' || this.closed) return false;
    this.deliver(instance, events.eventRaised(this.options.clock.now(), name, data));
    return true;
  }

  isRunning(instanceId: string): boolean {
    return this.instances.get(instanceId)?.status === 'Running';
  }

  status(instanceId: string): InstanceStatus | undefined {
    const instance = this.instances.get(instanceId);
    return instance && this.statusOf(instance);
  }

  /** Resolves when the instance ends; at once with its status when it already has, with undefined when unknown. */
  waitForCompletion(instanceId: string): Promise<InstanceStatus | undefined> {
    const instance = this.instances.get(instanceId);
    if (!instance) return Promise.resolve(undefined);
    if (instance.status !== 'Running' || this.closed) return Promise.resolve(this.statusOf(instance));
    return new Promise((resolve) => instance.waiters.push(resolve));
  }

  /** Resolves when no instance is running and no activity is in flight. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Resolves when nothing more can happen without the clock moving: no episode to run and no
   * activity in flight except `parked()` ones (fake activities asleep on a manual clock).
   */
  async settled(parked: () => number = () => 0): Promise<void> {
    for (let quiet = 0; quiet < 2; ) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      // Queued activities wait for a free slot; the ones holding the slots are counted in flight.
      const busy = this.episodesPending > 0 || this.immediatesPending > 0 || this.activitiesInFlight > parked();
      quiet = busy ? 0 : quiet + 1;
    }
  }

  stats(): ReplayStats {
    const byOrchestrator = Object.fromEntries(Object.entries(this.counters.byOrchestrator).map(([k, v]) => [k, { ...v }]));
    return { ...this.counters, byOrchestrator };
  }

  /**
   * Stops: no more episodes, timers or queued activities. Waits up to `waitMs` for the activities
   * in flight (an attempt may be running a query); their results are dropped.
   */
  async close(waitMs = 5_000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.activityQueue.clear();
    for (const instance of this.instances.values()) {
      for (const cancel of instance.timers.values()) cancel();
      instance.timers.clear();
      for (const resolve of instance.waiters.splice(0)) resolve(this.statusOf(instance));
    }
    const until = Date.now() + waitMs;
    while (this.activitiesInFlight > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private start(name: string, instanceId: string, input: unknown, parent?: ParentLink): Instance {
    if (this.closed) throw new Error('The replay host is closed.');
    const existing = this.instances.get(instanceId);
    if (existing?.status === 'Running') throw new Error(`An orchestration instance '${instanceId}' is already running.`);
    const fn = this.options.orchestrators[name];
    if (!fn) throw new Error(`No orchestrator named '${name}' is registered.`);
    const encoded = input === undefined ? undefined : JSON.stringify(input);
    const instance: Instance = {
      id: instanceId,
      name,
      fn,
      input: encoded === undefined ? undefined : JSON.parse(encoded),
      parent,
      status: 'Running',
      history: [],
      inbox: [events.executionStarted(this.options.clock.now(), name, encoded)],
      nextTaskId: 0,
      actionCount: 0,
      timers: new Map(),
      notBefore: 0,
      lastTimestamp: 0,
      queued: false,
      running: false,
      episodes: 0,
      generations: 0,
      eventsReplayed: 0,
      waiters: [],
    };
    this.instances.set(instanceId, instance);
    this.runningInstances++;
    this.counters.instances++;
    this.countersOf(name).instances++;
    this.scheduleEpisode(instance);
    return instance;
  }

  /**
   * ContinueAsNew: the instance starts again under its id with the new input and an empty
   * history; its parent link stays, so the parent hears only of the last generation's end.
   * Timers are dropped, and so are events raised and not yet consumed, as the Durable extension
   * does for JavaScript (whose continueAsNew has no preserveUnprocessedEvents).
   */
  private continueAsNew(instance: Instance, encodedInput: unknown): void {
    for (const cancel of instance.timers.values()) cancel();
    instance.timers.clear();
    const encoded = typeof encodedInput === 'string' ? encodedInput : encodedInput === undefined ? undefined : JSON.stringify(encodedInput);
    instance.input = encoded === undefined ? undefined : JSON.parse(encoded);
    instance.history = [];
    instance.inbox = [events.executionStarted(this.options.clock.now(), instance.name, encoded)];
    instance.nextTaskId = 0;
    instance.actionCount = 0;
    instance.generations++;
    this.counters.generations++;
  }

  private countersOf(name: string): ReplayCounters {
    return (this.counters.byOrchestrator[name] ??= { instances: 0, episodes: 0, eventsReplayed: 0 });
  }

  private statusOf(instance: Instance): InstanceStatus {
    return {
      instanceId: instance.id,
      name: instance.name,
      runtimeStatus: instance.status,
      output: instance.output,
      error: instance.error,
      parentInstanceId: instance.parent?.instance.id,
      episodes: instance.episodes,
      eventsReplayed: instance.eventsReplayed,
      historyLength: instance.history.length,
    };
  }

  private deliver(instance: Instance, event: HistoryEvent, notBefore = 0): void {
    if (instance.status !== 'Running' || this.closed) return;
    instance.inbox.push(event);
    instance.notBefore = Math.max(instance.notBefore, notBefore);
    this.scheduleEpisode(instance);
  }

  private scheduleEpisode(instance: Instance): void {
    if (instance.queued || instance.running) return;
    instance.queued = true;
    this.episodesPending++;
    // setImmediate, not a microtask: completions that arrive together share one episode.
    setImmediate(() => {
      instance.queued = false;
      this.runEpisode(instance)
        .catch((e: unknown) => this.fail(instance, e))
        .finally(() => {
          this.episodesPending--;
          this.checkIdle();
        });
    });
  }

  private async runEpisode(instance: Instance): Promise<void> {
    if (instance.status !== 'Running' || this.closed || instance.inbox.length === 0) return;
    instance.running = true;
    try {
      const at = Math.max(this.options.clock.now().getTime(), instance.lastTimestamp, instance.notBefore);
      instance.lastTimestamp = at;
      const now = new Date(at);
      const fresh = [events.orchestratorStarted(now), ...instance.inbox.splice(0)];
      instance.history.push(...fresh);

      const orchestrator = new Orchestrator(instance.fn);
      const context = new DummyOrchestrationContext(instance.name, `${instance.id}#${instance.episodes}`, noLog);
      const trigger = new DurableOrchestrationInput(
        instance.id,
        instance.history,
        instance.input,
        LONG_RUNNING_TIMER_INTERVAL,
        MAXIMUM_SHORT_TIMER_DURATION,
        HTTP_POLL_MS,
        SCHEMA,
        false,
        instance.parent?.instance.id,
      );
      let state: OrchestratorStateLike | undefined;
      let failure: unknown;
      try {
        state = await orchestrator.handle(trigger, context);
      } catch (e) {
        // The library wraps what the orchestrator threw; the executor keeps the original.
        failure = orchestrator.taskOrchestrationExecutor?.exception ?? e;
      }

      const replayed = instance.history.length;
      instance.episodes++;
      instance.eventsReplayed += replayed;
      this.counters.episodes++;
      this.counters.eventsReplayed += replayed;
      const counters = this.countersOf(instance.name);
      counters.episodes++;
      counters.eventsReplayed += replayed;
      instance.history.push(events.orchestratorCompleted(now));
      for (const e of fresh) e.IsPlayed = true;

      if (!state) return this.fail(instance, failure);
      const continued = (state.actions.flat() as ActionLike[]).find((a) => a.actionType === ActionType.ContinueAsNew);
      if (state.isDone && continued) {
        this.continueAsNew(instance, (continued as ActionLike & { input?: unknown }).input);
      } else {
        this.dispatch(instance, orchestrator.taskOrchestrationExecutor, state);
        if (state.isDone) this.finish(instance, 'Completed', state.output);
      }
    } finally {
      instance.running = false;
    }
    if (instance.status === 'Running' && instance.inbox.length > 0 && !this.closed) this.scheduleEpisode(instance);
  }

  /** Schedules what the episode asked for, and cancels the timers it cancelled. */
  private dispatch(instance: Instance, executor: ExecutorLike, state: OrchestratorStateLike): void {
    const schedulable = countSchedulable(state.actions[0] ?? []);
    const created: TaskLike[] = [];
    let expected = 0;
    for (let id = instance.nextTaskId; id < executor.sequenceNumber; id++) {
      const task = executor.openTasks[id];
      if (!task) throw new ReplayGuardError(`Task ${id} of '${instance.id}' completed before it was scheduled.`);
      created.push(task);
      if (!isLongTimerLeg(task)) expected++;
    }
    const added = schedulable - instance.actionCount;
    if (added !== expected) {
      throw new ReplayGuardError(
        `Orchestration '${instance.id}' (${instance.name}) asked to schedule ${added} action(s) for ${expected} new task(s): ` +
          'a task already yielded was put into a new Task.any/Task.all, and the Durable extension would schedule it again.',
      );
    }
    instance.actionCount = schedulable;
    instance.nextTaskId = executor.sequenceNumber;

    for (const [id, cancel] of instance.timers) {
      const task = executor.openTasks[id];
      if (task && isTimerCanceled(task)) {
        cancel();
        instance.timers.delete(id);
      }
    }
    for (const task of created) this.schedule(instance, task);
  }

  private schedule(instance: Instance, task: TaskLike): void {
    const id = task.id as number;
    const action = task.actionObj;
    switch (action.actionType) {
      case ActionType.CallActivity:
        return this.runActivity(instance, id, action.functionName!, action.input);
      case ActionType.CreateTimer:
        if (!isTimerCanceled(task)) this.setTimer(instance, id, new Date(action.fireAt!));
        return;
      case ActionType.CallSubOrchestrator:
        return this.startSubOrchestration(instance, id, action.functionName!, action.instanceId, action.input);
      default:
        throw new Error(`The replay host does not support ${ActionType[action.actionType] ?? action.actionType} actions.`);
    }
  }

  private setTimer(instance: Instance, id: number, fireAt: Date): void {
    const fire = () => {
      if (!instance.timers.delete(id)) return;
      this.counters.timersFired++;
      this.deliver(instance, events.timerFired(this.options.clock.now(), id, fireAt), fireAt.getTime());
    };
    if (fireAt.getTime() > this.options.clock.now().getTime()) {
      instance.timers.set(id, this.options.clock.setTimer(fireAt, fire));
      return;
    }
    // Already due (a timer at currentUtcDateTime): fires on the next turn, unless cancelled first.
    this.immediatesPending++;
    let pending = true;
    const done = () => {
      if (pending) {
        pending = false;
        this.immediatesPending--;
      }
    };
    const handle = setImmediate(() => {
      done();
      fire();
      this.checkIdle();
    });
    instance.timers.set(id, () => {
      clearImmediate(handle);
      done();
    });
  }

  private runActivity(instance: Instance, id: number, name: string, input: unknown): void {
    this.activityQueue.push(async () => {
      let event: HistoryEvent;
      try {
        const fn = this.options.activities[name];
        if (!fn) throw new Error(`No activity named '${name}' is registered.`);
        const result = await fn(decodeInput(input));
        event = events.taskCompleted(this.options.clock.now(), id, result);
      } catch (e) {
        event = events.taskFailed(this.options.clock.now(), id, `Activity function '${name}' failed: ${messageOf(e)}`, (e instanceof Error && e.stack) || '');
      }
      this.counters.activities++;
      this.deliver(instance, event);
    });
    this.pumpActivities();
  }

  private pumpActivities(): void {
    while (!this.closed && this.activitiesInFlight < this.maxActivities && this.activityQueue.length > 0) {
      const job = this.activityQueue.shift()!;
      this.activitiesInFlight++;
      // A macrotask later, so an activity never runs inside the episode that scheduled it.
      setImmediate(() => {
        job().finally(() => {
          this.activitiesInFlight--;
          this.pumpActivities();
          this.checkIdle();
        });
      });
    }
  }

  private startSubOrchestration(parent: Instance, id: number, name: string, instanceId: string | undefined, input: unknown): void {
    const childId = instanceId ?? `${parent.id}:${id}`;
    try {
      this.start(name, childId, input, { instance: parent, taskId: id });
    } catch (e) {
      this.deliver(parent, events.subOrchestrationFailed(this.options.clock.now(), id, messageOf(e), ''));
    }
  }

  private fail(instance: Instance, error: unknown): void {
    this.options.logger?.error('Orchestration failed', { instanceId: instance.id, orchestrator: instance.name, error: messageOf(error) });
    this.finish(instance, 'Failed', undefined, error);
  }

  private finish(instance: Instance, status: 'Completed' | 'Failed', output: unknown, error?: unknown): void {
    if (instance.status !== 'Running') return;
    instance.status = status;
    instance.output = output;
    if (status === 'Failed') instance.error = messageOf(error);
    this.runningInstances--;
    for (const cancel of instance.timers.values()) cancel();
    instance.timers.clear();
    instance.inbox = [];
    const parent = instance.parent;
    if (parent) {
      const now = this.options.clock.now();
      this.deliver(
        parent.instance,
        status === 'Completed'
          ? events.subOrchestrationCompleted(now, parent.taskId, output)
          : events.subOrchestrationFailed(now, parent.taskId, `Orchestration '${instance.id}' failed: ${instance.error}`, (error instanceof Error && error.stack) || ''),
      );
    }
    const ended = this.statusOf(instance);
    for (const resolve of instance.waiters.splice(0)) resolve(ended);
    if (this.options.forgetFinished) {
      instance.history = [];
      if (this.instances.get(instance.id) === instance) this.instances.delete(instance.id);
    }
    this.checkIdle();
  }

  private isIdle(): boolean {
    return this.runningInstances === 0 && this.activitiesInFlight === 0 && this.activityQueue.length === 0 && this.episodesPending === 0;
  }

  private checkIdle(): void {
    if (this.idleWaiters.length > 0 && (this.isIdle() || this.closed)) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
