/**
 * What every command needs, resolved once from the global options: the API client (`--url`,
 * `--key`, or ELASTIC_JOBS_URL / ELASTIC_JOBS_KEY) and the printer (`--output`).
 */
import type { Command } from 'commander';
import { createApiClient, DEFAULT_API_URL, type ApiClient } from './apiClient';
import { UsageError } from './errorText';
import type { CliIo } from './io';
import { Printer, type OutputFormat } from './output';

export interface GlobalOptions {
  url?: string;
  key?: string;
  output: OutputFormat;
}

export interface Session {
  io: CliIo;
  client: ApiClient;
  out: Printer;
  format: OutputFormat;
  /** The code the process ends with, when the command itself decides it (a wait). */
  exit(code: number): void;
}

export interface Runtime {
  io: CliIo;
  exitCode: number;
  session(command: Command): Session;
}

export function createRuntime(io: CliIo): Runtime {
  const runtime: Runtime = {
    io,
    exitCode: 0,
    session(command) {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const url = globals.url ?? io.env.ELASTIC_JOBS_URL ?? DEFAULT_API_URL;
      const key = globals.key ?? (io.env.ELASTIC_JOBS_KEY || undefined);
      let client: ApiClient;
      try {
        client = createApiClient(url, key);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      return {
        io,
        client,
        format: globals.output,
        out: new Printer(globals.output, io.stdout, io.stderr),
        exit(code) {
          runtime.exitCode = code;
        },
      };
    },
  };
  return runtime;
}
