/**
 * Job steps (issue 14): a job runs its steps in `stepIndex` order (1-based); each step is a
 * content run with its own credential, target, execution policy and output. A step starts once
 * every child of the one before it ended; `onFailure` says whether later steps still run after
 * a child of this one Failed or TimedOut (`stopJob`, the default) or not (`continue`).
 */
import { z } from 'zod';
import { Id, Name, Timestamp } from './common';
import { ResultSetDestination } from './resultSetDestination';

/** The most steps a job may have: every start snapshots each one. */
export const MAX_JOB_STEPS = 100;

/** What a job created the old way (content, credential and target on the job) calls its one step. */
export const DEFAULT_STEP_NAME = 'main';

export const StepOnFailure = z
  .enum(['stopJob', 'continue'])
  .meta({ id: 'StepOnFailure', description: 'After a child of this step Failed or TimedOut: stopJob (default) runs no later step; continue runs them (the execution still ends Failed).' });
export type StepOnFailure = z.infer<typeof StepOnFailure>;

/** What a step runs and how: the fields a job's step 1 shows on the job too. */
export const STEP_CONTENT_FIELDS = {
  contentName: Name,
  contentVersion: z.number().int().min(1).optional(),
  credentialName: Name,
  targetId: Id,
  executionPolicyName: Name.optional(),
  maxParallelism: z.number().int().min(1).max(10_000).optional(),
  resultSetDestination: ResultSetDestination.optional(),
  captureOutput: z.boolean().optional(),
};

const StepIndex = z
  .number()
  .int()
  .min(1)
  .max(MAX_JOB_STEPS)
  .meta({ description: '1-based position; the steps at and after it move down one. Omitted: after the last. At most one past the last.' });

export const CreateJobStep = z
  .strictObject({
    name: Name,
    ...STEP_CONTENT_FIELDS,
    onFailure: StepOnFailure.optional(),
    stepIndex: StepIndex.optional(),
  })
  .meta({ id: 'CreateJobStep' });
export type CreateJobStep = z.infer<typeof CreateJobStep>;

export const UpdateJobStep = z
  .strictObject({
    contentName: Name.optional(),
    contentVersion: STEP_CONTENT_FIELDS.contentVersion.nullable(),
    credentialName: Name.optional(),
    targetId: Id.optional(),
    executionPolicyName: Name.optional(),
    maxParallelism: STEP_CONTENT_FIELDS.maxParallelism.nullable(),
    resultSetDestination: ResultSetDestination.nullable().optional(),
    captureOutput: z.boolean().optional(),
    onFailure: StepOnFailure.optional(),
    stepIndex: StepIndex.optional().meta({ description: 'Moves the step to this 1-based position (at most the last).' }),
  })
  .meta({ id: 'UpdateJobStep' });
export type UpdateJobStep = z.infer<typeof UpdateJobStep>;

export const JobStep = z
  .object({
    jobName: z.string(),
    name: z.string(),
    stepIndex: z.number().int(),
    contentName: z.string(),
    contentVersion: z.number().int().nullable().meta({ description: 'null: the latest version at each start.' }),
    credentialName: z.string(),
    targetId: Id,
    executionPolicyName: z.string(),
    maxParallelism: z.number().int().nullable().meta({ description: 'null: the configured default at each start.' }),
    resultSetDestination: ResultSetDestination.nullable(),
    captureOutput: z.boolean(),
    onFailure: StepOnFailure,
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'JobStep' });
export type JobStep = z.infer<typeof JobStep>;

/** Everything about a step a create writes and an update may change, resolved (defaults applied). */
export type StepSettings = Omit<JobStep, 'jobName' | 'name' | 'stepIndex' | 'createdAt' | 'updatedAt'>;

/** A step's settings with the defaults of a create applied (policy `default`, capture off, stopJob). */
export function stepSettingsOf(body: Pick<CreateJobStep, keyof typeof STEP_CONTENT_FIELDS | 'onFailure'>, defaultPolicy: string): StepSettings {
  return {
    contentName: body.contentName,
    contentVersion: body.contentVersion ?? null,
    credentialName: body.credentialName,
    targetId: body.targetId.toLowerCase(),
    executionPolicyName: body.executionPolicyName ?? defaultPolicy,
    // Null: the configured default at each start, so changing the setting reaches existing jobs.
    maxParallelism: body.maxParallelism ?? null,
    resultSetDestination: body.resultSetDestination ?? null,
    captureOutput: body.captureOutput ?? false,
    onFailure: body.onFailure ?? 'stopJob',
  };
}

/** Unset, a changed value, or null (cleared): what a PUT field means. */
const pick = <T>(change: T | undefined, current: T): T => (change === undefined ? current : change);

/** A step's settings with a PUT's changes merged in. */
export function mergeStepSettings(current: StepSettings, change: Omit<UpdateJobStep, 'stepIndex'>): StepSettings {
  return {
    contentName: pick(change.contentName, current.contentName),
    contentVersion: pick(change.contentVersion, current.contentVersion),
    credentialName: pick(change.credentialName, current.credentialName),
    targetId: pick(change.targetId, current.targetId).toLowerCase(),
    executionPolicyName: pick(change.executionPolicyName, current.executionPolicyName),
    maxParallelism: pick(change.maxParallelism, current.maxParallelism),
    resultSetDestination: pick(change.resultSetDestination, current.resultSetDestination),
    captureOutput: pick(change.captureOutput, current.captureOutput),
    onFailure: pick(change.onFailure, current.onFailure),
  };
}

/** The three fields a step cannot do without. */
export const REQUIRED_STEP_FIELDS = ['contentName', 'credentialName', 'targetId'] as const;

/**
 * Of the fields that describe a step, which a body gives: a job body (POST or PUT /jobs) either
 * gives none (no step is written) or at least the three required ones.
 */
export function stepFieldsGiven(body: Record<string, unknown>): { any: boolean; missing: (typeof REQUIRED_STEP_FIELDS)[number][] } {
  const any = Object.keys(STEP_CONTENT_FIELDS).some((k) => body[k] !== undefined);
  return { any, missing: REQUIRED_STEP_FIELDS.filter((k) => body[k] === undefined) };
}
