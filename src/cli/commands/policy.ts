/** `elastic-jobs policy add|set|list|show|remove`: execution policies (timeouts and retries). */
import type { Command } from 'commander';
import { DEFAULT_POLICY, type ExecutionPolicy } from '../../domain/schemas/executionPolicy';
import { segment } from '../apiClient';
import { UsageError } from '../errorText';
import { decimal, integer, isoDuration } from '../optionParsers';
import { shortTime, type Column, type Field } from '../output';
import type { Runtime } from '../session';

const columns: Column<ExecutionPolicy>[] = [
  { header: 'NAME', value: (p) => p.name },
  { header: 'JOB TIMEOUT', value: (p) => p.jobTimeout },
  { header: 'INITIAL RETRY', value: (p) => p.initialRetryInterval },
  { header: 'MAX RETRY', value: (p) => p.maximumRetryInterval },
  { header: 'BACKOFF', value: (p) => p.retryIntervalBackoffCoefficient },
  { header: 'MAX ATTEMPTS', value: (p) => p.maximumAttempts },
  { header: 'TASK TIMEOUT', value: (p) => p.taskTimeout },
];

const fields: Field<ExecutionPolicy>[] = [
  { label: 'Name', value: (p) => p.name },
  { label: 'Job timeout', value: (p) => p.jobTimeout },
  { label: 'Initial retry interval', value: (p) => p.initialRetryInterval },
  { label: 'Maximum retry interval', value: (p) => p.maximumRetryInterval },
  { label: 'Retry backoff coefficient', value: (p) => p.retryIntervalBackoffCoefficient },
  { label: 'Maximum attempts', value: (p) => p.maximumAttempts },
  { label: 'Task timeout', value: (p) => p.taskTimeout ?? 'none' },
  { label: 'Created', value: (p) => shortTime(p.createdAt) },
  { label: 'Updated', value: (p) => shortTime(p.updatedAt) },
];

interface PolicyOptions {
  jobTimeout?: string;
  initialRetryInterval?: string;
  maximumRetryInterval?: string;
  backoffCoefficient?: number;
  maximumAttempts?: number;
  taskTimeout?: string;
}

function withPolicyOptions(command: Command, defaults: boolean): Command {
  const d = (value: string | number) => (defaults ? ` (default ${value}, as the default policy)` : '');
  return command
    .option('--job-timeout <duration>', `duration (10m, 2h, P1D) after which the whole execution ends TimedOut${d(DEFAULT_POLICY.jobTimeout)}`, isoDuration)
    .option('--initial-retry-interval <duration>', `wait before the first retry${d(DEFAULT_POLICY.initialRetryInterval)}`, isoDuration)
    .option('--maximum-retry-interval <duration>', `cap on the wait between retries${d(DEFAULT_POLICY.maximumRetryInterval)}`, isoDuration)
    .option('--backoff-coefficient <n>', `each wait is the previous one times this${d(DEFAULT_POLICY.retryIntervalBackoffCoefficient)}`, decimal)
    .option('--maximum-attempts <n>', `attempts per database, the first included${d(DEFAULT_POLICY.maximumAttempts)}`, integer)
    .option('--task-timeout <duration>', `bound on one attempt (the query is canceled)${defaults ? '' : '; "none" removes it'}`, (text: string) =>
      defaults || text !== 'none' ? isoDuration(text) : text,
    );
}

function changes(opts: PolicyOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {
    jobTimeout: opts.jobTimeout,
    initialRetryInterval: opts.initialRetryInterval,
    maximumRetryInterval: opts.maximumRetryInterval,
    retryIntervalBackoffCoefficient: opts.backoffCoefficient,
    maximumAttempts: opts.maximumAttempts,
    taskTimeout: opts.taskTimeout === 'none' ? null : opts.taskTimeout,
  };
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
}

export function registerPolicyCommands(program: Command, runtime: Runtime): void {
  const policy = program.command('policy').description('execution policies: job timeout, retries and their backoff');

  withPolicyOptions(policy.command('add <name>').description('create an execution policy; omitted values are the default policy\'s'), true).action(
    async (name: string, opts: PolicyOptions, command: Command) => {
      const session = runtime.session(command);
      const body = {
        name,
        jobTimeout: DEFAULT_POLICY.jobTimeout,
        initialRetryInterval: DEFAULT_POLICY.initialRetryInterval,
        maximumRetryInterval: DEFAULT_POLICY.maximumRetryInterval,
        retryIntervalBackoffCoefficient: DEFAULT_POLICY.retryIntervalBackoffCoefficient,
        maximumAttempts: DEFAULT_POLICY.maximumAttempts,
        ...changes(opts),
      };
      session.out.item(await session.client.post<ExecutionPolicy>('execution-policies', body), fields);
    },
  );

  withPolicyOptions(policy.command('set <name>').description('change an execution policy'), false).action(async (name: string, opts: PolicyOptions, command: Command) => {
    const session = runtime.session(command);
    const body = changes(opts);
    if (Object.keys(body).length === 0) throw new UsageError('nothing to change: give at least one of the options (see --help)');
    session.out.item(await session.client.put<ExecutionPolicy>(`execution-policies/${segment(name)}`, body), fields);
  });

  policy
    .command('list')
    .description('list execution policies')
    .action(async (_opts: unknown, command: Command) => {
      const session = runtime.session(command);
      session.out.list(await session.client.list<ExecutionPolicy>('execution-policies'), columns, 'No execution policies.');
    });

  policy
    .command('show <name>')
    .description('show one execution policy')
    .action(async (name: string, _opts: unknown, command: Command) => {
      const session = runtime.session(command);
      session.out.item(await session.client.get<ExecutionPolicy>(`execution-policies/${segment(name)}`), fields);
    });

  policy
    .command('remove <name>')
    .description('delete an execution policy (refused while a job uses it; default cannot be deleted)')
    .action(async (name: string, _opts: unknown, command: Command) => {
      const session = runtime.session(command);
      await session.client.delete(`execution-policies/${segment(name)}`);
      session.out.note(`Removed execution policy ${name}.`);
    });
}
