/**
 * Rules an execution policy must satisfy as a whole (each field alone is checked by its schema).
 * Checked on the merged policy of an update too, so a change to one interval cannot leave the
 * pair inverted.
 */
import { durationMs } from './duration';
import type { FieldError } from './errors';

export interface RetrySettings {
  jobTimeout: string;
  initialRetryInterval: string;
  maximumRetryInterval: string;
  taskTimeout: string | null;
}

export function policySettingErrors(p: RetrySettings): FieldError[] {
  const errors: FieldError[] = [];
  if (durationMs(p.maximumRetryInterval) < durationMs(p.initialRetryInterval)) {
    errors.push({
      path: 'body.maximumRetryInterval',
      message: `must be at least initialRetryInterval (${p.maximumRetryInterval} is shorter than ${p.initialRetryInterval})`,
    });
  }
  if (durationMs(p.jobTimeout) <= 0) errors.push({ path: 'body.jobTimeout', message: 'must be longer than zero' });
  if (p.taskTimeout !== null && durationMs(p.taskTimeout) <= 0) errors.push({ path: 'body.taskTimeout', message: 'must be longer than zero (or null for none)' });
  return errors;
}
