import { ApiError, ApiUnreachableError } from '../../../src/cli/apiClient';
import { describeError, UsageError } from '../../../src/cli/errorText';

describe('error lines', () => {
  it('shows a validation problem as the field path and message with the status', () => {
    const error = new ApiError(400, 'Bad Request', {
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail: 'The request is not valid.',
      errors: [{ path: 'body.maxAttempts', message: 'must be at least 1' }],
    });
    expect(describeError(error)).toEqual({ line: 'error: body.maxAttempts: must be at least 1 (400)', exitCode: 1 });
  });

  it('joins several field errors on one line', () => {
    const error = new ApiError(400, 'Bad Request', {
      detail: 'x',
      errors: [
        { path: 'body.jobTimeout', message: 'must be an ISO 8601 duration' },
        { path: 'body.maximumAttempts', message: 'must be at least 1' },
      ],
    });
    expect(describeError(error).line).toBe('error: body.jobTimeout: must be an ISO 8601 duration; body.maximumAttempts: must be at least 1 (400)');
  });

  it('shows the detail of a problem without field errors', () => {
    const error = new ApiError(409, 'Conflict', { title: 'Conflict', status: 409, detail: "Credential 'deployer' is used by job 'nightly'." });
    expect(describeError(error)).toEqual({ line: "error: Credential 'deployer' is used by job 'nightly'. (409)", exitCode: 1 });
  });

  it('keeps a multi-line detail on one line', () => {
    const error = new ApiError(500, 'Internal Server Error', { detail: 'first\n  second' });
    expect(describeError(error).line).toBe('error: first second (500)');
  });

  it('falls back to the HTTP status when the body is not problem details (a proxy page)', () => {
    expect(describeError(new ApiError(502, 'Bad Gateway', undefined)).line).toBe('error: HTTP 502 Bad Gateway (502)');
  });

  it('says how to pass the key on 401', () => {
    const line = describeError(new ApiError(401, 'Unauthorized', { detail: 'A valid API key is required in the x-functions-key header.' })).line;
    expect(line).toMatch(/^error: A valid API key is required .*\(401\); pass the API key with --key or ELASTIC_JOBS_KEY$/);
  });

  it('maps an unreachable API to exit code 5 and names the URL', () => {
    const { line, exitCode } = describeError(new ApiUnreachableError('http://127.0.0.1:1/api', 'ECONNREFUSED'));
    expect(exitCode).toBe(5);
    expect(line).toContain('http://127.0.0.1:1/api (ECONNREFUSED)');
  });

  it('maps a usage mistake to exit code 1', () => {
    expect(describeError(new UsageError('give exactly one of --file or --dacpac-uri'))).toEqual({ line: 'error: give exactly one of --file or --dacpac-uri', exitCode: 1 });
  });
});
