/**
 * `job start --wait` and `execution wait`: the live view while the execution runs, then its
 * outcome and the exit code its lifecycle maps to. With `--output json` the live view goes to
 * stderr, so stdout carries only the final execution object.
 */
import type { JobExecution } from '../domain/schemas/execution';
import { ExitCode, exitCodeForLifecycle } from './exitCodes';
import { liveDisplayFor } from './liveDisplay';
import { renderOutcome } from './liveView';
import { renderJson } from './output';
import type { Session } from './session';
import { watchExecution } from './watchExecution';

const POLL_MS = 500;

export async function followExecution(session: Session, id: string, options: { timeoutMs?: number } = {}): Promise<JobExecution | undefined> {
  const { io } = session;
  const json = session.format === 'json';
  const display = liveDisplayFor(json ? io.stderr : io.stdout);
  const controller = new AbortController();
  const release = io.onInterrupt(() => controller.abort());
  let result;
  try {
    result = await watchExecution(session.client, id, display, { pollMs: POLL_MS, timeoutMs: options.timeoutMs, signal: controller.signal });
  } finally {
    release();
  }
  if (result.outcome === 'interrupted') {
    io.stderr.write(`Stopped watching; execution ${id} goes on. Watch it again with: elastic-jobs execution wait ${id} (or cancel it: elastic-jobs execution cancel ${id})\n`);
    session.exit(ExitCode.Interrupted);
    return result.execution;
  }
  const { execution } = result;
  if (json) io.stdout.write(renderJson(execution));
  else if (result.outcome === 'terminal') io.stdout.write(`${renderOutcome(execution, new Date()).join('\n')}\n`);
  if (result.outcome === 'timeout') {
    io.stderr.write(`Execution ${id} is still ${execution.lifecycle} after --timeout; it goes on. Keep waiting with: elastic-jobs execution wait ${id}\n`);
    session.exit(ExitCode.StillRunning);
  } else session.exit(exitCodeForLifecycle(execution.lifecycle));
  return execution;
}
