import { setTimeout as sleep } from 'node:timers/promises';
import { executionStepStore } from '../../control/stores/executionStepStore';
import { executionStore } from '../../control/stores/executionStore';
import { DEFAULT_STEP_NAME } from '../../domain/schemas/step';
import { stepLifecycle } from '../../domain/stepLifecycle';
import { notificationStore } from '../../control/stores/notificationStore';
import { taskStore, toTaskView } from '../../control/stores/taskStore';
import { durationMs } from '../../domain/duration';
import { ValidationError } from '../../domain/errors';
import { isTerminal } from '../../domain/lifecycle';
import { listOf } from '../../domain/schemas/common';
import {
  DEFAULT_RERUN_LIFECYCLES,
  ExecutionGetQuery,
  ExecutionListQuery,
  ExecutionWaitQuery,
  JobExecution,
  RerunRequest,
  TaskExecution,
  TaskListQuery,
} from '../../domain/schemas/execution';
import { cancelJobExecution } from '../../execution/cancelJobExecution';
import { rerunJobExecution } from '../../execution/rerunJobExecution';
import { startJobExecution as start } from '../../execution/startJobExecution';
import type { Services } from '../../services';
import { defineRoute } from '../route';
import { IdParams, NameParams } from './params';

const tag = 'Executions';

/** The longest a client may hold a wait open: under the 230 s an Azure Functions HTTP response may take. */
export const MAX_WAIT_MS = 3 * 60_000;
const WAIT_POLL_MS = 250;

const location = (id: string) => ({ location: `/api/executions/${id}` });

/** A parent's view with its webhook state (the notification outbox); a child's as it is. */
async function withNotification(services: Services, view: JobExecution): Promise<JobExecution> {
  if (view.parentId !== null) return view;
  const state = await notificationStore(services.control).webhookState(view.id);
  return { ...view, notification: state ?? null };
}

/** A parent's view with its steps in order (an execution from before steps: the one step `main`). */
async function withSteps(services: Services, view: JobExecution): Promise<JobExecution> {
  if (view.parentId !== null) return view;
  const snapshots = await executionStepStore(services.control).list(view.id);
  const counts = await executionStore(services.control).stepCounts(view.id);
  const named = snapshots.length > 0 ? snapshots.map((s) => ({ name: s.stepName, stepIndex: s.stepIndex })) : [{ name: DEFAULT_STEP_NAME, stepIndex: 1 }];
  const steps = named.map((s) => {
    const c = counts.get(s.stepIndex) ?? {};
    return { ...s, lifecycle: stepLifecycle(c, view.lifecycle), counts: c as Record<string, number> };
  });
  return { ...view, steps };
}

export const startJobExecution = defineRoute({
  name: 'startJobExecution',
  method: 'POST',
  path: 'jobs/{name}/executions',
  summary: 'Start a job now: 202 with the new job execution (Location: /api/executions/{id})',
  tag,
  access: 'operate',
  params: NameParams,
  success: { status: 202, schema: JobExecution },
  async handle({ params, services, invocation }) {
    const execution = await start(services, { jobName: params.name, invocation });
    return { status: 202, body: execution, headers: location(execution.id) };
  },
});

export const listExecutions = defineRoute({
  name: 'listExecutions',
  method: 'GET',
  path: 'executions',
  summary: 'List job executions, newest first (by default only active top-level ones; ?lifecycle=Failed,TimedOut and ?createdAfter=&createdBefore= on the creation time filter)',
  tag,
  access: 'read',
  query: ExecutionListQuery,
  success: { status: 200, schema: listOf(JobExecution) },
  async handle({ query, services }) {
    if (query.createdAfter !== undefined && query.createdBefore !== undefined && query.createdAfter >= query.createdBefore) {
      throw new ValidationError('The time window is empty: createdAfter must be before createdBefore.', [{ path: 'query.createdBefore', message: 'must be after createdAfter' }]);
    }
    return { status: 200, body: await executionStore(services.control).list(query) };
  },
});

export const getExecution = defineRoute({
  name: 'getExecution',
  method: 'GET',
  path: 'executions/{id}',
  summary: "Get a job execution with its children's counts per lifecycle (and the children with ?includeChildren=true); a parent also shows its steps (lifecycle and counts each) and its webhook's notification state",
  tag,
  access: 'read',
  params: IdParams,
  query: ExecutionGetQuery,
  success: { status: 200, schema: JobExecution },
  async handle({ params, query, services }) {
    const view = await executionStore(services.control).view(params.id, { includeChildren: query.includeChildren });
    return { status: 200, body: await withSteps(services, await withNotification(services, view)) };
  },
});

