/**
 * runTaskAttempt: one attempt of one child execution on its database. Idempotent per
 * (execution, attempt): Durable runs an activity at least once, so the attempt finds its own
 * task execution row and, when that row already has an outcome, returns it without running
 * again; a row found open is closed as interrupted, never run again (one row, one run). The
 * attempt bounds itself: it watches the control database for a cancel (or the child ended by a
 * job timeout) and cancels the statement on the server, and it passes the timeout to
 * the driver. It never sends the credential to a server outside the credential's patterns.
 */
import { contentStore } from '../../control/stores/contentStore';
import { executionStore, type JobExecutionRecord } from '../../control/stores/executionStore';
import { taskStore, type TaskExecutionRecord } from '../../control/stores/taskStore';
import { HOST_STOPPED_ATTEMPT_MESSAGE, INTERRUPTED_ATTEMPT_MESSAGE, sessionTagOf } from '../../domain/attemptRecord';
import { isoTimestamp } from '../../domain/clock';
import { ElasticJobsError } from '../../domain/errors';
import { isTerminal, taskLifecycleOf } from '../../domain/lifecycle';
import { missingDatabaseOutcome } from '../../domain/missingDatabase';
import type { CapturedOutput, JobExecutionLifecycle } from '../../domain/schemas/execution';
import { describePatterns, serverAllowed } from '../../domain/serverPatterns';
import type { Services } from '../../services';
import type { ConnectionCredential } from '../../targets/driver';
import { DatabaseMissingError, partialOutputOf, TaskCanceledError, TaskTimeoutError } from '../../targets/errors';
import { messageOf, withoutSecret } from '../../targets/redaction';
import { captureOutput, ROWS_PER_RESULT_SET } from '../capturedOutput';
import { scopedCredential } from '../connectionCredential';
import { createStopWatcher, stopReasonOf, type StopReason } from '../stopWatcher';
import type { RunTaskInput, RunTaskOutput } from '../contracts';
import { applyDacpacContent } from '../dacpacContent';
import { writeFirstResultSet } from '../resultDestination';

export interface RunTaskOptions {
  /** How often a running attempt looks at the control database for a cancel (about every 500 ms). */
  cancelPollMs?: number;
  /**
   * Aborted when the host stops (local host on SIGTERM/SIGINT): no attempt opens after it, and
   * each running one cancels its statement and is recorded Failed (HOST_STOPPED_ATTEMPT_MESSAGE),
   * leaving its child open for the restart to retry.
   */
  hostStopping?: AbortSignal;
  /** How long a new attempt waits for an earlier attempt's statement to end on its server (15 s). */
  earlierSessionWaitMs?: number;
}

interface Attempt {
  outcome: RunTaskOutput;
  output: CapturedOutput | null;
}

const outcome = (lifecycle: RunTaskOutput['lifecycle'], retryable: boolean, message: string | null): Attempt => ({ outcome: { lifecycle, retryable, message }, output: null });

/** What an attempt on a child that already ended reports: that end, and no retry. */
function outcomeOfEndedChild(child: JobExecutionRecord): RunTaskOutput {
  const map: Partial<Record<JobExecutionLifecycle, RunTaskOutput['lifecycle']>> = {
    Succeeded: 'Succeeded',
    Skipped: 'Skipped',
    TimedOut: 'TimedOut',
    Canceled: 'Canceled',
  };
  return { lifecycle: map[child.lifecycle] ?? 'Failed', retryable: false, message: child.lastMessage };
}

const STOP_MESSAGES: Record<StopReason, string> = {
  Canceled: 'The execution was canceled; the running statement was canceled on the server.',
  TimedOut: 'The job timed out; the running statement was canceled on the server.',
};

