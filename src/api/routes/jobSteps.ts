/**
 * A job's steps (issue 14): added at a position, listed in order, changed (and moved), removed.
 * Each step's references are checked as a job's are (src/api/jobReferences.ts) before anything
 * is written; a job marked for deletion can no longer be changed (409).
 */
import { z } from 'zod';
import { isoTimestamp } from '../../domain/clock';
import { ConflictError } from '../../domain/errors';
import { ListQuery, listOf, Name } from '../../domain/schemas/common';
import { DEFAULT_POLICY } from '../../domain/schemas/executionPolicy';
import { CreateJobStep, JobStep, mergeStepSettings, stepSettingsOf, UpdateJobStep } from '../../domain/schemas/step';
import { jobStepStore } from '../../control/stores/jobStepStore';
import { jobStore } from '../../control/stores/jobStore';
import type { Services } from '../../services';
import { checkStepReferences } from '../jobReferences';
import { defineRoute } from '../route';
import { NameParams } from './params';

const tag = 'Jobs';

const StepParams = z.object({ name: Name, stepName: Name });

const location = (jobName: string, stepName: string) => ({ location: `/api/jobs/${encodeURIComponent(jobName)}/steps/${encodeURIComponent(stepName)}` });

/** 404 for a missing job, 409 for one marked for deletion: checked before the references, so the answer names the real problem. */
async function changeableJob(services: Services, jobName: string): Promise<void> {
  const markedAt = await jobStore(services.control).markedForDeletionAt(jobName);
  if (markedAt !== null) throw new ConflictError(`Job '${jobName}' is marked for deletion and can no longer be changed.`);
}

export const createJobStep = defineRoute({
  name: 'createJobStep',
  method: 'POST',
  path: 'jobs/{name}/steps',
  summary: 'Add a step to a job, at stepIndex (1-based; the steps from there move down one) or after the last; 409 for a name the job already has',
  tag,
  access: 'operate',
  params: NameParams,
  body: CreateJobStep,
  success: { status: 201, schema: JobStep },
  async handle({ params, body, services }) {
    await changeableJob(services, params.name);
    const settings = stepSettingsOf(body, DEFAULT_POLICY.name);
    await checkStepReferences(services, settings);
    const step = await jobStepStore(services.control).add(params.name, { name: body.name, settings, stepIndex: body.stepIndex }, isoTimestamp(services.clock.now()));
    return { status: 201, body: step, headers: location(params.name, step.name) };
  },
});

export const listJobSteps = defineRoute({
  name: 'listJobSteps',
  method: 'GET',
  path: 'jobs/{name}/steps',
  summary: "List a job's steps in the order they run",
  tag,
  access: 'read',
  params: NameParams,
  query: ListQuery,
  success: { status: 200, schema: listOf(JobStep) },
  async handle({ params, query, services }) {
    return { status: 200, body: await jobStepStore(services.control).page(params.name, query) };
  },
});

export const getJobStep = defineRoute({
  name: 'getJobStep',
  method: 'GET',
  path: 'jobs/{name}/steps/{stepName}',
  summary: 'Get one step of a job',
  tag,
  access: 'read',
  params: StepParams,
  success: { status: 200, schema: JobStep },
  async handle({ params, services }) {
    return { status: 200, body: await jobStepStore(services.control).get(params.name, params.stepName) };
  },
});

export const updateJobStep = defineRoute({
  name: 'updateJobStep',
  method: 'PUT',
  path: 'jobs/{name}/steps/{stepName}',
  summary:
    'Change any field of a step but its name (null clears contentVersion, maxParallelism, resultSetDestination); stepIndex moves it (the steps between move up or down one). The next execution uses it',
  tag,
  access: 'operate',
  params: StepParams,
  body: UpdateJobStep,
  success: { status: 200, schema: JobStep },
  async handle({ params, body, services }) {
    const steps = jobStepStore(services.control);
    const current = await steps.get(params.name, params.stepName);
    await changeableJob(services, params.name);
    const { stepIndex, ...change } = body;
    const settings = mergeStepSettings(current, change);
    await checkStepReferences(services, settings);
    return { status: 200, body: await steps.update(params.name, params.stepName, settings, stepIndex, isoTimestamp(services.clock.now())) };
  },
});

export const deleteJobStep = defineRoute({
  name: 'deleteJobStep',
  method: 'DELETE',
  path: 'jobs/{name}/steps/{stepName}',
  summary: 'Remove a step from a job (the steps after it move up one); executions already started keep their own snapshot of it',
  tag,
  access: 'operate',
  params: StepParams,
  success: { status: 204 },
  async handle({ params, services }) {
    await jobStepStore(services.control).remove(params.name, params.stepName, isoTimestamp(services.clock.now()));
    return { status: 204 };
  },
});

export const jobStepRoutes = [createJobStep, listJobSteps, getJobStep, updateJobStep, deleteJobStep];
