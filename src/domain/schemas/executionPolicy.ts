import { z } from 'zod';
import { Duration, Name, Timestamp } from './common';

const fields = {
  jobTimeout: Duration,
  initialRetryInterval: Duration,
  maximumRetryInterval: Duration,
  retryIntervalBackoffCoefficient: z.number().min(1, 'must be at least 1').max(1000),
  maximumAttempts: z.number().int().min(1).max(2147483647),
  taskTimeout: Duration.optional(),
};

export const CreateExecutionPolicy = z.strictObject({ name: Name, ...fields }).meta({ id: 'CreateExecutionPolicy' });
export type CreateExecutionPolicy = z.infer<typeof CreateExecutionPolicy>;

export const UpdateExecutionPolicy = z
  .strictObject({
    jobTimeout: fields.jobTimeout.optional(),
    initialRetryInterval: fields.initialRetryInterval.optional(),
    maximumRetryInterval: fields.maximumRetryInterval.optional(),
    retryIntervalBackoffCoefficient: fields.retryIntervalBackoffCoefficient.optional(),
    maximumAttempts: fields.maximumAttempts.optional(),
    taskTimeout: Duration.nullable().optional(),
  })
  .meta({ id: 'UpdateExecutionPolicy' });
export type UpdateExecutionPolicy = z.infer<typeof UpdateExecutionPolicy>;

export const ExecutionPolicy = z
  .object({
    name: z.string(),
    jobTimeout: z.string(),
    initialRetryInterval: z.string(),
    maximumRetryInterval: z.string(),
    retryIntervalBackoffCoefficient: z.number(),
    maximumAttempts: z.number().int(),
    taskTimeout: z.string().nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'ExecutionPolicy' });
export type ExecutionPolicy = z.infer<typeof ExecutionPolicy>;

/** The seed's default policy: essentially infinite retries with exponential backoff. */
export const DEFAULT_POLICY = {
  name: 'default',
  jobTimeout: 'P7D',
  initialRetryInterval: 'PT0.1S',
  maximumRetryInterval: 'PT30M',
  retryIntervalBackoffCoefficient: 2,
  maximumAttempts: 2147483647,
  taskTimeout: null,
} as const;
