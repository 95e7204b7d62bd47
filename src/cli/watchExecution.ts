/**
 * Follows one job execution to its end: polls GET /executions/{id}?includeChildren=true and
 * the task executions (for each target's attempt), and hands every snapshot to a display.
 * A few failed polls in a row are tolerated (an Azure app restarting answers 502/503 for a
 * moment); a long job should not fail its pipeline over that.
 */
import type { JobExecution, TaskExecution } from '../domain/schemas/execution';
import { ApiError, ApiUnreachableError, segment, type ApiClient } from './apiClient';
import { isTerminal } from './exitCodes';
import type { LiveDisplay } from './liveDisplay';
import type { WatchSnapshot } from './liveView';

export interface WatchOptions {
  pollMs: number;
  /** Stop watching after this long, with the execution still running. */
  timeoutMs?: number;
  signal: AbortSignal;
  /** Consecutive failed polls tolerated before giving up. */
  maxPollFailures?: number;
}

export type WatchResult =
  | { outcome: 'terminal'; execution: JobExecution }
  | { outcome: 'timeout'; execution: JobExecution }
  | { outcome: 'interrupted'; execution: JobExecution | undefined };

type ItemsOrList<T> = T[] | { items: T[]; nextCursor?: string | null };

function itemsOf<T>(body: ItemsOrList<T>): { items: T[]; nextCursor?: string | null } {
  return Array.isArray(body) ? { items: body } : body;
}

/** Latest attempt per execution, from the child's own `attempts` when the API gives it, else from its tasks. */
async function attemptsOf(client: ApiClient, execution: JobExecution): Promise<Map<string, number>> {
  const attempts = new Map<string, number>();
  const targets = execution.children?.length ? execution.children : [execution];
  const given = targets.map((t) => (t as JobExecution & { attempts?: unknown }).attempts);
  if (given.every((a) => typeof a === 'number')) {
    targets.forEach((t, i) => (given[i] as number) > 0 && attempts.set(t.id, given[i] as number));
    return attempts;
  }
  let cursor: string | undefined;
  do {
    const page = itemsOf((await client.request<ItemsOrList<TaskExecution>>('GET', `executions/${segment(execution.id)}/tasks`, { query: { cursor } })).body);
    for (const task of page.items) attempts.set(task.jobExecutionId, Math.max(task.attempt, attempts.get(task.jobExecutionId) ?? 0));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return attempts;
}

function retryable(error: unknown): boolean {
  return error instanceof ApiUnreachableError || (error instanceof ApiError && [502, 503, 504].includes(error.status));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

export async function watchExecution(client: ApiClient, id: string, display: LiveDisplay, options: WatchOptions): Promise<WatchResult> {
  const deadline = options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.timeoutMs;
  const maxFailures = options.maxPollFailures ?? 5;
  let failures = 0;
  let last: WatchSnapshot | undefined;
  for (;;) {
    if (options.signal.aborted) {
      display.abandon();
      return { outcome: 'interrupted', execution: last?.execution };
    }
    try {
      const execution = await client.get<JobExecution>(`executions/${segment(id)}`, { includeChildren: true });
      last = { execution, attempts: await attemptsOf(client, execution) };
      failures = 0;
    } catch (error) {
      if (!retryable(error) || ++failures > maxFailures) {
        display.abandon();
        throw error;
      }
    }
    if (last && isTerminal(last.execution.lifecycle)) {
      display.finish(last);
      return { outcome: 'terminal', execution: last.execution };
    }
    if (Date.now() >= deadline && last) {
      display.finish(last);
      return { outcome: 'timeout', execution: last.execution };
    }
    if (last) display.update(last);
    await sleep(Math.min(options.pollMs * (failures + 1), 10_000), options.signal);
  }
}
