/**
 * What a watched execution looks like, as text: a frame (header, progress bar, one line per
 * target) for a terminal, and the lines that say what changed between two snapshots for a
 * log. Pure functions of a snapshot, so they are tested without a terminal or a clock.
 */
import type { JobExecution } from '../domain/schemas/execution';
import { isTerminal } from './exitCodes';

export interface WatchSnapshot {
  execution: JobExecution;
  /** The latest attempt of each execution that has one, by execution id. */
  attempts: ReadonlyMap<string, number>;
}

/** The order counts are listed in: outcomes first, then what is still moving. */
const LIFECYCLE_ORDER = [
  'Succeeded',
  'SucceededWithSkipped',
  'Skipped',
  'Failed',
  'TimedOut',
  'Canceled',
  'InProgress',
  'WaitingForRetry',
  'WaitingForChildJobExecutions',
  'Created',
];
/** Wide enough for every lifecycle a single database's execution takes (WaitingForRetry). */
const LIFECYCLE_WIDTH = 'WaitingForRetry'.length;
const BAR_WIDTH = 24;
const UNFINISHED_FIRST: Record<string, number> = { InProgress: 0, WaitingForRetry: 1, Created: 2, Failed: 3, TimedOut: 4, Canceled: 5 };

/** The executions that each run against one database: the children, or the execution itself. */
export function targetsOf(execution: JobExecution): JobExecution[] {
  if (execution.children && execution.children.length) {
    // By step, then database: a job of several steps reads in the order it ran.
    return [...execution.children].sort((a, b) => (a.stepIndex ?? 1) - (b.stepIndex ?? 1) || targetLabel(a).localeCompare(targetLabel(b)) || a.id.localeCompare(b.id));
  }
  return execution.target ? [execution] : [];
}

/** A child as people read it: `server/database`, after its step's name when it belongs to a step after the first (`stamp: server/database`). */
export function targetLabel(execution: JobExecution): string {
  const database = execution.target ? `${execution.target.serverName}/${execution.target.databaseName}` : execution.id;
  return execution.stepIndex !== undefined && execution.stepIndex > 1 && execution.stepName ? `${execution.stepName}: ${database}` : database;
}

export function countsOf(targets: JobExecution[]): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const t of targets) counts.set(t.lifecycle, (counts.get(t.lifecycle) ?? 0) + 1);
  const known = LIFECYCLE_ORDER.filter((l) => counts.has(l)).map((l): [string, number] => [l, counts.get(l)!]);
  const other = [...counts].filter(([l]) => !LIFECYCLE_ORDER.includes(l));
  return [...known, ...other];
}

export function progressOf(execution: JobExecution): { done: number; total: number } {
  const targets = targetsOf(execution);
  return { done: targets.filter((t) => isTerminal(t.lifecycle)).length, total: targets.length };
}

