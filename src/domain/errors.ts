/**
 * The few named errors of the product. They are thrown anywhere below the edge and mapped to
 * HTTP problem details in exactly one place (src/api/problem.ts). Messages must never carry a
 * secret: they are returned to callers and logged.
 */

export interface FieldError {
  /** Where the problem is, e.g. `body.maxAttempts`, `query.limit`, `params.name`. */
  path: string;
  message: string;
}

export abstract class ElasticJobsError extends Error {
  abstract readonly status: number;
  abstract readonly title: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends ElasticJobsError {
  readonly status = 400;
  readonly title = 'Bad Request';
  constructor(
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
  }
}

export class UnauthorizedError extends ElasticJobsError {
  readonly status = 401;
  readonly title = 'Unauthorized';
}

export class ForbiddenError extends ElasticJobsError {
  readonly status = 403;
  readonly title = 'Forbidden';
}

export class NotFoundError extends ElasticJobsError {
  readonly status = 404;
  readonly title = 'Not Found';
  constructor(
    readonly kind: string,
    readonly key: string,
    /** Which request field named the missing object (`body.credentialName`), when one did. */
    readonly errors: FieldError[] = [],
  ) {
    super(`${kind} '${key}' does not exist.`);
  }
}

export class ConflictError extends ElasticJobsError {
  readonly status = 409;
  readonly title = 'Conflict';
}

export class PayloadTooLargeError extends ElasticJobsError {
  readonly status = 413;
  readonly title = 'Payload Too Large';
}

/** The control database could not be reached or kept failing after retries. */
export class ControlDatabaseUnavailableError extends ElasticJobsError {
  readonly status = 503;
  readonly title = 'Service Unavailable';
}

/** A server, elastic pool or shard map asked on the caller's behalf (a dry-run expansion) could not answer. */
export class TargetUnavailableError extends ElasticJobsError {
  readonly status = 502;
  readonly title = 'Bad Gateway';
}
