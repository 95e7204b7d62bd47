/**
 * Any error that ends a command as one line on stderr, and its exit code. Problem details name
 * the field (`body.maxAttempts: must be at least 1 (400)`) because that is what the user fixes.
 */
import { ApiError, ApiUnreachableError } from './apiClient';
import { ExitCode } from './exitCodes';

/** A mistake on the command line found before any request was sent. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function describeApiError(error: ApiError): string {
  const problem = error.problem;
  let text: string;
  if (problem?.errors?.length) text = problem.errors.map((e) => `${e.path}: ${e.message}`).join('; ');
  else text = problem?.detail || problem?.title || `HTTP ${error.status}${error.statusText ? ` ${error.statusText}` : ''}`;
  text = `${oneLine(text)} (${error.status})`;
  if (error.status === 401) text += '; pass the API key with --key or ELASTIC_JOBS_KEY';
  return text;
}

export function describeError(error: unknown): { line: string; exitCode: ExitCode } {
  if (error instanceof ApiError) return { line: `error: ${describeApiError(error)}`, exitCode: ExitCode.Refused };
  if (error instanceof ApiUnreachableError) {
    return { line: `error: ${error.message}; is it running (elastic-jobs serve), and is --url right?`, exitCode: ExitCode.Unreachable };
  }
  if (error instanceof UsageError) return { line: `error: ${oneLine(error.message)}`, exitCode: ExitCode.Refused };
  const message = error instanceof Error ? error.message : String(error);
  return { line: `error: ${oneLine(message)}`, exitCode: ExitCode.Refused };
}
