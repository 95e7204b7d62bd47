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

/** What happens when a schedule fires while an execution of the same job is still active. */
export const OverlapPolicy = z.enum(['skip', 'queue', 'allow']);

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
    markedForDeletion: z.boolean(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Job' });
export type Job = z.infer<typeof Job>;
