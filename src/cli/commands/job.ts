/**
 * `elastic-jobs job create|set|list|show|remove|start|enable|disable`: the seed's *-AzureSqlJob and
 * Start-AzureSqlJobExecution. A job's content options describe its step 1 (`step add|set` for the
 * others); `job create` without any of them makes a job without steps.
 */
import { type Command } from 'commander';
import { EndedLifecycle, type Job } from '../../domain/schemas/job';
import type { JobExecution } from '../../domain/schemas/execution';
import { ApiError, segment } from '../apiClient';
import { EXIT_CODE_HELP } from '../exitCodes';
import { UsageError } from '../errorText';
import { followExecution } from '../followExecution';
import { durationMs, integer, isoDuration, timestamp } from '../optionParsers';
import { shortTime, type Column, type Field } from '../output';
import type { Runtime, Session } from '../session';
import { anyStepOption, contentOf, destinationOf, missingStepOptions, nullableInteger, stepFields, withStepOptions, type StepOptions } from '../stepOptions';
import { executionFields } from './execution';

/** Step names in order, for a job's row and record (`-` without steps). */
const stepsOf = (j: Job) => (j.steps ?? []).map((s) => s.name).join(', ');

const columns: Column<Job>[] = [
  { header: 'NAME', value: (j) => j.name },
  { header: 'STEPS', value: stepsOf, max: 40 },
  { header: 'CONTENT', value: contentOf },
  { header: 'CREDENTIAL', value: (j) => j.credentialName },
  { header: 'TARGET', value: (j) => j.targetId },
  { header: 'POLICY', value: (j) => j.executionPolicyName },
  { header: 'PARALLELISM', value: (j) => j.maxParallelism ?? 'default' },
  { header: 'STATE', value: (j) => (j.markedForDeletion ? 'marked for deletion' : j.enabled === false ? 'disabled' : 'active') },
];

const fields: Field<Job>[] = [
  { label: 'Name', value: (j) => j.name },
  { label: 'Steps', value: stepsOf },
  { label: 'Content', value: contentOf },
  { label: 'Credential', value: (j) => j.credentialName },
  { label: 'Target', value: (j) => j.targetId },
  { label: 'Execution policy', value: (j) => j.executionPolicyName },
  { label: 'Max parallelism', value: (j) => j.maxParallelism ?? 'default' },
  { label: 'Overlap', value: (j) => j.overlap },
  { label: 'Capture output', value: (j) => j.captureOutput },
  { label: 'Result set destination', value: (j) => destinationOf(j.resultSetDestination) },
  { label: 'Canary', value: (j) => (j.canary ? (j.canary.targets !== undefined ? `first ${j.canary.targets}` : (j.canary.databases ?? []).map((d) => `${d.serverName}/${d.databaseName}`).join(', ')) : null) },
  { label: 'Failure threshold', value: (j) => (j.failureThreshold ? [j.failureThreshold.count, j.failureThreshold.percent === undefined ? undefined : `${j.failureThreshold.percent}%`].filter((v) => v !== undefined).join(' or ') : null) },
  { label: 'Max per server', value: (j) => j.maxParallelismPerServer },
  { label: 'Enabled', value: (j) => j.enabled },
  { label: 'Notify', value: (j) => (j.notify ? `${j.notify.url} on ${j.notify.on.join(', ')}` : null) },
  { label: 'Marked for deletion', value: (j) => j.markedForDeletion },
  { label: 'Created', value: (j) => shortTime(j.createdAt) },
  { label: 'Updated', value: (j) => shortTime(j.updatedAt) },
];

interface JobOptions extends StepOptions {
  overlap?: string;
  notifyUrl?: string;
  notifyOn?: string;
  /** `--no-notify` (set only): remove the webhook. */
  notify?: boolean;
  canary?: string;
  failureThreshold?: string;
  maxPerServer?: string;
}

function withJobOptions(command: Command, forUpdate: boolean): Command {
  const clear = (word: string) => (forUpdate ? `; "${word}" clears it` : '');
  withStepOptions(command, forUpdate)
    .option('--overlap <mode>', 'a scheduled start while one is running: skip, queue or allow')
    .option('--notify-url <url>', 'POST a signed webhook here when an execution ends (https; http to 127.0.0.1 on the local host; needs WEBHOOK_SIGNING_KEY on the server)')
    .option('--notify-on <lifecycles>', `with --notify-url: the lifecycles notified, comma-separated (default: Failed,TimedOut; any of ${EndedLifecycle.options.join(', ')})`)
    .option('--canary <k-or-databases>', `run these databases first, the others only if all succeed: a count (the first k by server then database) or server/database,...${clear('none')}`)
    .option('--failure-threshold <n-or-percent>', `stop starting databases once n (5) or n% (10%) of them failed${clear('none')}`)
    .option('--max-per-server <n>', `at most n databases of one server at once${clear('none')}`);
  if (forUpdate) command.option('--no-notify', 'remove the webhook');
  return command;
}

