/**
 * The few named errors of the product. They are thrown anywhere below the edge; each says only
 * what went wrong and whether trying the same thing again later may help (`retryable`), which
 * is what an attempt needs to decide on a retry. HTTP is not their business: src/api/problem.ts
 * alone maps each kind to a status. Target errors (src/targets/errors.ts) and secret store
 * errors (src/secrets/errors.ts) are kinds of these. Messages must never carry a secret: they
 * are returned to callers and logged.
 */

export interface FieldError {
  /** Where the problem is, e.g. `body.maxAttempts`, `query.limit`, `params.name`. */
  path: string;
  message: string;
}

export abstract class ElasticJobsError extends Error {
  /** Whether the same operation, tried again later unchanged, may succeed (a dependency away for a while), or never will (bad input, a missing object, a refusal). */
  abstract readonly retryable: boolean;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends ElasticJobsError {
  readonly retryable = false;
  constructor(
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
  }
}

export class UnauthorizedError extends ElasticJobsError {
  readonly retryable = false;
}

export class ForbiddenError extends ElasticJobsError {
  readonly retryable = false;
}

export class NotFoundError extends ElasticJobsError {
  readonly retryable = false;
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
  readonly retryable = false;
}

export class PayloadTooLargeError extends ElasticJobsError {
  readonly retryable = false;
}

/** A request body that is not JSON (a form or text/plain post, the shapes a web page can send cross-origin). */
export class UnsupportedMediaTypeError extends ElasticJobsError {
  readonly retryable = false;
}

/** The control database could not be reached or kept failing after retries. */
export class ControlDatabaseUnavailableError extends ElasticJobsError {
  readonly retryable = true;
}

/** A server, elastic pool or shard map asked on the caller's behalf (a dry-run expansion) could not answer. */
export class TargetUnavailableError extends ElasticJobsError {
  readonly retryable = true;
}
