/**
 * runTaskAttempt: one attempt of one child execution on its database. Idempotent per
 * (execution, attempt): Durable runs an activity at least once, so the attempt finds its own
 * task execution row and, when that row already has an outcome, returns it without running
 * again. The attempt bounds itself: it watches the control database for a cancel (or the child
 * ended by a job timeout) and cancels the statement on the server, and it passes the timeout to
 * the driver. It never sends the credential to a server outside the credential's patterns.
 */
import { contentStore } from '../../control/stores/contentStore';
import { executionStore, type JobExecutionRecord } from '../../control/stores/executionStore';
import { taskStore } from '../../control/stores/taskStore';
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

  async function attempt(child: JobExecutionRecord, timeoutMs: number | null): Promise<Attempt> {
    const database = child.target!;
    let credential: ConnectionCredential | undefined;
    const controller = new AbortController();
    let stopped: StopReason | undefined;
    const unwatch = watcher.watch(child.id, (reason) => {
      stopped = reason;
      controller.abort();
    });
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
        const messages = await applyDacpacContent(services, { dacpacUri: content.dacpacUri!, database, credential, signal: controller.signal, timeoutMs });
        if (stopped) return outcome(stopped, false, STOP_MESSAGES[stopped]);
        return { outcome: { lifecycle: 'Succeeded', retryable: false, message: null }, output: child.captureOutput ? captureOutput({ resultSets: [], messages }) : null };
      }
      const destination = child.resultSetDestination;
      const result = await services.drivers.driverFor(database.engine).run(database, credential, {
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
    const recorded = await tasks.findAttempt(child.id, input.attempt);
    if (recorded?.outcome) return recorded.outcome;
    if (isTerminal(child.lifecycle)) return outcomeOfEndedChild(child);
    const early = stopReasonOf(await executions.stopSignal(child.id));
    if (early) {
      // Nothing runs; an attempt row left open by an interrupted run ends with the reason.
      if (recorded) {
        const ended = await tasks.finishAttempt(recorded.id, { lifecycle: early, outcome: { lifecycle: early, retryable: false, message: STOP_MESSAGES[early] }, output: null, now: now() });
        return ended.outcome!;
      }
      return { lifecycle: early, retryable: false, message: early === 'Canceled' ? 'The execution was canceled before this attempt started.' : 'The job timed out before this attempt started.' };
    }

    const task = await tasks.openAttempt(child.id, input.attempt, now());
    if (task.outcome) return task.outcome;
    await executions.mark(child.id, 'InProgress', undefined, now());
    log.info('Task attempt started');

    const result = await attempt(child, input.timeoutMs);
    const ended = await tasks.finishAttempt(task.id, { lifecycle: taskLifecycleOf(result.outcome.lifecycle), outcome: result.outcome, output: result.output, now: now() });
    const final = ended.outcome!;
    if (final.lifecycle !== 'Succeeded') await executions.noteMessage(child.id, `Attempt ${input.attempt}: ${final.message ?? final.lifecycle}`, now());
    log.info('Task attempt ended', { lifecycle: final.lifecycle, retryable: final.retryable, message: final.message });
    return final;
  };
}
