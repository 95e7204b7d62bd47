import type { Kysely, Migration } from 'kysely';
import { DEFAULT_POLICY } from '../../domain/schemas/executionPolicy';

/** The policy named `default` always exists, with the seed's values. */
export function seedDefaultPolicy(): Migration {
  return {
    async up(db: Kysely<any>) {
      const now = new Date().toISOString();
      await db
        .insertInto('execution_policies')
        .values({
          name: DEFAULT_POLICY.name,
          job_timeout: DEFAULT_POLICY.jobTimeout,
          initial_retry_interval: DEFAULT_POLICY.initialRetryInterval,
          maximum_retry_interval: DEFAULT_POLICY.maximumRetryInterval,
          retry_interval_backoff_coefficient: DEFAULT_POLICY.retryIntervalBackoffCoefficient,
          maximum_attempts: DEFAULT_POLICY.maximumAttempts,
          task_timeout: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
    },
  };
}