/** `--canary 3` or `--canary srv/db1,srv/db2` as the API's `canary`; null for "none" on set. */
export function canaryOf(text: string | undefined, forUpdate: boolean): Record<string, unknown> | null | undefined {
  if (text === undefined) return undefined;
  if (forUpdate && text === 'none') return null;
  if (/^\d+$/.test(text.trim())) return { targets: integer(text.trim()) };
  const databases = text.split(',').map((part) => part.trim()).filter((part) => part !== '').map((part) => {
    const at = part.lastIndexOf('/');
    if (at <= 0 || at === part.length - 1) throw new UsageError(`--canary takes a count or server/database pairs separated by commas ('${part}' is neither)`);
    return { serverName: part.slice(0, at), databaseName: part.slice(at + 1) };
  });
  if (databases.length === 0) throw new UsageError('--canary takes a count or server/database pairs separated by commas');
  return { databases };
}

/** `--failure-threshold 5` or `10%` as the API's `failureThreshold`; null for "none" on set. */
export function failureThresholdOf(text: string | undefined, forUpdate: boolean): Record<string, unknown> | null | undefined {
  if (text === undefined) return undefined;
  if (forUpdate && text === 'none') return null;
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(text.trim());
  if (percent) return { percent: Number(percent[1]) };
  if (/^\d+$/.test(text.trim())) return { count: integer(text.trim()) };
  throw new UsageError('--failure-threshold takes a count (5) or a percentage (10%)');
}

/** `--notify-url` and `--notify-on` as the API's `notify`; null for `--no-notify`; undefined when neither is given. */
function notifyOf(opts: JobOptions): Record<string, unknown> | null | undefined {
  if (opts.notify === false) {
    if (opts.notifyUrl !== undefined || opts.notifyOn !== undefined) throw new UsageError('--no-notify and --notify-url/--notify-on contradict each other');
    return null;
  }
  if (opts.notifyOn !== undefined && opts.notifyUrl === undefined) throw new UsageError('--notify-on needs --notify-url (the webhook it applies to)');
  if (opts.notifyUrl === undefined) return undefined;
  if (opts.notifyOn === undefined) return { url: opts.notifyUrl };
  const wanted = opts.notifyOn.split(',').map((l) => l.trim()).filter((l) => l !== '');
  // Lifecycles match whatever their case; the API takes them as it spells them.
  const on = wanted.map((w) => EndedLifecycle.options.find((l) => l.toLowerCase() === w.toLowerCase()) ?? w);
  const unknown = on.filter((l) => !(EndedLifecycle.options as string[]).includes(l));
  if (unknown.length || !on.length) throw new UsageError(`--notify-on takes lifecycles separated by commas, each one of ${EndedLifecycle.options.join(', ')}`);
  return { url: opts.notifyUrl, on };
}

async function jobBody(session: Session, opts: JobOptions, forUpdate: boolean): Promise<Record<string, unknown>> {
  let maxParallelismPerServer: number | null | undefined;
  try {
    maxParallelismPerServer = nullableInteger(opts.maxPerServer, 'none', forUpdate);
  } catch {
    throw new UsageError('--max-per-server takes a whole number');
  }
  const body: Record<string, unknown> = {
    ...(await stepFields(session, opts, forUpdate)),
    overlap: opts.overlap,
    notify: notifyOf(opts),
    canary: canaryOf(opts.canary, forUpdate),
    failureThreshold: failureThresholdOf(opts.failureThreshold, forUpdate),
    maxParallelismPerServer,
  };
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
}

