/**
 * Exit codes: what a pipeline step branches on. A finished execution maps its lifecycle to a
 * code; anything that stopped the command before that maps its error.
 */
import type { JobExecutionLifecycle } from '../domain/schemas/execution';

export const ExitCode = {
  /** Done; for a wait: Succeeded, SucceededWithSkipped (or Skipped: only enumerated databases dropped since, never one the user named). */
  Ok: 0,
  /** The API said no (4xx/5xx), or the command line itself is wrong. */
  Refused: 1,
  Failed: 2,
  TimedOut: 3,
  Canceled: 4,
  /** The API could not be reached (connection refused, DNS, timeout). */
  Unreachable: 5,
  /** `--timeout` of a wait elapsed while the execution was still running. */
  StillRunning: 6,
  /** Ctrl-C while watching; the execution goes on. */
  Interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

const TERMINAL: ReadonlySet<string> = new Set(['Succeeded', 'SucceededWithSkipped', 'Failed', 'TimedOut', 'Canceled', 'Skipped']);

export function isTerminal(lifecycle: string): boolean {
  return TERMINAL.has(lifecycle);
}

export function exitCodeForLifecycle(lifecycle: JobExecutionLifecycle | string): ExitCode {
  switch (lifecycle) {
    case 'Succeeded':
    case 'SucceededWithSkipped':
    // A skipped execution ran nothing and broke nothing: not a reason to fail a build.
    case 'Skipped':
      return ExitCode.Ok;
    case 'Failed':
      return ExitCode.Failed;
    case 'TimedOut':
      return ExitCode.TimedOut;
    case 'Canceled':
      return ExitCode.Canceled;
    default:
      return ExitCode.StillRunning;
  }
}

/** The exit-code table of `--help` and docs/cli.md. */
export const EXIT_CODE_HELP = `Exit codes:
    0  success; for job start --wait and execution wait: Succeeded or SucceededWithSkipped
       (each skipped database is listed: enumerated, then dropped before its attempt;
       a database you named that does not exist fails instead, exit 2)
    1  the API said no (4xx/5xx, shown as one line) or the command line is invalid
    2  the execution ended Failed
    3  the execution ended TimedOut
    4  the execution ended Canceled
    5  the API could not be reached
    6  --timeout elapsed while the execution was still running
  130  interrupted (Ctrl-C) while watching; the execution goes on`;
