/**
 * What went wrong on a target database, and whether retrying can help (the Temporal habit:
 * every error says if it is retryable). Drivers throw these; the attempt activity records the
 * message and the target orchestrator decides to retry or stop. Messages never hold a password.
 */
export abstract class TargetError extends Error {
  abstract readonly retryable: boolean;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Connection reset, failover, throttling, deadlock, login to a database not ready yet... */
export class TransientTargetError extends TargetError {
  readonly retryable = true;
}

/** The script failed on its own merits (syntax, permission, constraint): a retry may still help, per the seed, but the policy decides. */
export class ScriptFailedError extends TargetError {
  readonly retryable = true;
}

/** Nothing a retry changes: a refused server (allowedServers), a disabled engine, a missing password. */
export class PermanentTargetError extends TargetError {
  readonly retryable = false;
}

/** The attempt ran past taskTimeout; the statement was cancelled on the server. */
export class TaskTimeoutError extends TargetError {
  readonly retryable = true;
}

/** The execution was cancelled; the statement was cancelled on the server. */
export class TaskCanceledError extends TargetError {
  readonly retryable = false;
}

/** The database no longer exists (removed between expansion and attempt): the child ends Skipped. */
export class DatabaseMissingError extends TargetError {
  readonly retryable = false;
}
