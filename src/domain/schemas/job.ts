import { z } from 'zod';
import { Id, Name, Timestamp } from './common';
import { ResultSetDestination } from './resultSetDestination';
import { DEFAULT_STEP_NAME, JobStep, STEP_CONTENT_FIELDS, stepFieldsGiven } from './step';

export { ResultSetDestination } from './resultSetDestination';

/**
 * Canary: these databases run first; only when every one of them Succeeded do the others start
 * (issue "safety rails"). `targets`: the first k by server then database name; `databases`: the
 * ones named (each must be among the job's databases at run time).
 */
export const Canary = z
  .strictObject({
    targets: z.number().int().min(1).max(10_000).optional(),
    databases: z
      .array(z.strictObject({ serverName: z.string().min(1).max(256), databaseName: z.string().min(1).max(128) }))
      .min(1)
      .max(1_000)
      .optional(),
  })
  .refine((c) => (c.targets === undefined) !== (c.databases === undefined), { message: 'give either targets (a count) or databases (a list), not both' })
  .meta({ id: 'Canary' });
export type Canary = z.infer<typeof Canary>;

/** Stop starting databases once this many (or this percentage of all) children failed or timed out. */
export const FailureThreshold = z
  .strictObject({
    count: z.number().int().min(1).max(1_000_000).optional(),
    percent: z.number().gt(0).max(100).optional(),
  })
  .refine((t) => t.count !== undefined || t.percent !== undefined, { message: 'give count, percent or both' })
  .meta({ id: 'FailureThreshold' });
export type FailureThreshold = z.infer<typeof FailureThreshold>;

/** What happens when a schedule fires while an execution of the same job is still active. */
export const OverlapPolicy = z.enum(['skip', 'queue', 'allow']);

/** Lifecycles a parent execution ends in: what a webhook may be sent for. */
export const EndedLifecycle = z.enum(['Succeeded', 'SucceededWithSkipped', 'Failed', 'TimedOut', 'Canceled', 'Skipped']);
export type EndedLifecycle = z.infer<typeof EndedLifecycle>;

/** `notify.on` when not given. */
export const DEFAULT_NOTIFY_ON: EndedLifecycle[] = ['Failed', 'TimedOut'];

/**
 * A webhook POSTed when a parent execution ends in one of `on`, signed with the
 * WEBHOOK_SIGNING_KEY setting. Where the URL may point is checked against the host when the job
 * is written (src/domain/webhookAddress.ts), and again after DNS resolution at each POST.
 */
export const JobNotifyInput = z
  .strictObject({
    url: z.string().min(1).max(2048).meta({ examples: ['https://hooks.example.com/elastic-jobs'] }),
    on: z.array(EndedLifecycle).min(1).max(6).optional().meta({ description: 'Lifecycles that are notified; default ["Failed", "TimedOut"].' }),
  })
  .meta({ id: 'JobNotifyInput' });
export type JobNotifyInput = z.infer<typeof JobNotifyInput>;

export const JobNotify = z.object({ url: z.string(), on: z.array(EndedLifecycle) }).meta({ id: 'JobNotify' });
export type JobNotify = z.infer<typeof JobNotify>;

/** What a job is beyond its steps: how its executions start, run and are reported. */
const jobFields = {
  overlap: OverlapPolicy.optional(),
  canary: Canary.optional(),
  failureThreshold: FailureThreshold.optional(),
  maxParallelismPerServer: z.number().int().min(1).max(10_000).optional(),
  enabled: z.boolean().optional().meta({ description: 'false: the scheduler fires none of its triggers (a manual start still runs it). Default true.' }),
  notify: JobNotifyInput.optional(),
};

const STEP_ONE = 'describe its step 1';

/**
 * A job with one step (content, credential and target given, the step named `main` unless
 * `stepName` says otherwise), or with none (none of the step's fields given: add steps with
 * POST /jobs/{name}/steps). Some of the three without the others is refused, naming the missing.
 */