export function registerJobCommands(program: Command, runtime: Runtime): void {
  const job = program.command('job').description('jobs: steps (each a content run with a credential against a target, under an execution policy) run in order');

  withJobOptions(
    job.command('create <name>').description('create a job: --content, --credential and --target make its one step ("main"); without any of them it has no steps yet (step add)'),
    false,
  ).action(async (name: string, opts: JobOptions, command: Command) => {
    const session = runtime.session(command);
    const missing = missingStepOptions(opts);
    if (anyStepOption(opts) && missing.length) {
      throw new UsageError(`a job's step needs --content, --credential and --target together (missing ${missing.join(', ')}); give none of the step options for a job without steps`);
    }
    const body = { name, ...(await jobBody(session, opts, false)) };
    session.out.item(await session.client.post<Job>('jobs', body), fields);
  });

  withJobOptions(job.command('set <name>').description('change a job (the next execution uses it)'), true).action(async (name: string, opts: JobOptions, command: Command) => {
    const session = runtime.session(command);
    const body = await jobBody(session, opts, true);
    if (Object.keys(body).length === 0) throw new UsageError('nothing to change: give at least one of the options (see --help)');
    session.out.item(await session.client.put<Job>(`jobs/${segment(name)}`, body), fields);
  });

  job
    .command('list')
    .description('list jobs')
    .action(async (_opts: unknown, command: Command) => {
      const session = runtime.session(command);
      session.out.list(await session.client.list<Job>('jobs'), columns, 'No jobs.');
    });

  job
    .command('show <name>')
    .description('show one job')
    .action(async (name: string, _opts: unknown, command: Command) => {
      const session = runtime.session(command);
      session.out.item(await session.client.get<Job>(`jobs/${segment(name)}`), fields);
    });

  job
    .command('remove <name>')
    .description('delete a job with its history; with an execution still active it goes once that ends')
    .action(async (name: string, _opts: unknown, command: Command) => {
      const session = runtime.session(command);
      await session.client.delete(`jobs/${segment(name)}`);
      const gone = await session.client.get<Job>(`jobs/${segment(name)}`).then(
        () => false,
        (e: unknown) => {
          if (e instanceof ApiError && e.status === 404) return true;
          throw e;
        },
      );
      session.out.note(
        gone
          ? `Removed job ${name} with its history.`
          : `Job ${name} is marked for deletion: an execution of it is still active; it goes with its history within 5 minutes of that ending.`,
      );
    });

  for (const [verb, enabled, description] of [
    ['enable', true, 'let the job\'s triggers fire again, from the next due time on (fire times that passed while it was disabled are not caught up)'],
    ['disable', false, 'stop the job\'s triggers firing (nothing runs, nothing is recorded for them); job start still runs it'],
  ] as const) {
    job
      .command(`${verb} <name>`)
      .description(description)
      .action(async (name: string, _opts: unknown, command: Command) => {
        const session = runtime.session(command);
        const changed = await session.client.put<Job>(`jobs/${segment(name)}`, { enabled });
        if (session.format === 'json') session.out.item(changed, fields);
        else session.out.note(enabled ? `Enabled job ${name}: its triggers fire from the next due time on.` : `Disabled job ${name}: its triggers fire nothing until it is enabled again.`);
      });
  }

  job
    .command('purge-history <name>')
    .description('delete finished executions of a job older than a time or a duration (active ones are never purged)')
    .requiredOption('--older-than <time-or-duration>', 'an ISO 8601 time with a zone (2026-10-01T00:00:00Z) or a duration back from now (30d, P30D)', (text: string) =>
      /^\d{4}-\d{2}-\d{2}T/.test(text) ? timestamp(text) : isoDuration(text),
    )
    .action(async (name: string, opts: { olderThan: string }, command: Command) => {
      const session = runtime.session(command);
      const purged = await session.client.post<{ deleted: number }>(`jobs/${segment(name)}/purge-history`, { olderThan: opts.olderThan });
      if (session.format === 'json') session.out.item(purged, []);
      else session.out.note(`Deleted ${purged.deleted} execution${purged.deleted === 1 ? '' : 's'} of job ${name} (each with its children and task executions).`);
    });

  job
    .command('start <name>')
    .description('start an execution of a job now; --wait follows it to the end')
    .option('-w, --wait', 'follow the execution live and exit with the code of its outcome')
    .option('--timeout <duration>', 'with --wait: stop waiting after this duration: 30s, 10m, PT1H (exit 6)', durationMs)
    .addHelpText('after', `\n${EXIT_CODE_HELP}`)
    .action(async (name: string, opts: { wait?: boolean; timeout?: number }, command: Command) => {
      const session = runtime.session(command);
      if (opts.timeout !== undefined && !opts.wait) throw new UsageError('--timeout applies to --wait');
      const execution = await session.client.post<JobExecution>(`jobs/${segment(name)}/executions`);
      if (!opts.wait) {
        session.out.item(execution, executionFields);
        return;
      }
      if (session.format === 'table') session.out.note(`Started execution ${execution.id} of job ${name}.`);
      await followExecution(session, execution.id, { timeoutMs: opts.timeout });
    });
}
