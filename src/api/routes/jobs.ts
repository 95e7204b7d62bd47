import { isoTimestamp } from '../../domain/clock';
import { ConflictError } from '../../domain/errors';
import { ListQuery, listOf } from '../../domain/schemas/common';
import { CreateJob, Job, UpdateJob } from '../../domain/schemas/job';
import { DEFAULT_POLICY } from '../../domain/schemas/executionPolicy';
import { jobStore, type JobSettings } from '../../control/stores/jobStore';
import { removeDeletedJob } from '../../scheduler/housekeeping';
import { checkNotify, normalizeNotify } from '../jobNotify';
import { checkJobSettings } from '../jobReferences';
import { defineRoute } from '../route';
import { NameParams } from './params';

const tag = 'Jobs';

/** Unset, a changed value, or null (cleared): what a PUT field means. */
const pick = <T>(change: T | undefined, current: T): T => (change === undefined ? current : change);

export const createJob = defineRoute({
  name: 'createJob',
  method: 'POST',
  path: 'jobs',
  summary: 'Create a job: a content run with a credential on a target under an execution policy (enabled: false keeps its triggers from firing; notify: a signed webhook when an execution ends)',
  tag,
  access: 'operate',
  body: CreateJob,
  success: { status: 201, schema: Job },
  async handle({ body, services }) {
    const settings: JobSettings = {
      contentName: body.contentName,
      contentVersion: body.contentVersion ?? null,
      credentialName: body.credentialName,
      targetId: body.targetId.toLowerCase(),
      executionPolicyName: body.executionPolicyName ?? DEFAULT_POLICY.name,
      // Null: the configured default at each start, so changing the setting reaches existing jobs.
      maxParallelism: body.maxParallelism ?? null,
      resultSetDestination: body.resultSetDestination ?? null,
      overlap: body.overlap ?? 'skip',
      captureOutput: body.captureOutput ?? false,
      enabled: body.enabled ?? true,
      notify: body.notify ? normalizeNotify(body.notify) : null,
      canary: body.canary ?? null,
      failureThreshold: body.failureThreshold ?? null,
      maxParallelismPerServer: body.maxParallelismPerServer ?? null,
    };
    if (settings.notify) checkNotify(services, settings.notify);
    await checkJobSettings(services, settings);
    const job = await jobStore(services.control).create(body.name, settings, isoTimestamp(services.clock.now()));
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
  summary: 'Change any field of a job but its name (null clears contentVersion, maxParallelism, resultSetDestination, notify, canary, failureThreshold, maxParallelismPerServer); enabled: false stops its triggers firing',
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
      contentName: pick(body.contentName, current.contentName),
      contentVersion: pick(body.contentVersion, current.contentVersion),
      credentialName: pick(body.credentialName, current.credentialName),
      targetId: pick(body.targetId, current.targetId).toLowerCase(),
      executionPolicyName: pick(body.executionPolicyName, current.executionPolicyName),
      maxParallelism: pick(body.maxParallelism, current.maxParallelism),
      resultSetDestination: pick(body.resultSetDestination, current.resultSetDestination),
      overlap: pick(body.overlap, current.overlap),
      captureOutput: pick(body.captureOutput, current.captureOutput),
      enabled: pick(body.enabled, current.enabled),
      notify: body.notify === undefined ? current.notify : body.notify === null ? null : normalizeNotify(body.notify),
      canary: pick(body.canary, current.canary),
      failureThreshold: pick(body.failureThreshold, current.failureThreshold),
      maxParallelismPerServer: pick(body.maxParallelismPerServer, current.maxParallelismPerServer),
    };
    // Only a webhook this request sets is judged: one stored earlier stays as it is (the sender checks it again at each POST).
    if (body.notify) checkNotify(services, settings.notify!);
    await checkJobSettings(services, settings);
    return { status: 200, body: await store.replaceSettings(params.name, settings, isoTimestamp(services.clock.now())) };
  },
});

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
