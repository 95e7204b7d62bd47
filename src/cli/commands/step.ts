/**
 * `elastic-jobs step add|list|show|set|remove`: a job's steps, run in order (the GA agent's
 * Add-/Set-/Remove-AzureSqlJobStep). `--index` places a step (1-based; the others move down or
 * up one); `--on-failure continue` lets the later steps run after a child of this one failed.
 */
import type { Command } from 'commander';
import { StepOnFailure, type JobStep } from '../../domain/schemas/step';
import { segment } from '../apiClient';
import { UsageError } from '../errorText';
import { integer } from '../optionParsers';
import { shortTime, type Column, type Field } from '../output';
import type { Runtime, Session } from '../session';
import { contentOf, destinationOf, missingStepOptions, stepFields, withStepOptions, type StepOptions } from '../stepOptions';

const columns: Column<JobStep>[] = [
  { header: '#', value: (s) => s.stepIndex },
  { header: 'NAME', value: (s) => s.name },
  { header: 'CONTENT', value: contentOf },
  { header: 'CREDENTIAL', value: (s) => s.credentialName },
  { header: 'TARGET', value: (s) => s.targetId },
  { header: 'POLICY', value: (s) => s.executionPolicyName },
  { header: 'PARALLELISM', value: (s) => s.maxParallelism ?? 'default' },
  { header: 'ON FAILURE', value: (s) => s.onFailure },
];

const fields: Field<JobStep>[] = [
  { label: 'Job', value: (s) => s.jobName },
  { label: 'Step', value: (s) => s.name },
  { label: 'Index', value: (s) => s.stepIndex },
  { label: 'Content', value: contentOf },
  { label: 'Credential', value: (s) => s.credentialName },
  { label: 'Target', value: (s) => s.targetId },
  { label: 'Execution policy', value: (s) => s.executionPolicyName },
  { label: 'Max parallelism', value: (s) => s.maxParallelism ?? 'default' },
  { label: 'Capture output', value: (s) => s.captureOutput },
  { label: 'Result set destination', value: (s) => destinationOf(s.resultSetDestination) },
  { label: 'On failure', value: (s) => s.onFailure },
  { label: 'Created', value: (s) => shortTime(s.createdAt) },
  { label: 'Updated', value: (s) => shortTime(s.updatedAt) },
];

interface StepCommandOptions extends StepOptions {
  onFailure?: string;
  index?: string;
}

function withPlacementOptions(command: Command, forUpdate: boolean): Command {
  return withStepOptions(command, forUpdate)
    .option('--on-failure <action>', `after a child of this step failed or timed out: stopJob (${forUpdate ? 'the default' : 'default'}) runs no later step, continue runs them`)
    .option('--index <n>', forUpdate ? 'move the step to this position (1-based; the steps between move up or down one)' : 'insert at this position (1-based; the steps from there move down one; default: after the last)');
}

async function stepBody(session: Session, opts: StepCommandOptions, forUpdate: boolean): Promise<Record<string, unknown>> {
  let stepIndex: number | undefined;
  try {
    stepIndex = opts.index === undefined ? undefined : integer(opts.index);
  } catch {
    throw new UsageError('--index takes a whole number (1 is the first step)');
  }
  // The API takes the spelling it lists; any case is accepted here.
  const onFailure = opts.onFailure === undefined ? undefined : StepOnFailure.options.find((o) => o.toLowerCase() === opts.onFailure!.trim().toLowerCase());
  if (opts.onFailure !== undefined && onFailure === undefined) throw new UsageError(`--on-failure takes ${StepOnFailure.options.join(' or ')}`);
  const body: Record<string, unknown> = { ...(await stepFields(session, opts, forUpdate)), onFailure, stepIndex };
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
}

const stepPath = (job: string, step?: string) => `jobs/${segment(job)}/steps${step === undefined ? '' : `/${segment(step)}`}`;

export function registerStepCommands(program: Command, runtime: Runtime): void {
  const step = program.command('step').description("a job's steps: each a content run with its own credential, target and policy, run in order");

  withPlacementOptions(step.command('add <job> <step>').description('add a step to a job (after the last, or at --index)'), false).action(
    async (job: string, name: string, opts: StepCommandOptions, command: Command) => {
      const session = runtime.session(command);
      const missing = missingStepOptions(opts);
      if (missing.length) throw new UsageError(`required option${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')} not specified`);
      session.out.item(await session.client.post<JobStep>(stepPath(job), { name, ...(await stepBody(session, opts, false)) }), fields);
    },
  );

  withPlacementOptions(step.command('set <job> <step>').description('change a step, or move it with --index (the next execution uses it)'), true).action(
    async (job: string, name: string, opts: StepCommandOptions, command: Command) => {
      const session = runtime.session(command);
      const body = await stepBody(session, opts, true);
      if (Object.keys(body).length === 0) throw new UsageError('nothing to change: give at least one of the options (see --help)');
      session.out.item(await session.client.put<JobStep>(stepPath(job, name), body), fields);
    },
  );

  step
    .command('list <job>')
    .description("list a job's steps in the order they run")
    .action(async (job: string, _opts: unknown, command: Command) => {
      const session = runtime.session(command);
      session.out.list(await session.client.list<JobStep>(stepPath(job)), columns, `Job ${job} has no steps (add one with: elastic-jobs step add).`);
    });

  step
    .command('show <job> <step>')
    .description('show one step of a job')
    .action(async (job: string, name: string, _opts: unknown, command: Command) => {
      const session = runtime.session(command);
      session.out.item(await session.client.get<JobStep>(stepPath(job, name)), fields);
    });

  step
    .command('remove <job> <step>')
    .description('remove a step from a job (the steps after it move up one; executions already started keep it)')
    .action(async (job: string, name: string, _opts: unknown, command: Command) => {
      const session = runtime.session(command);
      await session.client.delete(stepPath(job, name));
      session.out.note(`Removed step ${name} from job ${job}.`);
    });
}
