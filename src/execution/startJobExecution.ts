/**
 * Starting a job: the one start path of the HTTP API, the CLI and the scheduler. The parent job
 * execution is written `Created` with a snapshot of everything the run depends on, for every
 * step (content version, credential, target, policy, parallelism, result destination), so a job
 * changed while it runs does not change the run; then the orchestration is asked to drive it. A
 * job without steps cannot start (409). The control database
 * row, not the orchestration instance id, is what makes a start happen once.
 */
import crypto from 'node:crypto';
import type { InvocationContext } from '@azure/functions';
import { contentStore } from '../control/stores/contentStore';
import { executionPolicyStore } from '../control/stores/executionPolicyStore';
import { executionStore, type NewParentExecution } from '../control/stores/executionStore';
import type { ExecutionStepSnapshot } from '../control/stores/executionStepStore';
import { jobStore } from '../control/stores/jobStore';
import { targetStore } from '../control/stores/targetStore';
import { isoTimestamp } from '../domain/clock';
import { scopeViolation, serversKnownInAdvance } from '../domain/credentialScope';
import { ConflictError, ForbiddenError } from '../domain/errors';
import type { JobExecution, JobExecutionLifecycle } from '../domain/schemas/execution';
import type { JobStep } from '../domain/schemas/step';
import { describePatterns, serverAllowed } from '../domain/serverPatterns';
import type { Services } from '../services';
import { allowedServersOf } from './connectionCredential';

export interface StartJobExecutionRequest {
  jobName: string;
  /** Set when a schedule's trigger starts it. */
  scheduleName?: string;
  /** A deterministic id (the scheduler's, from trigger and fire time); a second insert of it is a 409. */
  executionId?: string;
  /** The parent's first lastMessage (e.g. missed fire times). */
  message?: string;
  /** A rerun: the execution whose databases of these lifecycles it runs again (POST /executions/{id}/rerun). */
  rerun?: { of: string; lifecycles: JobExecutionLifecycle[] };
  invocation?: InvocationContext;
}

/**
 * One step as the run will see it, after its references and the credential scopes were checked:
 * the content version resolved now (the step's fixed one, or the latest), the policy copied, the
 * parallelism resolved with the configured default. `label` prefixes refusals on a job of several
 * steps, so the caller knows which step to fix.
 */
async function snapshotOfStep(services: Services, step: JobStep, label: string): Promise<ExecutionStepSnapshot> {
  const content = await contentStore(services.control).getVersion(step.contentName, step.contentVersion ?? undefined);
  const { createdAt: _c, updatedAt: _u, ...policy } = await executionPolicyStore(services.control).get(step.executionPolicyName);

  const targets = targetStore(services.control);
  const servers = await serversKnownInAdvance(await targets.get(step.targetId), (id) => targets.members(id));
  const violation = scopeViolation(step.credentialName, await allowedServersOf(services, step.credentialName), servers);
  if (violation) throw new ForbiddenError(`${label}${violation}`);
  const destination = step.resultSetDestination;
  if (destination) {
    const patterns = await allowedServersOf(services, destination.credentialName);
    if (!serverAllowed(patterns, destination.serverName, destination.engine)) {
      throw new ForbiddenError(
        `${label}Credential '${destination.credentialName}' may not be sent to result destination server '${destination.serverName}': its allowedServers are ${describePatterns(patterns)}.`,
      );
    }
  }
  return {
    stepIndex: step.stepIndex,
    stepName: step.name,
    contentName: content.name,
    contentVersion: content.version,
    credentialName: step.credentialName,
    targetId: step.targetId,
    executionPolicy: policy,
    maxParallelism: step.maxParallelism ?? services.config.defaultMaxParallelism,
    resultSetDestination: destination,
    captureOutput: step.captureOutput,
    onFailure: step.onFailure,
  };
}

/**
 * Everything the parent row snapshots, after the job, every step's references and credential
 * scopes were checked: one snapshot per step, and the parent's own columns describing step 1.
 */
async function snapshotOf(services: Services, request: StartJobExecutionRequest, now: string): Promise<NewParentExecution> {
  const job = await jobStore(services.control).get(request.jobName);
  if (job.markedForDeletion) throw new ConflictError(`Job '${job.name}' is marked for deletion; it can no longer be started.`);
  if (job.steps.length === 0) throw new ConflictError(`Job '${job.name}' has no steps: add one with POST /jobs/${job.name}/steps (elastic-jobs step add ${job.name} ...).`);
  const steps: ExecutionStepSnapshot[] = [];
  for (const step of job.steps) steps.push(await snapshotOfStep(services, step, job.steps.length > 1 ? `Step '${step.name}': ` : ''));
  const first = steps[0];

  return {
    id: (request.executionId ?? crypto.randomUUID()).toLowerCase(),
    jobName: job.name,
    targetId: first.targetId,
    contentName: first.contentName,
    contentVersion: first.contentVersion,
    credentialName: first.credentialName,
    executionPolicy: first.executionPolicy,
    maxParallelism: first.maxParallelism,
    resultSetDestination: first.resultSetDestination,
    captureOutput: first.captureOutput,
    scheduleName: request.scheduleName ?? null,
    lastMessage: request.message ?? null,
    safetyRails: { canary: job.canary, failureThreshold: job.failureThreshold, maxParallelismPerServer: job.maxParallelismPerServer },
    rerunOf: request.rerun?.of.toLowerCase() ?? null,
    rerunLifecycles: request.rerun?.lifecycles ?? null,
    steps,
    now,
  };
}

export async function startJobExecution(services: Services, request: StartJobExecutionRequest): Promise<JobExecution> {
  const now = isoTimestamp(services.clock.now());
  const snapshot = await snapshotOf(services, request, now);
  const executions = executionStore(services.control);
  const parent = await executions.insertParent(snapshot);
  const log = services.logger.child({ executionId: parent.id, jobName: parent.jobName, targetId: parent.targetId });
  try {
    await services.orchestrations(request.invocation).startJobExecution(parent.id);
  } catch (error) {
    // Nothing will drive this execution: end it, rather than leave it `Created` forever.
    const reason = `The orchestration could not be started: ${error instanceof Error ? error.message : String(error)}`;
    await executions.mark(parent.id, 'Failed', reason, isoTimestamp(services.clock.now()));
    log.error('Job execution could not be started', { error: reason });
    throw error;
  }
  log.info('Job execution started', { scheduleName: parent.scheduleName, contentVersion: parent.contentVersion });
  return executions.view(parent.id);
}

/**
 * A fire the scheduler does not run (its job still has an active execution and the overlap
 * policy says skip): on record as a parent ending `Skipped` at once, with the reason, so the
 * history shows it. Same checks and snapshot as a start; no orchestration.
 */
export async function recordSkippedJobExecution(services: Services, request: Omit<StartJobExecutionRequest, 'invocation'> & { message: string }): Promise<JobExecution> {
  const now = isoTimestamp(services.clock.now());
  const executions = executionStore(services.control);
  const parent = await executions.insertParent(await snapshotOf(services, request, now));
  await executions.mark(parent.id, 'Skipped', request.message, now);
  return executions.view(parent.id);
}
