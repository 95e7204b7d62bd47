/**
 * The `elastic-jobs` command: one sub-command per object of the product, mirroring the
 * original PowerShell cmdlets, all speaking HTTP to the API (a local host or an Azure app).
 * `run` is the whole program over injected streams; `main` binds it to this process.
 */
import { Command, CommanderError, Option } from 'commander';
import { version } from '../version';
import { DEFAULT_API_URL } from './apiClient';
import { registerContentCommands } from './commands/content';
import { registerCredentialCommands } from './commands/credential';
import { registerExecutionCommands } from './commands/execution';
import { registerJobCommands } from './commands/job';
import { registerPolicyCommands } from './commands/policy';
import { registerScheduleCommands } from './commands/schedule';
import { registerServeCommand } from './commands/serve';
import { registerServiceCommands } from './commands/service';
import { registerSqliteCommands } from './commands/sqlite';
import { registerStepCommands } from './commands/step';
import { registerTargetCommands } from './commands/target';
import { registerTaskCommands } from './commands/task';
import { registerTriggerCommands } from './commands/trigger';
import { describeError } from './errorText';
import { EXIT_CODE_HELP, ExitCode } from './exitCodes';
import { processIo, type CliIo } from './io';
import { OUTPUT_FORMATS } from './output';
import { createRuntime, type Runtime } from './session';

const GLOBAL_HELP = `
Connection: --url or ELASTIC_JOBS_URL (default ${DEFAULT_API_URL}; an Azure app is
https://<app>.azurewebsites.net), --key or ELASTIC_JOBS_KEY (sent as x-functions-key; prefer
the variable: arguments are visible to other users of the machine).

Example: a script across a collection of databases, waiting for the outcome
  elastic-jobs credential add deployer --username deployer --allowed-server '*.database.windows.net'
  elastic-jobs content add add-index --file add-index.sql
  elastic-jobs target add-collection tenants
  elastic-jobs target add-member tenants --server tenants1.database.windows.net --database tenant_a
  elastic-jobs job create add-index --content add-index --credential deployer --target tenants
  elastic-jobs job start add-index --wait

${EXIT_CODE_HELP}`;

export function createProgram(runtime: Runtime): Command {
  const { io } = runtime;
  const program = new Command('elastic-jobs')
    .description('Run T-SQL scripts and DACPACs reliably across many databases: manage Elastic Jobs over its HTTP API.')
    .version(version, '-V, --version')
    .addOption(new Option('--url <url>', `API of a local host or an Azure deployment (env ELASTIC_JOBS_URL; default ${DEFAULT_API_URL})`))
    .addOption(new Option('--key <key>', 'API key, sent as x-functions-key (env ELASTIC_JOBS_KEY)'))
    .addOption(new Option('-o, --output <format>', 'table for people, json (the API\'s own objects) for scripts').choices(OUTPUT_FORMATS).default('table'))
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({
      writeOut: (text) => void io.stdout.write(text),
      writeErr: (text) => void io.stderr.write(text),
    })
    .exitOverride()
    .addHelpText('after', GLOBAL_HELP);
  // Sub-commands copy the settings above (output, exitOverride) when they are created.
  registerCredentialCommands(program, runtime);
  registerContentCommands(program, runtime);
  registerTargetCommands(program, runtime);
  registerPolicyCommands(program, runtime);
  registerJobCommands(program, runtime);
  registerStepCommands(program, runtime);
  registerExecutionCommands(program, runtime);
  registerTaskCommands(program, runtime);
  registerScheduleCommands(program, runtime);
  registerTriggerCommands(program, runtime);
  registerServeCommand(program, runtime);
  registerServiceCommands(program, runtime);
  registerSqliteCommands(program, runtime);
  return program;
}

/** Runs one command line (without `node` and the script) and returns its exit code. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const runtime = createRuntime(io);
  const program = createProgram(runtime);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return runtime.exitCode;
  } catch (error) {
    // Commander has already printed its own message (usage errors, --help, --version).
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Refused;
    const { line, exitCode } = describeError(error);
    io.stderr.write(`${line}\n`);
    return exitCode;
  }
}

/**
 * `elastic-jobs job list | head -1`: the reader closed the pipe. Stop quietly, as Unix tools
 * do, instead of dying with an EPIPE stack trace; any other stream error still surfaces.
 */
function endQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : ExitCode.Ok);
    throw error;
  });
}

export function main(): void {
  endQuietlyOnClosedPipe(process.stdout);
  endQuietlyOnClosedPipe(process.stderr);
  run(process.argv.slice(2), processIo()).then(
    (code) => {
      process.exitCode = code;
      // The command is done; a handle some library left open (a pool, a keep-alive socket)
      // must not keep a pipeline step hanging. Unref'd: it fires only if the process lingers.
      setTimeout(() => process.exit(code), 2_000).unref();
    },
    (error: unknown) => {
      process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = ExitCode.Refused;
    },
  );
}

if (require.main === module) main();
