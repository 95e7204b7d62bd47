/**
 * expandJobExecution: the first step of a job orchestration, and of its resumption. Resolves the
 * target into databases now, writes one child per database (insert-if-missing), and returns the
 * plan the orchestrators fan out over. Idempotent: once the parent waits for its children, a
 * re-run returns the children on record with the attempts they already finished, and connects
 * to nothing.
 */
import { executionStore, type ExecutionPolicySnapshot, type JobExecutionRecord } from '../../control/stores/executionStore';
import { isoTimestamp } from '../../domain/clock';
import { durationMs } from '../../domain/duration';
import { isTerminal } from '../../domain/lifecycle';
import { describePatterns } from '../../domain/serverPatterns';
import type { Services } from '../../services';
import { allowedServersOf } from '../connectionCredential';
import type { ExpandInput, ExpandOutput, RetryPolicy } from '../contracts';
import { expandTarget } from '../expandTarget';

export function retryPolicyOf(p: ExecutionPolicySnapshot): RetryPolicy {
  return {
    maximumAttempts: p.maximumAttempts,
    initialRetryIntervalMs: durationMs(p.initialRetryInterval),
    maximumRetryIntervalMs: durationMs(p.maximumRetryInterval),
    retryIntervalBackoffCoefficient: p.retryIntervalBackoffCoefficient,
    taskTimeoutMs: p.taskTimeout === null || p.taskTimeout === undefined ? null : durationMs(p.taskTimeout),
  };
}

function planOf(services: Services, parent: JobExecutionRecord, alreadyTerminal: boolean): Omit<ExpandOutput, 'children'> {
  const start = parent.startTime ?? isoTimestamp(services.clock.now());
  return {
    alreadyTerminal,
    policy: retryPolicyOf(parent.executionPolicy),
    maxParallelism: parent.maxParallelism ?? services.config.defaultMaxParallelism,
    deadline: new Date(Date.parse(start) + durationMs(parent.executionPolicy.jobTimeout)).toISOString(),
    cancelRequested: parent.cancelRequested,
  };
}

export function expandJobExecutionActivity(services: Services) {
  return async function expandJobExecution(input: ExpandInput): Promise<ExpandOutput> {
    const executions = executionStore(services.control);
    const now = () => isoTimestamp(services.clock.now());
    let parent = await executions.get(input.executionId);
    if (isTerminal(parent.lifecycle)) return { ...planOf(services, parent, true), children: [] };
    const log = services.logger.child({ executionId: parent.id, jobName: parent.jobName, targetId: parent.targetId });

    if (parent.lifecycle !== 'WaitingForChildJobExecutions') {
      parent = await executions.beginExpansion(parent.id, now());
      if (isTerminal(parent.lifecycle)) return { ...planOf(services, parent, true), children: [] };
      // Cancelled before it started: nothing to connect to; the orchestrator ends it Canceled.
      if (!parent.cancelRequested) {
        let databases;
        try {
          databases = await expandTarget(services, parent.targetId!, parent.credentialName);
        } catch (error) {
          const message = `The target could not be expanded into databases: ${error instanceof Error ? error.message : String(error)}`;
          await executions.mark(parent.id, 'Failed', message, now());
          log.warn('Job execution failed at expansion', { error: message });
          return { ...planOf(services, await executions.get(parent.id), true), children: [] };
        }
        const patterns = databases.some((d) => !d.allowed) ? await allowedServersOf(services, parent.credentialName) : [];
        await executions.insertMissingChildren(
          parent,
          databases.map(({ allowed, ...target }) => ({
            target,
            refusal: allowed
              ? null
              : `Refused without connecting: credential '${parent.credentialName}' may not be sent to server '${target.serverName}'; its allowedServers are ${describePatterns(patterns)}.`,
          })),
          now(),
        );
        await executions.mark(parent.id, 'WaitingForChildJobExecutions', undefined, now());
        log.info('Job execution expanded', { databases: databases.length, refused: databases.filter((d) => !d.allowed).length });
      }
      parent = await executions.get(parent.id);
      if (isTerminal(parent.lifecycle)) return { ...planOf(services, parent, true), children: [] };
    }

    const children = (await executions.childAttempts(parent.id)).map((c) => ({ executionId: c.executionId, lifecycle: c.lifecycle, attemptsMade: c.finishedAttempts }));
    return { ...planOf(services, parent, false), children };
  };
}
