/**
 * Lifecycle rules of job executions and task executions: which states are final, and how the
 * outcomes of the children (one per database) roll up into the parent. Pure: the stores and
 * activities apply them.
 */
import type { JobExecutionLifecycle, TaskExecutionLifecycle } from './schemas/execution';

export const TERMINAL_JOB_LIFECYCLES = ['Succeeded', 'SucceededWithSkipped', 'Failed', 'TimedOut', 'Canceled', 'Skipped'] as const satisfies readonly JobExecutionLifecycle[];
export type TerminalJobLifecycle = (typeof TERMINAL_JOB_LIFECYCLES)[number];

export const ACTIVE_JOB_LIFECYCLES = ['Created', 'InProgress', 'WaitingForRetry', 'WaitingForChildJobExecutions'] as const satisfies readonly JobExecutionLifecycle[];

export const TERMINAL_TASK_LIFECYCLES = ['Succeeded', 'Failed', 'TimedOut', 'Canceled'] as const satisfies readonly TaskExecutionLifecycle[];
export const OPEN_TASK_LIFECYCLES = ['Created', 'InProgress'] as const satisfies readonly TaskExecutionLifecycle[];

const terminalJob = new Set<string>(TERMINAL_JOB_LIFECYCLES);
const terminalTask = new Set<string>(TERMINAL_TASK_LIFECYCLES);

export function isTerminal(lifecycle: string): lifecycle is TerminalJobLifecycle {
  return terminalJob.has(lifecycle);
}

export function isTerminalTask(lifecycle: string): boolean {
  return terminalTask.has(lifecycle);
}

/** How many children are in each lifecycle. */
export type LifecycleCounts = Partial<Record<JobExecutionLifecycle, number>>;

/**
 * The parent's outcome from its children's. The worst outcome wins: one Failed child fails the
 * job; a child that timed out or was cancelled on its own (a child can be cancelled alone) makes
 * the job TimedOut / Canceled; Skipped children (database gone) leave SucceededWithSkipped. A job
 * whose target expanded to no database has nothing that failed: Succeeded. A child that is still
 * not terminal here never got an outcome, which is a failure, not a success.
 */
export function rollUp(counts: LifecycleCounts): Extract<JobExecutionLifecycle, 'Succeeded' | 'SucceededWithSkipped' | 'Failed' | 'TimedOut' | 'Canceled'> {
  const n = (l: JobExecutionLifecycle) => counts[l] ?? 0;
  const unfinished = ACTIVE_JOB_LIFECYCLES.reduce((sum, l) => sum + n(l), 0);
  if (n('Failed') > 0 || unfinished > 0) return 'Failed';
  if (n('TimedOut') > 0) return 'TimedOut';
  if (n('Canceled') > 0) return 'Canceled';
  if (n('Skipped') > 0 || n('SucceededWithSkipped') > 0) return 'SucceededWithSkipped';
  return 'Succeeded';
}

const SUMMARY_ORDER: [JobExecutionLifecycle, string][] = [
  ['Succeeded', 'succeeded'],
  ['SucceededWithSkipped', 'succeeded with skipped'],
  ['Skipped', 'skipped'],
  ['Failed', 'failed'],
  ['TimedOut', 'timed out'],
  ['Canceled', 'canceled'],
  ['Created', 'not started'],
  ['InProgress', 'in progress'],
  ['WaitingForRetry', 'waiting for retry'],
  ['WaitingForChildJobExecutions', 'waiting for children'],
];

/** One line for the parent's lastMessage: "12 succeeded, 1 failed". */
export function summarize(counts: LifecycleCounts): string {
  const parts = SUMMARY_ORDER.filter(([l]) => (counts[l] ?? 0) > 0).map(([l, words]) => `${counts[l]} ${words}`);
  return parts.length ? parts.join(', ') : 'no databases to run on';
}

/** The lifecycle a task execution records for an attempt's outcome (a task has no Skipped: its attempt failed because the database is gone). */
export function taskLifecycleOf(outcome: 'Succeeded' | 'Failed' | 'TimedOut' | 'Canceled' | 'Skipped'): TaskExecutionLifecycle {
  return outcome === 'Skipped' ? 'Failed' : outcome;
}
