/** zod issues as the API's field errors (`body.maxAttempts`, `query.limit`). */
import type { z } from 'zod';
import { ValidationError, type FieldError } from '../domain/errors';
import { nulFieldErrors } from './nulCharacters';

type Issue = z.core.$ZodIssue;

/** Field errors named in a ValidationError's message (all of them go in its `errors`). */
const DETAIL_NAMES = 5;

/**
 * Of a union's branches, the one the request most plausibly meant: the fewest fields it does not
 * know (a field of another shape is the strongest sign of a wrong guess), then the fewest issues.
 */
function closestBranch(branches: Issue[][]): Issue[] {
  const score = (issues: Issue[]) => issues.reduce((n, i) => n + (i.code === 'unrecognized_keys' ? 100 * i.keys.length : i.code === 'invalid_type' && i.path.length === 1 ? 10 : 1), 0);
  return branches.reduce((best, branch) => (score(branch) < score(best) ? branch : best));
}

function collect(issues: Issue[], prefix: PropertyKey[], out: FieldError[]): void {
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    const base = path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: `${base}.${key}`, message: 'is not a known field' });
    } else if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // "Invalid input" says nothing: report what is wrong in the shape the caller was going for.
      collect(closestBranch(issue.errors), path, out);
    } else if (issue.code === 'invalid_type' && / received undefined$/.test(issue.message)) {
      // zod words a missing field "Invalid input: expected string, received undefined".
      out.push({ path: base, message: `is required (${issue.expected})` });
    } else {
      out.push({ path: base, message: issue.message });
    }
  }
}

export function fieldErrors(where: 'body' | 'query' | 'params', error: z.ZodError): FieldError[] {
  const out: FieldError[] = [];
  collect(error.issues, [where], out);
  return out;
}

export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, where: 'body' | 'query' | 'params'): T {
  // A NUL is refused before the schema: no schema names it, and no control database stores it.
  const nul = nulFieldErrors(value, where);
  const result = nul.length > 0 ? undefined : schema.safeParse(value);
  if (result?.success) return result.data;
  const errors = result ? fieldErrors(where, result.error) : nul;
  // The detail names a few; the problem document lists the rest up to its bound (PROBLEM_LIMITS).
  const named = errors.slice(0, DETAIL_NAMES).map((e) => `${e.path} ${e.message}`);
  if (errors.length > DETAIL_NAMES) named.push(`and ${errors.length - DETAIL_NAMES} more`);
  throw new ValidationError(`The request ${where === 'body' ? 'body' : where === 'query' ? 'query string' : 'path'} is not valid: ${named.join('; ')}`, errors);
}
