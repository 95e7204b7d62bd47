/**
 * The options that describe what a job step runs and how (`--content`, `--credential`,
 * `--target`, `--policy`, `--result-*`...), shared by `step add|set` and by `job create|set`,
 * whose content options describe the job's step 1. Turned into the API's field names here;
 * everything else is the API's to validate.
 */
import type { Command } from 'commander';
import type { JobStep } from '../domain/schemas/step';
import { UsageError } from './errorText';
import { integer } from './optionParsers';
import type { Session } from './session';
import { resolveTargetId } from './targetReference';

export interface StepOptions {
  content?: string;
  contentVersion?: string;
  credential?: string;
  target?: string;
  policy?: string;
  maxParallelism?: string;
  captureOutput?: boolean;
  /** `--no-result-set` (set only): stop collecting results. */
  resultSet?: boolean;
  resultEngine?: string;
  resultServer?: string;
  resultDatabase?: string;
  resultSchema?: string;
  resultTable?: string;
  resultCredential?: string;
}

/** Adds the step options; `forUpdate` adds the words and `--no-*` flags that clear a setting. */
export function withStepOptions(command: Command, forUpdate: boolean): Command {
  const clear = (word: string) => (forUpdate ? `; "${word}" clears it` : '');
  command
    .option('--content <name>', 'the script or DACPAC content to run')
    .option('--content-version <n>', `a fixed content version (default: the latest at each start)${clear('latest')}`)
    .option('--credential <name>', 'credential to connect to the target databases with')
    .option('--target <target>', "target id, or a custom collection's name")
    .option('--policy <name>', 'execution policy (default: "default")')
    .option('--max-parallelism <n>', `databases run at once${clear('none')}`)
    .option('--capture-output', 'keep what each attempt printed (PRINT, RAISERROR < 11)')
    .option('--result-engine <engine>', 'result set destination engine: sqlserver (default), postgres, sqlite')
    .option('--result-server <server>', 'collect the first result set into a table on this server')
    .option('--result-database <database>', 'destination database')
    .option('--result-schema <schema>', 'destination schema')
    .option('--result-table <table>', 'destination table (created to match if missing)')
    .option('--result-credential <name>', 'credential for the destination');
  if (forUpdate) command.option('--no-capture-output', 'stop keeping attempt output').option('--no-result-set', 'stop collecting results');
  return command;
}

function resultSetDestination(opts: StepOptions): Record<string, unknown> | undefined {
  const parts = {
    engine: opts.resultEngine,
    serverName: opts.resultServer,
    databaseName: opts.resultDatabase,
    schemaName: opts.resultSchema,
    tableName: opts.resultTable,
    credentialName: opts.resultCredential,
  };
  if (Object.values(parts).every((v) => v === undefined)) return undefined;
  return Object.fromEntries(Object.entries(parts).filter(([, v]) => v !== undefined));
}

/** A whole number, or null for `word` on set; undefined when not given. */
export function nullableInteger(text: string | undefined, word: string, forUpdate: boolean): number | null | undefined {
  if (text === undefined) return undefined;
  if (forUpdate && text === word) return null;
  return integer(text);
}

/** The step options as API fields (only those given); a collection's name resolved to its target id. */
export async function stepFields(session: Session, opts: StepOptions, forUpdate: boolean): Promise<Record<string, unknown>> {
  let contentVersion: number | null | undefined;
  let maxParallelism: number | null | undefined;
  try {
    contentVersion = nullableInteger(opts.contentVersion, 'latest', forUpdate);
    maxParallelism = nullableInteger(opts.maxParallelism, 'none', forUpdate);
  } catch {
    throw new UsageError('--content-version and --max-parallelism take a whole number');
  }
  const destination = resultSetDestination(opts);
  if (destination && opts.resultSet === false) throw new UsageError('--no-result-set and --result-* options contradict each other');
  const body: Record<string, unknown> = {
    contentName: opts.content,
    contentVersion,
    credentialName: opts.credential,
    targetId: opts.target === undefined ? undefined : await resolveTargetId(session.client, opts.target),
    executionPolicyName: opts.policy,
    maxParallelism,
    captureOutput: opts.captureOutput,
    resultSetDestination: opts.resultSet === false ? null : destination,
  };
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
}

/** The options a step cannot do without, by flag; `--content`, `--credential`, `--target` not given. */
export function missingStepOptions(opts: StepOptions): string[] {
  return ([['--content', opts.content], ['--credential', opts.credential], ['--target', opts.target]] as const).filter(([, v]) => v === undefined).map(([flag]) => flag);
}

/** Whether any step option was given at all. */
export function anyStepOption(opts: StepOptions): boolean {
  const { resultSet, ...rest } = opts;
  return resultSet === false || Object.entries(rest).some(([key, v]) => STEP_OPTION_KEYS.has(key) && v !== undefined);
}

const STEP_OPTION_KEYS = new Set([
  'content',
  'contentVersion',
  'credential',
  'target',
  'policy',
  'maxParallelism',
  'captureOutput',
  'resultEngine',
  'resultServer',
  'resultDatabase',
  'resultSchema',
  'resultTable',
  'resultCredential',
]);

/** `name@version` (`@latest` when the version is not fixed). */
export function contentOf(s: Pick<JobStep, 'contentVersion'> & { contentName: string | null }): string | null {
  return s.contentName === null ? null : `${s.contentName}@${s.contentVersion ?? 'latest'}`;
}

/** A result set destination in one line. */
export function destinationOf(d: JobStep['resultSetDestination'] | undefined): string | null {
  return d ? `${d.engine} ${d.serverName}/${d.databaseName} ${d.schemaName}.${d.tableName} (credential ${d.credentialName})` : null;
}
