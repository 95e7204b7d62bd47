import { isoTimestamp } from '../../domain/clock';
import { ValidationError } from '../../domain/errors';
import { policySettingErrors } from '../../domain/executionPolicyRules';
import { ListQuery, listOf } from '../../domain/schemas/common';
import { CreateExecutionPolicy, ExecutionPolicy, UpdateExecutionPolicy } from '../../domain/schemas/executionPolicy';
import { executionPolicyStore, type PolicySettings } from '../../control/stores/executionPolicyStore';
import { defineRoute } from '../route';
import { NameParams } from './params';

const tag = 'Execution policies';

function checked(settings: PolicySettings): PolicySettings {
  const errors = policySettingErrors(settings);
  if (errors.length) throw new ValidationError(`The execution policy is not valid: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, errors);
  return settings;
}

export const createExecutionPolicy = defineRoute({
  name: 'createExecutionPolicy',
  method: 'POST',
  path: 'execution-policies',
  summary: 'Create an execution policy (job timeout, retry intervals, attempts, task timeout)',
  tag,
  access: 'operate',
  body: CreateExecutionPolicy,
  success: { status: 201, schema: ExecutionPolicy },
  async handle({ body, services }) {
    const { name, ...fields } = body;
    const settings = checked({ ...fields, taskTimeout: fields.taskTimeout ?? null });
    const policy = await executionPolicyStore(services.control).create(name, settings, isoTimestamp(services.clock.now()));
    return { status: 201, body: policy, headers: { location: `/api/execution-policies/${encodeURIComponent(policy.name)}` } };
  },
});

export const listExecutionPolicies = defineRoute({
  name: 'listExecutionPolicies',
  method: 'GET',
  path: 'execution-policies',
  summary: 'List execution policies',
  tag,
  access: 'read',
  query: ListQuery,
  success: { status: 200, schema: listOf(ExecutionPolicy) },
  async handle({ query, services }) {
    return { status: 200, body: await executionPolicyStore(services.control).list(query) };
  },
});

export const getExecutionPolicy = defineRoute({
  name: 'getExecutionPolicy',
  method: 'GET',
  path: 'execution-policies/{name}',
  summary: 'Get an execution policy',
  tag,
  access: 'read',
  params: NameParams,
  success: { status: 200, schema: ExecutionPolicy },
  async handle({ params, services }) {
    return { status: 200, body: await executionPolicyStore(services.control).get(params.name) };
  },
});

export const updateExecutionPolicy = defineRoute({
  name: 'updateExecutionPolicy',
  method: 'PUT',
  path: 'execution-policies/{name}',
  summary: 'Change any field of an execution policy (taskTimeout null removes it); running executions keep their snapshot',
  tag,
  access: 'operate',
  params: NameParams,
  body: UpdateExecutionPolicy,
  success: { status: 200, schema: ExecutionPolicy },
  async handle({ params, body, services }) {
    const store = executionPolicyStore(services.control);
    const current = await store.get(params.name);
    const merged: PolicySettings = {
      jobTimeout: body.jobTimeout ?? current.jobTimeout,
      initialRetryInterval: body.initialRetryInterval ?? current.initialRetryInterval,
      maximumRetryInterval: body.maximumRetryInterval ?? current.maximumRetryInterval,
      retryIntervalBackoffCoefficient: body.retryIntervalBackoffCoefficient ?? current.retryIntervalBackoffCoefficient,
      maximumAttempts: body.maximumAttempts ?? current.maximumAttempts,
      // null clears the task timeout; absent keeps it.
      taskTimeout: body.taskTimeout === undefined ? current.taskTimeout : body.taskTimeout,
    };
    const policy = await store.replaceSettings(params.name, checked(merged), isoTimestamp(services.clock.now()));
    return { status: 200, body: policy };
  },
});

export const deleteExecutionPolicy = defineRoute({
  name: 'deleteExecutionPolicy',
  method: 'DELETE',
  path: 'execution-policies/{name}',
  summary: 'Delete an execution policy (409 while a job uses it; `default` cannot be deleted)',
  tag,
  access: 'operate',
  params: NameParams,
  success: { status: 204 },
  async handle({ params, services }) {
    await executionPolicyStore(services.control).remove(params.name);
    return { status: 204 };
  },
});

export const executionPolicyRoutes = [createExecutionPolicy, listExecutionPolicies, getExecutionPolicy, updateExecutionPolicy, deleteExecutionPolicy];
