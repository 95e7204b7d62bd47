/**
 * What went wrong on a target database, and whether retrying can help (the Temporal habit:
 * every error says if it is retryable). Drivers throw these; the attempt activity records the
 * message and the target orchestrator decides to retry or stop. They are kinds of the domain's
 * ElasticJobsError, so one `retryable` decides for every error an attempt meets. Messages never
 * hold a password.
 */
import { ElasticJobsError } from '../domain/errors';
import type { RunResult } from './driver';

/** An error met on (or on the way to) a target server. */
export abstract class TargetError extends ElasticJobsError {}

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

/**
 * The database does not exist on its server. Whether that is final depends on how the child was
 * found (the attempt decides): a database the user named may yet be created, and is retried; one
 * found by enumeration and gone since ends Skipped.
 */
export class DatabaseMissingError extends TargetError {
  readonly retryable = true;
}

/** What an attempt produced before it failed: the messages and result sets a driver had read when the error came. */
export type PartialOutput = Pick<RunResult, 'resultSets' | 'messages' | 'omitted'>;

// Kept beside the error rather than on it: any thrown value (a TargetError, a driver's own error) can carry it, and it never reaches a message or a log.
const partialOutputs = new WeakMap<object, PartialOutput>();

/**
 * Attaches to `error` the output its attempt produced before failing, so a failed attempt keeps
 * what it printed (captureOutput(partialOutputOf(error))). Returns `error`. Primitives cannot
 * carry it and are returned as they are.
 */
export function withPartialOutput<E>(error: E, output: PartialOutput): E {
  if (error !== null && (typeof error === 'object' || typeof error === 'function')) partialOutputs.set(error as object, output);
  return error;
}

/** The output a driver attached to `error` with withPartialOutput, or undefined when it attached none. */
export function partialOutputOf(error: unknown): PartialOutput | undefined {
  if (error === null || (typeof error !== 'object' && typeof error !== 'function')) return undefined;
  return partialOutputs.get(error as object);
}
