import { z } from 'zod';
import { Engine, Id, Name, Timestamp } from './common';
import { refineServerName } from './target';

/** A SQL identifier for the destination schema or table: validated here, quoted per dialect. */
const SqlIdentifier = z.string().min(1).max(128).regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a plain identifier (letters, digits, _)');

export const ResultSetDestination = z
  .strictObject({
    engine: Engine.default('sqlserver'),
    serverName: z.string().min(1).max(256),
    databaseName: z.string().min(1).max(128),
    schemaName: SqlIdentifier,
    tableName: SqlIdentifier,
    credentialName: Name,
  })
  .superRefine(refineServerName)
  .meta({ id: 'ResultSetDestination' });
export type ResultSetDestination = z.infer<typeof ResultSetDestination>;

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

const jobFields = {
  contentName: Name,
  contentVersion: z.number().int().min(1).optional(),
  credentialName: Name,
  targetId: Id,
  executionPolicyName: Name.optional(),
  maxParallelism: z.number().int().min(1).max(10_000).optional(),
  resultSetDestination: ResultSetDestination.optional(),
  overlap: OverlapPolicy.optional(),
  captureOutput: z.boolean().optional(),
  canary: Canary.optional(),
  failureThreshold: FailureThreshold.optional(),
  maxParallelismPerServer: z.number().int().min(1).max(10_000).optional(),
  enabled: z.boolean().optional().meta({ description: 'false: the scheduler fires none of its triggers (a manual start still runs it). Default true.' }),
  notify: JobNotifyInput.optional(),
};

export const CreateJob = z.strictObject({ name: Name, ...jobFields }).meta({ id: 'CreateJob' });
export type CreateJob = z.infer<typeof CreateJob>;

export const UpdateJob = z
  .strictObject({
    contentName: jobFields.contentName.optional(),
    contentVersion: jobFields.contentVersion.nullable(),
    credentialName: jobFields.credentialName.optional(),
    targetId: jobFields.targetId.optional(),
    executionPolicyName: jobFields.executionPolicyName,
    maxParallelism: jobFields.maxParallelism.nullable(),
    resultSetDestination: ResultSetDestination.nullable().optional(),
    overlap: jobFields.overlap,
    captureOutput: jobFields.captureOutput,
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
    contentName: z.string(),
    contentVersion: z.number().int().nullable(),
    credentialName: z.string(),
    targetId: Id,
    executionPolicyName: z.string(),
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
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Job' });
export type Job = z.infer<typeof Job>;
