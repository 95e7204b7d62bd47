/**
 * The one place errors become HTTP: RFC 9457 problem details. Unknown errors are 500 with a
 * generic detail (the message may hold anything; it is logged, not returned).
 */
import { ElasticJobsError, NotFoundError, ValidationError, type FieldError } from '../domain/errors';
import { TransientTargetError } from '../targets/errors';
import type { ApiResponse } from './route';

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problem(status: number, title: string, detail: string, errors?: FieldError[]): ApiResponse {
  const body: ProblemDetails = { type: 'about:blank', title, status, detail, ...(errors && errors.length ? { errors } : {}) };
  return { status, body, headers: { 'content-type': PROBLEM_CONTENT_TYPE } };
}

export function problemFromError(error: unknown): { response: ApiResponse; unexpected: boolean } {
  if (error instanceof ElasticJobsError) {
    const errors = error instanceof ValidationError || error instanceof NotFoundError ? error.errors : undefined;
    return { response: problem(error.status, error.title, error.message, errors), unexpected: false };
  }
  // A dependency that may come back (Key Vault, a server being failed over): say so, and how long is unknown.
  if (error instanceof TransientTargetError) {
    return { response: problem(503, 'Service Unavailable', error.message), unexpected: false };
  }
  return { response: problem(500, 'Internal Server Error', 'An unexpected error occurred; it has been logged.'), unexpected: true };
}
