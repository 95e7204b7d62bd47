/**
 * The durable-functions internals the replay host drives, in one place: the library's own
 * orchestrator and executor, its binding input, and the enums of history events and actions.
 * They are not part of its public types, which is why durable-functions is pinned to an exact
 * version (3.5.0); nothing else in the product may import them.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import type { InvocationContext } from '@azure/functions';
import type * as df from 'durable-functions';

export interface OrchestratorStateLike {
  isDone: boolean;
  /** Schema V2+: one list holding every action since the start, compound actions nested. */
  actions: ActionLike[][];
  output: unknown;
}

export interface ActionLike {
  actionType: number;
  functionName?: string;
  instanceId?: string;
  input?: unknown;
  fireAt?: Date;
  isCanceled?: boolean;
  compoundActions?: ActionLike[];
}

export interface TaskLike {
  id: number | string | false;
  actionObj: ActionLike;
  parent?: TaskLike;
  children?: TaskLike[];
  isCanceled?: boolean;
}

export interface ExecutorLike {
  /** Ids handed out so far: every new scheduled task takes the next one. */
  sequenceNumber: number;
  /** Scheduled tasks not yet completed, by id (external events are kept elsewhere). */
  openTasks: Record<string, TaskLike>;
  /** What the orchestrator threw, if it did. */
  exception?: unknown;
}

export interface OrchestratorLike {
  handle(trigger: unknown, context: InvocationContext): Promise<OrchestratorStateLike>;
  taskOrchestrationExecutor: ExecutorLike;
}

const lib = 'durable-functions/lib/src';

export const { Orchestrator } = require(`${lib}/orchestrations/Orchestrator`) as {
  Orchestrator: new (fn: df.OrchestrationHandler) => OrchestratorLike;
};

export const { DurableOrchestrationInput } = require(`${lib}/util/testingUtils`) as {
  DurableOrchestrationInput: new (
    instanceId: string,
    history: unknown[],
    input: unknown,
    longRunningTimerIntervalDuration: string,
    maximumShortTimerDuration: string,
    defaultHttpAsyncRequestSleepTimeMillseconds: number,
    schemaVersion: number,
    isReplaying: boolean,
    parentInstanceId: string | undefined,
  ) => object;
};

export const { ReplaySchema } = require(`${lib}/orchestrations/ReplaySchema`) as { ReplaySchema: Record<'V1' | 'V2' | 'V3' | 'V4', number> };

export const { HistoryEventType } = require(`${lib}/history/HistoryEventType`) as {
  HistoryEventType: Record<
    | 'ExecutionStarted'
    | 'TaskCompleted'
    | 'TaskFailed'
    | 'SubOrchestrationInstanceCompleted'
    | 'SubOrchestrationInstanceFailed'
    | 'TimerFired'
    | 'OrchestratorStarted'
    | 'OrchestratorCompleted'
    | 'EventRaised',
    number
  >;
};

export const { ActionType } = require(`${lib}/actions/ActionType`) as {
  ActionType: Record<'CallActivity' | 'CallSubOrchestrator' | 'CreateTimer' | 'ContinueAsNew' | 'WaitForExternalEvent' | 'WhenAny' | 'WhenAll', number> & Record<number, string>;
};

export const { LongTimerTask } = require(`${lib}/task/LongTimerTask`) as { LongTimerTask: abstract new (...args: never[]) => TaskLike };