export const CreateJob = z
  .strictObject({
    name: Name,
    contentName: STEP_CONTENT_FIELDS.contentName.optional().meta({ description: `With credentialName and targetId: ${STEP_ONE}. All three or none.` }),
    contentVersion: STEP_CONTENT_FIELDS.contentVersion,
    credentialName: STEP_CONTENT_FIELDS.credentialName.optional(),
    targetId: STEP_CONTENT_FIELDS.targetId.optional(),
    executionPolicyName: STEP_CONTENT_FIELDS.executionPolicyName,
    maxParallelism: STEP_CONTENT_FIELDS.maxParallelism,
    resultSetDestination: STEP_CONTENT_FIELDS.resultSetDestination,
    captureOutput: STEP_CONTENT_FIELDS.captureOutput,
    stepName: Name.optional().meta({ description: `The name of the one step this creates (default "${DEFAULT_STEP_NAME}").` }),
    ...jobFields,
  })
  .superRefine((body, ctx) => {
    const given = stepFieldsGiven(body);
    if (!given.any && body.stepName === undefined) return;
    for (const field of given.missing) {
      ctx.addIssue({ code: 'custom', path: [field], message: `is required with ${describeGiven(body)}: a job's step needs contentName, credentialName and targetId (or give none of the step fields for a job without steps)` });
    }
  })
  .meta({ id: 'CreateJob' });
export type CreateJob = z.infer<typeof CreateJob>;

/** The step fields a body gives, for a message ("contentName and stepName"). */
function describeGiven(body: Record<string, unknown>): string {
  const given = [...Object.keys(STEP_CONTENT_FIELDS), 'stepName'].filter((k) => body[k] !== undefined);
  return given.length === 1 ? given[0] : `${given.slice(0, -1).join(', ')} and ${given[given.length - 1]}`;
}

export const UpdateJob = z
  .strictObject({
    contentName: STEP_CONTENT_FIELDS.contentName.optional().meta({ description: `Content fields ${STEP_ONE}; on a job without steps, contentName, credentialName and targetId together add step "${DEFAULT_STEP_NAME}".` }),
    contentVersion: STEP_CONTENT_FIELDS.contentVersion.nullable(),
    credentialName: STEP_CONTENT_FIELDS.credentialName.optional(),
    targetId: STEP_CONTENT_FIELDS.targetId.optional(),
    executionPolicyName: STEP_CONTENT_FIELDS.executionPolicyName,
    maxParallelism: STEP_CONTENT_FIELDS.maxParallelism.nullable(),
    resultSetDestination: ResultSetDestination.nullable().optional(),
    captureOutput: STEP_CONTENT_FIELDS.captureOutput,
    overlap: jobFields.overlap,
    canary: Canary.nullable().optional(),
    failureThreshold: FailureThreshold.nullable().optional(),
    maxParallelismPerServer: jobFields.maxParallelismPerServer.nullable(),
    enabled: jobFields.enabled,
    notify: JobNotifyInput.nullable().optional().meta({ description: 'null removes the webhook.' }),
  })
  .meta({ id: 'UpdateJob' });
export type UpdateJob = z.infer<typeof UpdateJob>;

export const Job = z
  .object({
    name: z.string(),
    contentName: z.string().nullable().meta({ description: `The content fields ${STEP_ONE}: null (captureOutput false) while the job has no steps.` }),
    contentVersion: z.number().int().nullable(),
    credentialName: z.string().nullable(),
    targetId: Id.nullable(),
    executionPolicyName: z.string().nullable(),
    maxParallelism: z.number().int().nullable(),
    resultSetDestination: ResultSetDestination.nullable(),
    overlap: OverlapPolicy,
    captureOutput: z.boolean(),
    canary: Canary.nullable(),
    failureThreshold: FailureThreshold.nullable(),
    maxParallelismPerServer: z.number().int().nullable(),
    enabled: z.boolean(),
    notify: JobNotify.nullable(),
    markedForDeletion: z.boolean(),
    steps: z.array(JobStep).meta({ description: 'The steps, in the order they run (stepIndex 1, 2, ...).' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Job' });
export type Job = z.infer<typeof Job>;
