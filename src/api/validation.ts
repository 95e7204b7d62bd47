/** zod issues as the API's field errors (`body.maxAttempts`, `query.limit`). */
import type { z } from 'zod';
import { ValidationError, type FieldError } from '../domain/errors';

export function fieldErrors(where: 'body' | 'query' | 'params', error: z.ZodError): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    const base = [where, ...issue.path.map(String)].join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: `${base}.${key}`, message: 'is not a known field' });
    } else if (issue.code === 'invalid_union' && 'errors' in issue && Array.isArray(issue.errors) && issue.errors.length) {
      // A discriminated union names the discriminator; otherwise report the closest branch.
      out.push({ path: base, message: issue.message });
    } else {
      out.push({ path: base, message: issue.message });
    }
  }
  return out;
}

export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, where: 'body' | 'query' | 'params'): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors = fieldErrors(where, result.error);
  throw new ValidationError(`The request ${where === 'body' ? 'body' : where === 'query' ? 'query string' : 'path'} is not valid: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, errors);
}
