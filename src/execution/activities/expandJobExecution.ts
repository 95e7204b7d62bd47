/**
 * expandJobExecution: the first step of a job orchestration, and of its resumption. Resolves the
 * target into databases now, queues one child per database (insert-if-missing), settles what a
 * stopped process left (claims of lanes that died, and executions started before the work
 * queue), and plans the lanes (src/domain/lanePlan.ts). Idempotent: once the parent waits for its
 * children, a re-run queues nothing new and connects to nothing.
 */
import { executionStepStore, type ExecutionStepSnapshot } from '../../control/stores/executionStepStore';
import { executionStore, type ChildAttempts, type ChildStep, type ExecutionPolicySnapshot, type JobExecutionRecord } from '../../control/stores/executionStore';
import { DEFAULT_STEP_NAME } from '../../domain/schemas/step';
import { planLanes } from '../../domain/lanePlan';
import { canaryDatabases, CANARY_WAVE, failureLimit, MAIN_WAVE } from '../../domain/safetyRails';
import { databaseKey, serverKeyOf } from '../../domain/targetIdentity';
import { rerunDatabases } from '../rerunDatabases';
import { settleClaim } from '../settleClaim';
import { taskStore } from '../../control/stores/taskStore';
import type { JobExecutionLifecycle } from '../../domain/schemas/execution';
import { INTERRUPTED_ATTEMPT_MESSAGE } from '../../domain/attemptRecord';
import { isoTimestamp } from '../../domain/clock';
import { durationMs } from '../../domain/duration';
import { isTerminal } from '../../domain/lifecycle';
import { describePatterns } from '../../domain/serverPatterns';
import type { Services } from '../../services';
import { allowedServersOf } from '../connectionCredential';
import type { ExpandInput, ExpandOutput, RetryPolicy } from '../contracts';
import { expandTarget, type ExpandedDatabase } from '../expandTarget';

export function retryPolicyOf(p: ExecutionPolicySnapshot): RetryPolicy {
  return {
    maximumAttempts: p.maximumAttempts,
    initialRetryIntervalMs: durationMs(p.initialRetryInterval),
    maximumRetryIntervalMs: durationMs(p.maximumRetryInterval),
    retryIntervalBackoffCoefficient: p.retryIntervalBackoffCoefficient,
    taskTimeoutMs: p.taskTimeout === null || p.taskTimeout === undefined ? null : durationMs(p.taskTimeout),
  };
}

function planOf(services: Services, parent: JobExecutionRecord, alreadyTerminal: boolean): Omit<ExpandOutput, 'lanes'> {
  const start = parent.startTime ?? isoTimestamp(services.clock.now());
  return {
    alreadyTerminal,
    policy: retryPolicyOf(parent.executionPolicy),
    deadline: new Date(Date.parse(start) + durationMs(parent.executionPolicy.jobTimeout)).toISOString(),
    cancelRequested: parent.cancelRequested,
  };
}

/** What one step of an execution runs with: its target and credential, and what its children snapshot. */
interface StepPlan {
  stepName: string;
  targetId: string;
  credentialName: string;
  maxParallelism: number | null;
  snapshot: ChildStep['snapshot'];
}

/** The step as snapshotted at start; an execution from before steps (no snapshot rows) is one step, `main`, from its own snapshot. */
function stepPlanOf(parent: JobExecutionRecord, snapshots: readonly ExecutionStepSnapshot[], stepIndex: number): StepPlan {
  const snapshot = snapshots.find((s) => s.stepIndex === stepIndex);
  if (!snapshot) {
    return { stepName: DEFAULT_STEP_NAME, targetId: parent.targetId!, credentialName: parent.credentialName, maxParallelism: parent.maxParallelism, snapshot: parent };
  }
  return {
    stepName: snapshot.stepName,
    targetId: snapshot.targetId,
    credentialName: snapshot.credentialName,
    maxParallelism: snapshot.maxParallelism,
    snapshot: { ...snapshot, scheduleName: parent.scheduleName },
  };
}