export function runTaskAttemptActivity(services: Services, options: RunTaskOptions = {}) {
  const pollMs = options.cancelPollMs ?? 500;
  const executions = executionStore(services.control);
  const tasks = taskStore(services.control);
  const now = () => isoTimestamp(services.clock.now());

  const watcher = createStopWatcher(executions, pollMs, services.logger);

  async function attempt(child: JobExecutionRecord, task: TaskExecutionRecord, timeoutMs: number | null): Promise<Attempt> {
    const database = child.target!;
    let credential: ConnectionCredential | undefined;
    const controller = new AbortController();
    let stopped: StopReason | undefined;
    const unwatch = watcher.watch(child.id, (reason) => {
      stopped = reason;
      controller.abort();
    });
    const onHostStop = () => controller.abort();
    options.hostStopping?.addEventListener('abort', onHostStop, { once: true });
    try {
      const scoped = await scopedCredential(services, child.credentialName);
      credential = scoped.credential;
      if (!serverAllowed(scoped.allowedServers, database.serverName, database.engine)) {
        return outcome(
          'Failed',
          false,
          `Refused without connecting: credential '${child.credentialName}' may not be sent to server '${database.serverName}'; its allowedServers are ${describePatterns(scoped.allowedServers)}.`,
        );
      }
      const content = await contentStore(services.control).getVersion(child.contentName, child.contentVersion);
      if (content.type === 'dacpac') {
        const messages = await applyDacpacContent(services, { content, database, credential, signal: controller.signal, timeoutMs });
        if (stopped) return outcome(stopped, false, STOP_MESSAGES[stopped]);
        return { outcome: { lifecycle: 'Succeeded', retryable: false, message: null }, output: child.captureOutput ? captureOutput({ resultSets: [], messages }) : null };
      }
      const destination = child.resultSetDestination;
      const driver = services.drivers.driverFor(database.engine);
      // One copy of a child's script at a time: an earlier attempt's statement (a host that died,
      // a cancel whose server never answered) must be gone before this one is sent.
      const earlier = await tasks.earlierAttemptIds(child.id, task.attempt);
      if (earlier.length > 0) await driver.stopEarlierSessions(database, credential, earlier.map(sessionTagOf), { waitMs: options.earlierSessionWaitMs });
      if (controller.signal.aborted) throw new TaskCanceledError('The attempt was stopped before its script was sent.');
      const result = await driver.run(database, credential, {
        sessionTag: sessionTagOf(task.id),
        script: content.commandText!,
        signal: controller.signal,
        timeoutMs: timeoutMs ?? undefined,
        keepResultSets: child.captureOutput ? 'all' : destination ? 'first' : 'none',
        // The destination takes every row of the first set; captured output only the first hundred (one more tells it was cut).
        maxRows: destination ? undefined : child.captureOutput ? ROWS_PER_RESULT_SET + 1 : undefined,
      });
      if (stopped) return outcome(stopped, false, STOP_MESSAGES[stopped]);
      if (destination && result.resultSets.length > 0) {
        await writeFirstResultSet(services, { destination, resultSet: result.resultSets[0], childExecutionId: child.id, source: database });
      }
      return { outcome: { lifecycle: 'Succeeded', retryable: false, message: null }, output: child.captureOutput ? captureOutput(result) : null };
    } catch (error) {
      if (stopped) return outcome(stopped, false, STOP_MESSAGES[stopped]);
      const message = withoutSecret(messageOf(error), credential);
      if (error instanceof TaskCanceledError) return outcome('Canceled', false, message);
      if (error instanceof TaskTimeoutError) return outcome('TimedOut', true, message);
      if (error instanceof DatabaseMissingError) {
        const missing = missingDatabaseOutcome(database, child.foundBy);
        return outcome(missing.lifecycle, missing.retryable, missing.message);
      }
      // What the script printed before it failed is kept: it is what tells why.
      const output = child.captureOutput ? captureOutput(partialOutputOf(error)) : null;
      // Each error says whether a retry may help: a deleted credential or content, a refused
      // server or an unreadable password never will; the control database, Key Vault or a
      // server away for a while may be back. Anything unnamed (a bug, a driver's own error) is
      // left to the policy's attempts.
      const retryable = error instanceof ElasticJobsError ? error.retryable : true;
      return { outcome: { lifecycle: 'Failed', retryable, message }, output };
    } finally {
      unwatch();
      options.hostStopping?.removeEventListener('abort', onHostStop);
    }
  }

  return async function runTaskAttempt(input: RunTaskInput): Promise<RunTaskOutput> {
    const child = await executions.get(input.executionId);
    const log = services.logger.child({
      executionId: child.id,
      parentId: child.parentId,
      jobName: child.jobName,
      target: child.target ? `${child.target.serverName}/${child.target.databaseName}` : null,
      attempt: input.attempt,
    });
    // One run, one attempt row: a row found open was started by a run that never finished it (the
    // host died, or Durable runs the activity again after a worker recycled). Its script may have
    // run; it is closed as an attempt that failed, never sent again under the same row, and the
    // orchestrator's retry is a new attempt number (which first ends that run's statement).
    const closeInterrupted = async (row: TaskExecutionRecord): Promise<RunTaskOutput> => {
      await tasks.closeInterrupted(child.id, INTERRUPTED_ATTEMPT_MESSAGE, now(), row.attempt);
      const closed = await tasks.get(row.id);
      await executions.noteMessage(child.id, `Attempt ${row.attempt}: ${closed.message ?? closed.lifecycle}`, now());
      log.warn('Task attempt found open without an outcome; closed as interrupted');
      return closed.outcome!;
    };
    const recorded = await tasks.findAttempt(child.id, input.attempt);
    if (recorded?.outcome) return recorded.outcome;
    if (recorded) return closeInterrupted(recorded);
    if (isTerminal(child.lifecycle)) return outcomeOfEndedChild(child);
    const early = stopReasonOf(await executions.stopSignal(child.id));
    if (early) {
      return { lifecycle: early, retryable: false, message: early === 'Canceled' ? 'The execution was canceled before this attempt started.' : 'The job timed out before this attempt started.' };
    }
    // A stopping host starts nothing; its orchestrations are dropped and resumed at the next start.
    if (options.hostStopping?.aborted) throw new Error('The host is stopping; this attempt was not started.');

    const task = await tasks.openAttempt(child.id, input.attempt, now());
    if (!task.opened) return task.outcome ?? closeInterrupted(task);
    await executions.mark(child.id, 'InProgress', undefined, now());
    log.info('Task attempt started');

    let result = await attempt(child, task, input.timeoutMs);
    if (options.hostStopping?.aborted && result.outcome.lifecycle !== 'Succeeded') {
      // Stopped by the host, not by the script or a user: a failed attempt the restart retries.
      result = { outcome: { lifecycle: 'Failed', retryable: true, message: HOST_STOPPED_ATTEMPT_MESSAGE }, output: result.output };
    }
    const ended = await tasks.finishAttempt(task.id, { lifecycle: taskLifecycleOf(result.outcome.lifecycle), outcome: result.outcome, output: result.output, now: now() });
    const final = ended.outcome!;
    if (final.lifecycle !== 'Succeeded') await executions.noteMessage(child.id, `Attempt ${input.attempt}: ${final.message ?? final.lifecycle}`, now());
    log.info('Task attempt ended', { lifecycle: final.lifecycle, retryable: final.retryable, message: final.message });
    return final;
  };
}
