import { ConflictError, ControlDatabaseUnavailableError, NotFoundError, TargetUnavailableError, ValidationError } from '../../../src/domain/errors';
import { problemFromError } from '../../../src/api/problem';
import { SecretStoreUnavailableError, SecretUnreadableError } from '../../../src/secrets/errors';
import { DatabaseMissingError, PermanentTargetError, ScriptFailedError, TransientTargetError } from '../../../src/targets/errors';

const statusOf = (error: unknown) => problemFromError(error).response.status;

describe('errors say whether retrying helps; only the problem mapping knows HTTP', () => {
  it('maps each kind the API answers to its status, with the message as detail', () => {
    expect(statusOf(new ValidationError('bad'))).toBe(400);
    expect(statusOf(new NotFoundError('Job', 'x'))).toBe(404);
    expect(statusOf(new ConflictError('ended'))).toBe(409);
    expect(statusOf(new TargetUnavailableError('no answer'))).toBe(502);
    expect(statusOf(new ControlDatabaseUnavailableError('away'))).toBe(503);
    expect(statusOf(new SecretStoreUnavailableError('vault away'))).toBe(503);
    expect(statusOf(new TransientTargetError('failover'))).toBe(503);
    expect(problemFromError(new SecretStoreUnavailableError('vault away')).response.body).toMatchObject({ title: 'Service Unavailable', detail: 'vault away' });
  });

  it('answers 500 without the message for a permanent fault of a dependency, and flags it unexpected', () => {
    for (const error of [new SecretUnreadableError('cannot decrypt'), new PermanentTargetError('no driver'), new Error('bug')]) {
      const { response, unexpected } = problemFromError(error);
      expect(response.status).toBe(500);
      expect(JSON.stringify(response.body)).not.toContain(error.message);
      expect(unexpected).toBe(true);
    }
  });

  it('says retryable for what may come back, and not for what never will', () => {
    const retryable = [new ControlDatabaseUnavailableError('x'), new SecretStoreUnavailableError('x'), new TransientTargetError('x'), new ScriptFailedError('x'), new DatabaseMissingError('x')];
    const permanent = [new ValidationError('x'), new NotFoundError('Credential', 'x'), new ConflictError('x'), new SecretUnreadableError('x'), new PermanentTargetError('x')];
    for (const e of retryable) expect([e.name, e.retryable]).toEqual([e.name, true]);
    for (const e of permanent) expect([e.name, e.retryable]).toEqual([e.name, false]);
  });
});