export function expandJobExecutionActivity(services: Services) {
  const tasks = taskStore(services.control);
  const executions = executionStore(services.control);

  /**
   * A host can die between an attempt recording its outcome and the orchestrator marking the
   * child: on resume, an attempt that already decided the child's fate (success, skip, or a
   * failure no retry can help, or the last attempt the policy allows) settles the child from the
   * record, so the script never runs again on a database where it already succeeded.
   */
  async function settleFromLastAttempt(child: ChildAttempts, maximumAttempts: number): Promise<JobExecutionLifecycle> {
    if (isTerminal(child.lifecycle) || child.finishedAttempts === 0) return child.lifecycle;
    const outcome = (await tasks.findAttempt(child.executionId, child.finishedAttempts))?.outcome;
    if (!outcome || (outcome.lifecycle !== 'Succeeded' && outcome.retryable && child.finishedAttempts < maximumAttempts)) return child.lifecycle;
    await executions.mark(child.executionId, outcome.lifecycle, outcome.message, isoTimestamp(services.clock.now()));
    return (await executions.get(child.executionId)).lifecycle;
  }

  return async function expandJobExecution(input: ExpandInput): Promise<ExpandOutput> {
    const now = () => isoTimestamp(services.clock.now());
    let parent = await executions.get(input.executionId);
    if (isTerminal(parent.lifecycle)) return { ...planOf(services, parent, true), lanes: [] };
    const log = services.logger.child({ executionId: parent.id, jobName: parent.jobName, targetId: parent.targetId });

    // The step to expand, as snapshotted at start (executions from before steps: the parent's own snapshot, step 1).
    const snapshots = await executionStepStore(services.control).list(parent.id);
    const stepIndex = input.stepIndex ?? 1;
    const step: StepPlan = stepPlanOf(parent, snapshots, stepIndex);
    const steps = Math.max(1, snapshots.length);
    const expanded = parent.lifecycle === 'WaitingForChildJobExecutions' && (parent.stepIndex ?? 1) >= stepIndex;

    if (!expanded) {
      if (stepIndex === 1) parent = await executions.beginExpansion(parent.id, now());
      if (isTerminal(parent.lifecycle)) return { ...planOf(services, parent, true), lanes: [] };
      // Cancelled before it started: nothing to connect to; the orchestrator ends it Canceled.
      if (!parent.cancelRequested) {
        let databases: ExpandedDatabase[];
        let canary: Set<string> | null = null;
        let stage = 'target';
        try {
          databases = parent.rerunOf ? await rerunDatabases(services, parent, step.credentialName) : await expandTarget(services, step.targetId, step.credentialName);
          stage = 'canary';
          if (parent.safetyRails.canary) canary = canaryDatabases(parent.safetyRails.canary, databases.filter((d) => d.allowed));
        } catch (error) {
          const prefix = steps > 1 ? `Step ${stepIndex} (${step.stepName}): ` : '';
          const why = error instanceof Error ? error.message : String(error);
          const message = stage === 'canary' ? `${prefix}The job's canary cannot be chosen: ${why}.` : `${prefix}${prefix ? 'the' : 'The'} target could not be expanded into databases: ${why}`;
          await executions.mark(parent.id, 'Failed', message, now());
          log.warn('Job execution failed at expansion', { error: message, step: stepIndex });
          return { ...planOf(services, await executions.get(parent.id), true), lanes: [] };
        }
        const patterns = databases.some((d) => !d.allowed) ? await allowedServersOf(services, step.credentialName) : [];
        await executions.insertMissingChildren(
          parent,
          databases.map(({ allowed, foundBy, ...target }) => {
            const inCanary = canary?.has(databaseKey(target)) ?? false;
            return {
              target,
              foundBy,
              refusal: allowed
                ? null
                : `Refused without connecting: credential '${step.credentialName}' may not be sent to server '${target.serverName}'; its allowedServers are ${describePatterns(patterns)}.`,
              wave: inCanary ? CANARY_WAVE : MAIN_WAVE,
              // Behind a canary, the others wait for it.
              queued: canary === null || inCanary,
              serverKey: serverKeyOf(target.engine, target.serverName),
            };
          }),
          now(),
          { stepIndex, stepName: step.stepName, snapshot: step.snapshot },
        );
        await executions.mark(parent.id, 'WaitingForChildJobExecutions', undefined, now());
        log.info('Job execution expanded', { step: stepIndex, databases: databases.length, refused: databases.filter((d) => !d.allowed).length });
      }
      parent = await executions.get(parent.id);
      if (isTerminal(parent.lifecycle)) return { ...planOf(services, parent, true), lanes: [] };
    }

    // Before this orchestration's lanes start, none of its attempts runs: a claim still open
    // belongs to a lane whose process stopped, and is settled from its record (./settleClaim.ts).
    const claims = await executions.claimedChildren(parent.id);
    for (const claimed of claims) await settleClaim({ executions, tasks }, claimed, retryPolicyOf(claimed.child.executionPolicy), services.clock.now());
    if (claims.length > 0) log.warn('Attempts left claimed by a stopped host settled', { attempts: claims.length });

    // An execution started before the work queue (migration 0009): its open attempts are closed
    // as interrupted, a child whose last attempt decided it is settled, the rest queued.
    const interrupted = await tasks.closeInterruptedOfParent(parent.id, INTERRUPTED_ATTEMPT_MESSAGE, now());
    if (interrupted > 0) log.warn('Attempts interrupted by a stopped host closed as failed', { attempts: interrupted });
    const unqueued = (await executions.childAttempts(parent.id)).filter((c) => c.notBefore === null && !c.running && !isTerminal(c.lifecycle));
    for (const child of unqueued) await settleFromLastAttempt(child, parent.executionPolicy.maximumAttempts);
    if (unqueued.length > 0) await executions.queueUnclaimed(parent.id, now());

    const { open, held, total } = await executions.openChildren(parent.id, stepIndex);
    const lanes = planLanes(open, step.maxParallelism ?? services.config.defaultMaxParallelism);
    await executions.setLanes(parent.id, Math.max(lanes.length, parent.lanes ?? 0), now(), stepIndex);
    return {
      ...planOf(services, parent, false),
      policy: retryPolicyOf(step.snapshot.executionPolicy),
      lanes,
      canary: held > 0,
      rails: { failureLimit: failureLimit(parent.safetyRails.failureThreshold, total), maxPerServer: parent.safetyRails.maxParallelismPerServer },
      steps,
    };
  };
}
