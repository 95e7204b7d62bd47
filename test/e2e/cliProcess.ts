/**
 * The `elastic-jobs` command as a user runs it: `node bin/elastic-jobs.js ...` in a child
 * process, from the TypeScript source (a stale dist/ must not stand in for it). Every argv is
 * recorded, so tests can prove a secret never reached one.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../support/localHost';

export const CLI = path.join(REPO_ROOT, 'bin', 'elastic-jobs.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliRunner {
  (args: string[], options?: { stdin?: string; env?: Record<string, string> }): Promise<CliResult>;
  /** Every argv passed to a spawned process so far. */
  argvs: string[][];
}

export function cliRunner(baseEnv: Record<string, string>): CliRunner {
  const argvs: string[][] = [];
  const runner = (async (args, options = {}) => {
    const argv = [CLI, ...args];
    argvs.push(argv);
    const child = spawn(process.execPath, argv, {
      cwd: REPO_ROOT,
      env: { ...process.env, ELASTIC_JOBS_CLI_FROM_SOURCE: '1', ...baseEnv, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.end(options.stdin ?? '');
    const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
    return { code, stdout, stderr };
  }) as CliRunner;
  runner.argvs = argvs;
  return runner;
}

/** The JSON a command printed with `-o json`, with the command's stderr in the failure message. */
export function jsonOf<T = any>(result: CliResult): T {  // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${result.code}):\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  }
}
