import { isoTimestamp } from '../../domain/clock';
import { ConflictError, ValidationError } from '../../domain/errors';
import { ListQuery, listOf } from '../../domain/schemas/common';
import { CreateJob, Job, UpdateJob } from '../../domain/schemas/job';
import { DEFAULT_POLICY } from '../../domain/schemas/executionPolicy';
import { DEFAULT_STEP_NAME, mergeStepSettings, stepFieldsGiven, stepSettingsOf } from '../../domain/schemas/step';
import { jobStore, type JobSettings, type StepOneChange } from '../../control/stores/jobStore';
import type { NewStep } from '../../control/stores/jobStepStore';
import { removeDeletedJob } from '../../scheduler/housekeeping';
import { checkNotify, normalizeNotify } from '../jobNotify';
import { checkStepReferences } from '../jobReferences';
import { defineRoute } from '../route';
import { NameParams } from './params';

const tag = 'Jobs';

/** Unset, a changed value, or null (cleared): what a PUT field means. */
const pick = <T>(change: T | undefined, current: T): T => (change === undefined ? current : change);

/** Step 1 from a job body that gives content, credential and target; undefined when it gives none of them. */
function stepOneOf(body: UpdateJob & { stepName?: string }): NewStep | undefined {
  const { contentName, credentialName, targetId } = body;
  if (contentName === undefined || credentialName === undefined || targetId === undefined) return undefined;
  const settings = stepSettingsOf(
    { ...body, contentName, credentialName, targetId, contentVersion: body.contentVersion ?? undefined, maxParallelism: body.maxParallelism ?? undefined, resultSetDestination: body.resultSetDestination ?? undefined },
    DEFAULT_POLICY.name,
  );
  // At position 1 even if steps were added meanwhile: these fields describe step 1.
  return { name: body.stepName ?? DEFAULT_STEP_NAME, settings, stepIndex: 1 };
}

export const createJob = defineRoute({
  name: 'createJob',
  method: 'POST',
  path: 'jobs',
  summary:
    'Create a job: with contentName, credentialName and targetId, its one step (named "main" unless stepName says otherwise); with none of them, a job without steps (add them with POST /jobs/{name}/steps). enabled: false keeps its triggers from firing; notify: a signed webhook when an execution ends',
  tag,
  access: 'operate',
  body: CreateJob,
  success: { status: 201, schema: Job },
  async handle({ body, services }) {
    const settings: JobSettings = {
      overlap: body.overlap ?? 'skip',
      enabled: body.enabled ?? true,
      notify: body.notify ? normalizeNotify(body.notify) : null,
      canary: body.canary ?? null,
      failureThreshold: body.failureThreshold ?? null,
      maxParallelismPerServer: body.maxParallelismPerServer ?? null,
    };
    // CreateJob refused a body giving some of the three without the others.
    const firstStep = stepOneOf(body) ?? null;
    if (settings.notify) checkNotify(services, settings.notify);
    if (firstStep) await checkStepReferences(services, firstStep.settings);
    const job = await jobStore(services.control).create(body.name, settings, firstStep, isoTimestamp(services.clock.now()));
    return { status: 201, body: job, headers: { location: `/api/jobs/${encodeURIComponent(job.name)}` } };
  },
});

export const listJobs = defineRoute({
  name: 'listJobs',
  method: 'GET',
  path: 'jobs',
  summary: 'List jobs (those marked for deletion too, flagged)',
  tag,
  access: 'read',
  query: ListQuery,
  success: { status: 200, schema: listOf(Job) },
  async handle({ query, services }) {
    return { status: 200, body: await jobStore(services.control).list(query) };
  },
});

export const getJob = defineRoute({
  name: 'getJob',
  method: 'GET',
  path: 'jobs/{name}',
  summary: 'Get a job',
  tag,
  access: 'read',
  params: NameParams,
  success: { status: 200, schema: Job },
  async handle({ params, services }) {
    return { status: 200, body: await jobStore(services.control).get(params.name) };
  },
});

export const updateJob = defineRoute({
  name: 'updateJob',
  method: 'PUT',
  path: 'jobs/{name}',
  summary:
    'Change any field of a job but its name; its content fields change step 1 (on a job without steps, contentName, credentialName and targetId add step "main"). null clears contentVersion, maxParallelism, resultSetDestination, notify, canary, failureThreshold, maxParallelismPerServer; enabled: false stops its triggers firing',
  tag,
  access: 'operate',
  params: NameParams,
  body: UpdateJob,
  success: { status: 200, schema: Job },
  async handle({ params, body, services }) {
    const store = jobStore(services.control);
    const current = await store.get(params.name);
    if (current.markedForDeletion) throw new ConflictError(`Job '${current.name}' is marked for deletion and can no longer be changed.`);
    const settings: JobSettings = {
      overlap: pick(body.overlap, current.overlap),
      enabled: pick(body.enabled, current.enabled),
      notify: body.notify === undefined ? current.notify : body.notify === null ? null : normalizeNotify(body.notify),
      canary: pick(body.canary, current.canary),
      failureThreshold: pick(body.failureThreshold, current.failureThreshold),
      maxParallelismPerServer: pick(body.maxParallelismPerServer, current.maxParallelismPerServer),
    };
    // Only a webhook this request sets is judged: one stored earlier stays as it is (the sender checks it again at each POST).
    if (body.notify) checkNotify(services, settings.notify!);
    const stepOne = stepOneChange(current, body);
    if (stepOne) await checkStepReferences(services, stepOne.kind === 'update' ? stepOne.settings : stepOne.step.settings);
    return { status: 200, body: await store.replaceSettings(params.name, settings, stepOne, isoTimestamp(services.clock.now())) };
  },
});

/** What a PUT's content fields do: change step 1, add it to a job without steps, or nothing (none given). */
function stepOneChange(current: Job, body: UpdateJob): StepOneChange | undefined {
  const given = stepFieldsGiven(body);
  if (!given.any) return undefined;
  const first = current.steps[0];
  if (first) return { kind: 'update', stepName: first.name, settings: mergeStepSettings(first, body) };
  const step = stepOneOf(body);
  if (step) return { kind: 'add', step };
  throw new ValidationError(
    `Job '${current.name}' has no steps: its content fields add step '${DEFAULT_STEP_NAME}' only with contentName, credentialName and targetId together (missing: ${given.missing.join(', ')}); or add steps with POST /jobs/${current.name}/steps.`,
    given.missing.map((field) => ({ path: `body.${field}`, message: 'is required: the job has no steps yet, and these fields add its first' })),
  );
}

export const deleteJob = defineRoute({
  name: 'deleteJob',
  method: 'DELETE',
  path: 'jobs/{name}',
  summary:
    'Delete a job: it can no longer start; with nothing of it active it is gone with its history when the answer is sent, else it goes once its active executions end (202 either way; GET answers 404 once gone)',
  tag,
  access: 'operate',
  params: NameParams,
  success: { status: 202, schema: Job },
  async handle({ params, services }) {
    const job = await jobStore(services.control).markForDeletion(params.name, isoTimestamp(services.clock.now()));
    // Nothing running: remove it now, so its name is free at once (housekeeping would take up to 5 minutes).
    if (await removeDeletedJob(services, job.name)) return { status: 202, body: job };
    return { status: 202, body: job, headers: { location: `/api/jobs/${encodeURIComponent(job.name)}` } };
  },
});

export const jobRoutes = [createJob, listJobs, getJob, updateJob, deleteJob];