export function progressBar(done: number, total: number, width = BAR_WIDTH): string {
  const filled = total === 0 ? 0 : Math.round((done / total) * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;
}

/** `1m 05s`, `12s`, `2h 03m`. */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

function elapsedOf(execution: JobExecution, now: Date): string {
  const start = Date.parse(execution.startTime ?? execution.createdAt);
  const end = execution.endTime ? Date.parse(execution.endTime) : now.getTime();
  return formatElapsed(end - start);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function countsText(targets: JobExecution[], separator: string): string {
  return countsOf(targets)
    .map(([l, n]) => `${l} ${n}`)
    .join(separator);
}

function attemptText(snapshot: WatchSnapshot, execution: JobExecution): string {
  const attempt = snapshot.attempts.get(execution.id);
  return attempt === undefined ? '' : `attempt ${attempt}`;
}

function targetLine(snapshot: WatchSnapshot, t: JobExecution): string {
  const parts = [`  ${t.lifecycle.padEnd(LIFECYCLE_WIDTH)}`, attemptText(snapshot, t).padEnd(10), targetLabel(t)];
  const showMessage = t.lastMessage && t.lifecycle !== 'Succeeded';
  return `${parts.join('  ')}${showMessage ? `  ${oneLine(t.lastMessage!)}` : ''}`;
}

function header(execution: JobExecution, now: Date): string {
  return `Job ${execution.jobName}  execution ${execution.id}  ${execution.lifecycle}  ${elapsedOf(execution, now)}`;
}

function progressLine(execution: JobExecution): string {
  const targets = targetsOf(execution);
  const { done, total } = progressOf(execution);
  if (total === 0) return `${progressBar(0, 0)} ${isTerminal(execution.lifecycle) ? 'no targets' : 'expanding targets…'}`;
  return `${progressBar(done, total)} ${done}/${total}  ${countsText(targets, ' · ')}`;
}

/**
 * The terminal frame. With more targets than `maxTargetLines`, the ones still moving (and then
 * the failures) are shown, and a last line counts the rest.
 */
export function renderFrame(snapshot: WatchSnapshot, options: { now: Date; maxTargetLines: number }): string[] {
  const { execution } = snapshot;
  const lines = [header(execution, options.now), progressLine(execution)];
  const targets = targetsOf(execution);
  if (targets.length <= options.maxTargetLines) return [...lines, ...targets.map((t) => targetLine(snapshot, t))];
  const room = Math.max(0, options.maxTargetLines - 1);
  const rank = (t: JobExecution) => UNFINISHED_FIRST[t.lifecycle] ?? 9;
  const shown = new Set([...targets].sort((a, b) => rank(a) - rank(b)).slice(0, room));
  const hidden = targets.filter((t) => !shown.has(t));
  return [
    ...lines,
    ...targets.filter((t) => shown.has(t)).map((t) => targetLine(snapshot, t)),
    `  … ${hidden.length} more: ${countsText(hidden, ' · ')}`,
  ];
}

/** For a log: a line for each thing that changed since `previous` (everything, the first time). */
export function describeChanges(previous: WatchSnapshot | undefined, next: WatchSnapshot): string[] {
  const lines: string[] = [];
  const { execution } = next;
  const changed = !previous || previous.execution.lifecycle !== execution.lifecycle;
  const executionLine = `execution ${execution.id} of job ${execution.jobName}: ${execution.lifecycle}`;
  // The story reads in order: the execution starts, its targets move, then it ends.
  const ends = isTerminal(execution.lifecycle);
  if (changed && !ends) lines.push(executionLine);
  const before = new Map((previous ? targetsOf(previous.execution) : []).map((t) => [t.id, t]));
  let moved = false;
  for (const t of targetsOf(execution)) {
    const old = before.get(t.id);
    const attempt = next.attempts.get(t.id);
    if (old && old.lifecycle === t.lifecycle && previous!.attempts.get(t.id) === attempt) continue;
    moved = true;
    const message = t.lastMessage && t.lifecycle !== 'Succeeded' ? `: ${oneLine(t.lastMessage)}` : '';
    lines.push(`  ${targetLabel(t)} ${t.lifecycle}${attempt === undefined ? '' : ` (attempt ${attempt})`}${message}`);
  }
  const targets = targetsOf(execution);
  if (moved && targets.length > 1) {
    const { done, total } = progressOf(execution);
    lines.push(`  progress ${done}/${total}: ${countsText(targets, ', ')}`);
  }
  if (changed && ends) lines.push(executionLine);
  return lines;
}

/** The closing lines: how it ended, and each target that did not succeed, with its message. */
export function renderOutcome(execution: JobExecution, now: Date): string[] {
  const targets = targetsOf(execution);
  const lines = [`${execution.lifecycle}: execution ${execution.id} of job ${execution.jobName} after ${elapsedOf(execution, now)}${targets.length ? ` (${countsText(targets, ', ')})` : ''}`];
  for (const t of targets) {
    if (t.lifecycle === 'Succeeded' || t.lifecycle === 'SucceededWithSkipped' || t === execution) continue;
    lines.push(`  ${t.lifecycle} ${targetLabel(t)}${t.lastMessage ? `: ${oneLine(t.lastMessage)}` : ''}`);
  }
  const succeeded = execution.lifecycle === 'Succeeded' || execution.lifecycle === 'SucceededWithSkipped';
  if (execution.lastMessage && (!succeeded || targets.length === 0)) lines.push(`  ${oneLine(execution.lastMessage)}`);
  return lines;
}
