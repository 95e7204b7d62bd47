/**
 * `elastic-jobs execution list|show|tasks|cancel|wait`: the seed's Get-/Stop-/Wait-AzureSqlJobExecution
 * and Get-AzureSqlJobTaskExecution.
 */
import type { Command } from 'commander';
import { DEFAULT_RERUN_LIFECYCLES } from '../../domain/schemas/execution';
import type { JobExecution, TaskExecution } from '../../domain/schemas/execution';
import { segment } from '../apiClient';
import { UsageError } from '../errorText';
import { EXIT_CODE_HELP } from '../exitCodes';
import { followExecution } from '../followExecution';
import { countsOf, targetLabel, targetsOf } from '../liveView';
import { collect, durationMs, timeOrAgo } from '../optionParsers';
import { shortTime, type Column, type Field } from '../output';
import type { Runtime } from '../session';
import { resolveTargetId } from '../targetReference';

const countsText = (e: JobExecution) =>
  Object.entries(e.counts ?? {})
    .filter(([, n]) => n > 0)
    .map(([l, n]) => `${l} ${n}`)
    .join(', ');

const columns: Column<JobExecution>[] = [
  { header: 'ID', value: (e) => e.id },
  { header: 'JOB', value: (e) => e.jobName },
  { header: 'LIFECYCLE', value: (e) => e.lifecycle },
  { header: 'TARGET', value: (e) => (e.target ? targetLabel(e) : null), max: 50 },
  { header: 'STARTED', value: (e) => shortTime(e.startTime) },
  { header: 'ENDED', value: (e) => shortTime(e.endTime) },
  { header: 'MESSAGE', value: (e) => e.lastMessage, max: 60 },
];

const childColumns: Column<JobExecution>[] = [
  { header: 'ID', value: (e) => e.id },
  { header: 'LIFECYCLE', value: (e) => e.lifecycle },
  { header: 'ENGINE', value: (e) => e.target?.engine },
  { header: 'TARGET', value: (e) => targetLabel(e), max: 60 },
  { header: 'ENDED', value: (e) => shortTime(e.endTime) },
  { header: 'MESSAGE', value: (e) => e.lastMessage, max: 80 },
];

export const executionFields: Field<JobExecution>[] = [
  { label: 'Id', value: (e) => e.id },
  { label: 'Job', value: (e) => e.jobName },
  { label: 'Lifecycle', value: (e) => e.lifecycle },
  { label: 'Parent', value: (e) => e.parentId },
  { label: 'Target', value: (e) => (e.target ? `${e.target.engine} ${targetLabel(e)}` : null) },
  { label: 'Step', value: (e) => (e.parentId !== null && e.stepName ? `${e.stepIndex} ${e.stepName}` : null) },
  { label: 'Rerun of', value: (e) => e.rerunOf ?? null },
  { label: 'Content version', value: (e) => e.contentVersion },
  { label: 'Schedule', value: (e) => e.scheduleName },
  { label: 'Created', value: (e) => shortTime(e.createdAt) },
  { label: 'Started', value: (e) => shortTime(e.startTime) },
  { label: 'Ended', value: (e) => shortTime(e.endTime) },
  { label: 'Cancel requested', value: (e) => e.cancelRequested },
  { label: 'Children', value: countsText },
  {
    label: 'Steps',
    value: (e) => (e.steps && e.steps.length > 1 ? e.steps.map((s) => `${s.stepIndex} ${s.name} ${s.lifecycle}${Object.keys(s.counts).length ? ` (${Object.entries(s.counts).map(([l, n]) => `${l} ${n}`).join(', ')})` : ''}`).join('; ') : null),
  },
  { label: 'Last message', value: (e) => e.lastMessage },
];

interface TaskRow extends TaskExecution {
  target: string;
}

const taskColumns: Column<TaskRow>[] = [
  { header: 'ID', value: (t) => t.id },
  { header: 'TARGET', value: (t) => t.target, max: 50 },
  { header: 'ATTEMPT', value: (t) => t.attempt },
  { header: 'LIFECYCLE', value: (t) => t.lifecycle },
  { header: 'STARTED', value: (t) => shortTime(t.startTime) },
  { header: 'ENDED', value: (t) => shortTime(t.endTime) },
  { header: 'MESSAGE', value: (t) => t.message, max: 80 },
];

interface ListOptions {
  all?: boolean;
  job?: string;
  schedule?: string;
  target?: string;
  parent?: string;
  children?: boolean;
  lifecycle?: string[];
  since?: string;
  until?: string;
}

type ItemsOrList<T> = T[] | { items: T[]; nextCursor?: string | null };

