/**
 * One attempt of a claimed child on its database: the credential checked against its servers,
 * the content (script or DACPAC) run, the first result set written to the destination, the
 * output captured. Records nothing in the control database: the lane that claimed the child
 * writes the attempt's task execution and the child's next state (./activities/runLane.ts).
 *
 * It bounds itself: it watches the control database for a cancel (one poll per process serves
 * every attempt, ./stopWatcher.ts), cancels the statement on the server, and passes the timeout
 * to the driver. It never sends the credential to a server outside the credential's patterns,
 * and a retry first ends what an earlier attempt of the same child may have left running
 * (session tags, src/domain/attemptRecord.ts).
 */
import { contentStore } from '../control/stores/contentStore';
import type { ClaimedChild } from '../control/stores/executionStore';
import { taskStore } from '../control/stores/taskStore';
import { sessionTagOf } from '../domain/attemptRecord';
import { ElasticJobsError } from '../domain/errors';
import { missingDatabaseOutcome } from '../domain/missingDatabase';
import { DEFAULT_STEP_NAME } from '../domain/schemas/step';
import { substituteVariables } from '../domain/scriptVariables';
import type { Content } from '../domain/schemas/content';
import type { CapturedOutput } from '../domain/schemas/execution';
import { describePatterns, serverAllowed } from '../domain/serverPatterns';
import type { TaskOutcome } from '../domain/taskOutcome';
import type { Services } from '../services';
import { DatabaseMissingError, partialOutputOf, TaskCanceledError, TaskTimeoutError } from '../targets/errors';
import { messageOf, withoutSecret } from '../targets/redaction';
import { captureOutput, ROWS_PER_RESULT_SET } from './capturedOutput';
import { scopedCredential, type ScopedCredential } from './connectionCredential';
import { applyDacpacContent } from './dacpacContent';
import { writeFirstResultSet } from './resultDestination';
import type { StopReason, StopWatcher } from './stopWatcher';

export interface AttemptResult {
  outcome: TaskOutcome;
  output: CapturedOutput | null;
}

/**
 * What the attempts of one lane run share: the stop watcher, the host's stop signal, and reads
 * that need not repeat. A credential is kept only for the version the claim saw (a rotation or
 * a narrowed allowedServers reaches the next attempt); a content version never changes.
 */
export interface AttemptContext {
  services: Services;
  watcher: StopWatcher;
  /** Aborted when the host stops: the running statement is cancelled and the attempt recorded Failed, retryable. */
  hostStopping?: AbortSignal;
  /** How long a retry waits for an earlier attempt's statement to end on its server (15 s by default). */
  earlierSessionWaitMs?: number;
  credentials: Map<string, Promise<ScopedCredential>>;
  contents: Map<string, Promise<Content>>;
  /** The parent execution's createdAt: `$(job_execution_create_time)` (src/domain/scriptVariables.ts). */
  parentCreatedAt: string;
}

const STOP_MESSAGES: Record<StopReason, string> = {
  Canceled: 'The execution was canceled; the running statement was canceled on the server.',
  TimedOut: 'The job timed out; the running statement was canceled on the server.',
};

const outcome = (lifecycle: TaskOutcome['lifecycle'], retryable: boolean, message: string | null): AttemptResult => ({ outcome: { lifecycle, retryable, message }, output: null });

function cached<T>(map: Map<string, Promise<T>>, key: string | null, load: () => Promise<T>): Promise<T> {
  if (key === null) return load();
  let found = map.get(key);
  if (!found) {
    found = load();
    map.set(key, found);
    // A failed read is not kept: the next attempt asks again.
    found.catch(() => map.delete(key));
  }
  return found;
}

/** Runs the claimed attempt; `timeoutMs` is the policy's task timeout bounded by the job's deadline (null: none). */
export async function attemptOnDatabase(ctx: AttemptContext, claimed: ClaimedChild, timeoutMs: number | null): Promise<AttemptResult> {
  const { services } = ctx;
  const { child } = claimed;
  const database = child.target!;
  let credential: ScopedCredential['credential'] | undefined;
  const controller = new AbortController();
  let stopped: StopReason | undefined;
  const unwatch = ctx.watcher.watch(child.id, (reason) => {
    stopped = reason;
    controller.abort();
  });
  const onHostStop = () => controller.abort();
  ctx.hostStopping?.addEventListener('abort', onHostStop, { once: true });
  try {
    const credentialKey = claimed.credentialVersion === null ? null : `${child.credentialName}\u0000${claimed.credentialVersion}`;
    const scoped = await cached(ctx.credentials, credentialKey, () => scopedCredential(services, child.credentialName));
    credential = scoped.credential;
    if (!serverAllowed(scoped.allowedServers, database.serverName, database.engine)) {
      return outcome(
        'Failed',
        false,
        `Refused without connecting: credential '${child.credentialName}' may not be sent to server '${database.serverName}'; its allowedServers are ${describePatterns(scoped.allowedServers)}.`,
      );
    }
    const content = await cached(ctx.contents, `${child.contentName}\u0000${child.contentVersion}`, () => contentStore(services.control).getVersion(child.contentName, child.contentVersion));
    if (content.type === 'dacpac') {
      const messages = await applyDacpacContent(services, { content, database, credential, signal: controller.signal, timeoutMs });
      if (stopped) return outcome(stopped, false, STOP_MESSAGES[stopped]);
      return { outcome: { lifecycle: 'Succeeded', retryable: false, message: null }, output: child.captureOutput ? captureOutput({ resultSets: [], messages }) : null };
    }
    const destination = child.resultSetDestination;
    const driver = services.drivers.driverFor(database.engine);
    // One copy of a child's script at a time: an earlier attempt's statement (a host that died,
    // a cancel whose server never answered) must be gone before this one is sent.
    if (claimed.attempt > 1) {
      const earlier = await taskStore(services.control).earlierAttemptIds(child.id, claimed.attempt);
      if (earlier.length > 0) await driver.stopEarlierSessions(database, credential, earlier.map(sessionTagOf), { waitMs: ctx.earlierSessionWaitMs });
    }
    if (controller.signal.aborted) throw new TaskCanceledError('The attempt was stopped before its script was sent.');
    const result = await driver.run(database, credential, {
      sessionTag: sessionTagOf(claimed.taskId),
      // The built-in variables, substituted for this attempt; the content on record stays as written.
      script: substituteVariables(content.commandText!, {
        job_name: child.jobName,
        job_execution_id: child.parentId ?? child.id,
        job_execution_create_time: ctx.parentCreatedAt,
        step_name: child.stepName ?? DEFAULT_STEP_NAME,
        server_name: database.serverName,
        database_name: database.databaseName,
        attempt: claimed.attempt,
      }),
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
    ctx.hostStopping?.removeEventListener('abort', onHostStop);
  }
}
