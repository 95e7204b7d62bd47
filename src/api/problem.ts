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
  UnsupportedMediaTypeError,
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

/**
 * Bounds of a problem document, whatever produced it: a 1 MiB body of 60,000 unknown keys (or
 * one key of a megabyte) must not come back as megabytes of errors. Twenty field errors of at
 * most 200 + 300 characters and a detail of 1,000 keep every answer under about 12 KiB.
 */
export const PROBLEM_LIMITS = { errors: 20, detail: 1_000, path: 200, message: 300 } as const;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * `errors` as listed: the first PROBLEM_LIMITS.errors, each clipped, then one more entry saying
 * how many were left out (`{path: 'body', message: 'and 59980 more'}`), so a caller can tell.
 */
export function listedErrors(errors: FieldError[]): FieldError[] {
  const listed = errors.slice(0, PROBLEM_LIMITS.errors).map((e) => ({ path: clip(e.path, PROBLEM_LIMITS.path), message: clip(e.message, PROBLEM_LIMITS.message) }));
  const more = errors.length - listed.length;
  return more > 0 ? [...listed, { path: errors[listed.length].path.split('.')[0], message: `and ${more} more` }] : listed;
}

export function problem(status: number, title: string, detail: string, errors?: FieldError[]): ApiResponse {
  const body: ProblemDetails = { type: 'about:blank', title, status, detail: clip(detail, PROBLEM_LIMITS.detail), ...(errors && errors.length ? { errors: listedErrors(errors) } : {}) };
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
  [UnsupportedMediaTypeError, 415, 'Unsupported Media Type'],
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
