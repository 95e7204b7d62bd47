/**
 * The one place errors become HTTP: RFC 9457 problem details. Unknown errors are 500 with a
 * generic detail (the message may hold anything; it is logged, not returned).
 */
import {
  ConflictError,
  ControlDatabaseUnavailableError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  TargetUnavailableError,
  UnauthorizedError,
  ValidationError,
  type ElasticJobsError,
  type FieldError,
} from '../domain/errors';
import { SecretStoreUnavailableError } from '../secrets/errors';
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

type ErrorKind = abstract new (...args: never[]) => ElasticJobsError;

/**
 * The HTTP status of each error kind the API answers with its own message. Any other error (a
 * permanent target or secret store fault, a bug) is a 500 whose message is logged, not returned.
 * A dependency that may come back (the control database, Key Vault, a server being failed over)
 * is 503: say so; how long is unknown.
 */
const HTTP_STATUS: [ErrorKind, number, string][] = [
  [ValidationError, 400, 'Bad Request'],
  [UnauthorizedError, 401, 'Unauthorized'],
  [ForbiddenError, 403, 'Forbidden'],
  [NotFoundError, 404, 'Not Found'],
  [ConflictError, 409, 'Conflict'],
  [PayloadTooLargeError, 413, 'Payload Too Large'],
  [TargetUnavailableError, 502, 'Bad Gateway'],
  [ControlDatabaseUnavailableError, 503, 'Service Unavailable'],
  [SecretStoreUnavailableError, 503, 'Service Unavailable'],
  [TransientTargetError, 503, 'Service Unavailable'],
];

export function problemFromError(error: unknown): { response: ApiResponse; unexpected: boolean } {
  const known = HTTP_STATUS.find(([kind]) => error instanceof kind);
  if (known) {
    const [, status, title] = known;
    const e = error as ElasticJobsError;
    const errors = e instanceof ValidationError || e instanceof NotFoundError ? e.errors : undefined;
    return { response: problem(status, title, e.message, errors), unexpected: false };
  }
  return { response: problem(500, 'Internal Server Error', 'An unexpected error occurred; it has been logged.'), unexpected: true };
}