export const waitForExecution = defineRoute({
  name: 'waitForExecution',
  method: 'GET',
  path: 'executions/{id}/wait',
  summary: 'Wait (at most ?timeout=, PT3M) for a job execution to end: 200 once terminal, else 202 with it as it stands',
  tag,
  access: 'read',
  params: IdParams,
  query: ExecutionWaitQuery,
  success: { status: 200, schema: JobExecution },
  otherResponses: [{ status: 202, description: 'Still running at the timeout: the execution as it stands (wait again)', schema: JobExecution }],
  async handle({ params, query, services }) {
    const limitMs = durationMs(query.timeout);
    if (limitMs > MAX_WAIT_MS) throw new ValidationError('A wait may last at most PT3M.', [{ path: 'query.timeout', message: 'must be at most PT3M' }]);
    const executions = executionStore(services.control);
    // Real elapsed time, not the domain clock: this bounds how long a connection is held open.
    const started = performance.now();
    for (;;) {
      const record = await executions.get(params.id);
      const done = isTerminal(record.lifecycle);
      const left = limitMs - (performance.now() - started);
      if (done || left <= 0) {
        return { status: done ? 200 : 202, body: await withSteps(services, await withNotification(services, await executions.view(record.id, { includeChildren: query.includeChildren }))) };
      }
      await sleep(Math.min(WAIT_POLL_MS, left));
    }
  },
});

export const cancelExecution = defineRoute({
  name: 'cancelExecution',
  method: 'POST',
  path: 'executions/{id}/cancel',
  summary:
    'Cancel a job execution and all its children (a child alone: only that child); 202 with cancelRequested true while the running statements are stopped, 409 when it already ended',
  tag,
  access: 'operate',
  params: IdParams,
  success: { status: 202, schema: JobExecution },
  async handle({ params, services, invocation }) {
    const execution = await cancelJobExecution(services, params.id, invocation);
    return { status: 202, body: execution, headers: location(execution.id) };
  },
});

export const rerunExecution = defineRoute({
  name: 'rerunExecution',
  method: 'POST',
  path: 'executions/{id}/rerun',
  summary:
    "Run the job again on only those databases of an ended execution whose child ended in one of `lifecycles` (default Failed, TimedOut, Canceled, Skipped), with the job's definition as it is now: 202 with the new execution (its rerunOf names this one); 409 while this one is active or when none of its databases ended so",
  tag,
  access: 'operate',
  params: IdParams,
  body: RerunRequest,
  bodyOptional: true,
  success: { status: 202, schema: JobExecution },
  async handle({ params, body, services, invocation }) {
    const execution = await rerunJobExecution(services, params.id, body.lifecycles ?? [...DEFAULT_RERUN_LIFECYCLES], invocation);
    return { status: 202, body: execution, headers: location(execution.id) };
  },
});

export const listTaskExecutions = defineRoute({
  name: 'listTaskExecutions',
  method: 'GET',
  path: 'executions/{id}/tasks',
  summary: 'Task executions (one per attempt) of a job execution and its children (?includeOutput=true: with their captured output)',
  tag,
  access: 'read',
  params: IdParams,
  query: TaskListQuery,
  success: { status: 200, schema: listOf(TaskExecution) },
  async handle({ params, query, services }) {
    await executionStore(services.control).get(params.id);
    const { includeOutput, ...page } = query;
    return { status: 200, body: await taskStore(services.control).listOfExecution(params.id, page, { withOutput: includeOutput }) };
  },
});

export const getTaskExecution = defineRoute({
  name: 'getTaskExecution',
  method: 'GET',
  path: 'tasks/{id}',
  summary: 'Get a task execution (one attempt), with its captured output when the job captures output',
  tag,
  access: 'read',
  params: IdParams,
  success: { status: 200, schema: TaskExecution },
  async handle({ params, services }) {
    return { status: 200, body: toTaskView(await taskStore(services.control).get(params.id), true) };
  },
});

export const executionRoutes = [startJobExecution, listExecutions, getExecution, waitForExecution, cancelExecution, rerunExecution, listTaskExecutions, getTaskExecution];