export function registerExecutionCommands(program: Command, runtime: Runtime): void {
  const execution = program.command('execution').description('job executions: one parent per start, one child per database, one task per attempt');

  execution
    .command('list')
    .description('list job executions (active ones, unless --all)')
    .option('-a, --all', 'include finished executions')
    .option('-j, --job <name>', 'only executions of this job')
    .option('--schedule <name>', 'only executions a schedule started')
    .option('--target <target>', 'only executions of this target (id or collection name)')
    .option('--parent <id>', 'the children of this execution')
    .option('--children', 'include child executions, not only top-level ones')
    .option('-l, --lifecycle <lifecycle>', 'only these lifecycles (repeatable, or comma-separated: Failed,TimedOut); finished ones need no --all', collect)
    .option('--since <time>', 'only executions created at or after this ISO 8601 time with a zone, or this long ago (1h, 2d)', timeOrAgo)
    .option('--until <time>', 'only executions created before this ISO 8601 time with a zone, or this long ago (1h, 2d)', timeOrAgo)
    .action(async (opts: ListOptions, command: Command) => {
      const session = runtime.session(command);
      const query = {
        includeInactive: opts.all ? 'true' : undefined,
        lifecycle: opts.lifecycle?.join(','),
        createdAfter: opts.since,
        createdBefore: opts.until,
        includeChildren: opts.children || opts.parent ? 'true' : undefined,
        jobName: opts.job,
        scheduleName: opts.schedule,
        targetId: opts.target === undefined ? undefined : await resolveTargetId(session.client, opts.target),
        parentId: opts.parent,
      };
      const empty = opts.all || opts.lifecycle ? 'No executions.' : 'No active executions (--all shows finished ones).';
      session.out.list(await session.client.list<JobExecution>('executions', query), columns, empty);
    });

  execution
    .command('show <id>')
    .description('show a job execution with its children, one per database')
    .option('--no-children', 'leave the children out')
    .action(async (id: string, opts: { children: boolean }, command: Command) => {
      const session = runtime.session(command);
      const found = await session.client.get<JobExecution>(`executions/${segment(id)}`, { includeChildren: opts.children ? 'true' : undefined });
      session.out.item(found, executionFields);
      if (session.format === 'table' && found.children?.length) {
        session.out.text(`\nChildren (${countsOf(found.children).map(([l, n]) => `${l} ${n}`).join(', ')}):`);
        session.out.list({ items: targetsOf(found), nextCursor: null }, childColumns, '');
      }
    });

  execution
    .command('tasks <id>')
    .description('the task executions (one per attempt) of a job execution and its children; -o json includes captured output ("task show ID" for one)')
    .action(async (id: string, _opts: unknown, command: Command) => {
      const session = runtime.session(command);
      const items: TaskExecution[] = [];
      let cursor: string | undefined;
      do {
        // JSON carries every field the API has, the captured output included.
        const query = { cursor, includeOutput: session.format === 'json' ? 'true' : undefined };
        const body = (await session.client.request<ItemsOrList<TaskExecution>>('GET', `executions/${segment(id)}/tasks`, { query })).body;
        const page = Array.isArray(body) ? { items: body, nextCursor: null } : body;
        items.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      if (session.format === 'json') return session.out.list({ items, nextCursor: null }, [], '');
      const parent = await session.client.get<JobExecution>(`executions/${segment(id)}`, { includeChildren: 'true' });
      const labels = new Map([parent, ...(parent.children ?? [])].map((e) => [e.id, e.target ? targetLabel(e) : '(parent)']));
      const steps = new Map((parent.children ?? []).map((e) => [e.id, e.stepIndex ?? 1]));
      const rows = items
        .map((t) => ({ ...t, target: labels.get(t.jobExecutionId) ?? t.jobExecutionId, step: steps.get(t.jobExecutionId) ?? 1 }))
        .sort((a, b) => a.step - b.step || a.target.localeCompare(b.target) || a.attempt - b.attempt);
      session.out.list({ items: rows, nextCursor: null }, taskColumns, 'No task executions yet.');
    });

  execution
    .command('cancel <id>')
    .description('cancel a job execution and all its children (running queries are canceled)')
    .action(async (id: string, _opts: unknown, command: Command) => {
      const session = runtime.session(command);
      const body = (await session.client.request<JobExecution | undefined>('POST', `executions/${segment(id)}/cancel`)).body;
      if (session.format === 'json' && body !== undefined) session.out.item(body, executionFields);
      else session.out.note(`Cancel requested for execution ${id}.`);
    });

  execution
    .command('rerun <id>')
    .description("run the job again on only the databases of an ended execution that did not succeed (--only: the lifecycles to take); --wait follows it")
    .option('--only <lifecycles>', `the lifecycles whose databases run again, comma-separated (default: ${DEFAULT_RERUN_LIFECYCLES.join(',')})`)
    .option('-w, --wait', 'follow the new execution live and exit with the code of its outcome')
    .option('--timeout <duration>', 'with --wait: stop waiting after this duration: 30s, 10m, PT1H (exit 6)', durationMs)
    .addHelpText('after', `\n${EXIT_CODE_HELP}`)
    .action(async (id: string, opts: { only?: string; wait?: boolean; timeout?: number }, command: Command) => {
      const session = runtime.session(command);
      if (opts.timeout !== undefined && !opts.wait) throw new UsageError('--timeout applies to --wait');
      const ended = ['Succeeded', 'SucceededWithSkipped', 'Failed', 'TimedOut', 'Canceled', 'Skipped'];
      let lifecycles: string[] | undefined;
      if (opts.only !== undefined) {
        lifecycles = opts.only.split(',').map((l) => l.trim()).filter((l) => l !== '').map((w) => ended.find((l) => l.toLowerCase() === w.toLowerCase()) ?? w);
        const unknown = lifecycles.filter((l) => !ended.includes(l));
        if (unknown.length > 0 || lifecycles.length === 0) throw new UsageError(`--only takes lifecycles separated by commas, each one of ${ended.join(', ')}`);
      }
      const rerun = await session.client.post<JobExecution>(`executions/${segment(id)}/rerun`, lifecycles ? { lifecycles } : {});
      if (!opts.wait) {
        session.out.item(rerun, executionFields);
        return;
      }
      if (session.format === 'table') session.out.note(`Started execution ${rerun.id}, a rerun of ${id}.`);
      await followExecution(session, rerun.id, { timeoutMs: opts.timeout });
    });

  execution
    .command('wait <id>')
    .description('follow a job execution live until it ends; the exit code says how it ended')
    .option('--timeout <duration>', 'stop waiting after this duration: 30s, 10m, PT1H (exit 6)', durationMs)
    .addHelpText('after', `\n${EXIT_CODE_HELP}`)
    .action(async (id: string, opts: { timeout?: number }, command: Command) => {
      await followExecution(runtime.session(command), id, { timeoutMs: opts.timeout });
    });
}
