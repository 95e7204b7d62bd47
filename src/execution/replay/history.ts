/**
 * History events as the Durable extension hands them to the library: plain objects with
 * `EventType`, `EventId`, `IsPlayed`, `Timestamp` and the fields of their kind. TaskScheduled and
 * TimerCreated are left out: the executor does not read them.
 */
import { HistoryEventType } from './durableInternals';

export interface HistoryEvent {
  EventType: number;
  EventId: number;
  IsPlayed: boolean;
  Timestamp: Date;
  [field: string]: unknown;
}

const event = (type: number, at: Date, fields: Record<string, unknown> = {}): HistoryEvent => ({
  EventType: type,
  EventId: -1,
  IsPlayed: false,
  Timestamp: at,
  ...fields,
});

/** JSON as the extension carries results and event data; undefined travels as null. */
export const json = (value: unknown): string => JSON.stringify(value === undefined ? null : value);

export const orchestratorStarted = (at: Date) => event(HistoryEventType.OrchestratorStarted, at);
export const orchestratorCompleted = (at: Date) => event(HistoryEventType.OrchestratorCompleted, at);
export const executionStarted = (at: Date, name: string, input: string | undefined) => event(HistoryEventType.ExecutionStarted, at, { Name: name, Input: input });
export const taskCompleted = (at: Date, taskScheduledId: number, result: unknown) =>
  event(HistoryEventType.TaskCompleted, at, { TaskScheduledId: taskScheduledId, Result: json(result) });
export const taskFailed = (at: Date, taskScheduledId: number, reason: string, details: string) =>
  event(HistoryEventType.TaskFailed, at, { TaskScheduledId: taskScheduledId, Reason: reason, Details: details });
export const timerFired = (at: Date, timerId: number, fireAt: Date) => event(HistoryEventType.TimerFired, at, { TimerId: timerId, FireAt: fireAt.toISOString() });
export const eventRaised = (at: Date, name: string, data: unknown) => event(HistoryEventType.EventRaised, at, { Name: name, Input: data === undefined ? undefined : JSON.stringify(data) });
export const subOrchestrationCompleted = (at: Date, taskScheduledId: number, result: unknown) =>
  event(HistoryEventType.SubOrchestrationInstanceCompleted, at, { TaskScheduledId: taskScheduledId, Result: json(result) });
export const subOrchestrationFailed = (at: Date, taskScheduledId: number, reason: string, details: string) =>
  event(HistoryEventType.SubOrchestrationInstanceFailed, at, { TaskScheduledId: taskScheduledId, Reason: reason, Details: details });
