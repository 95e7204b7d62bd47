import { ConflictError, ControlDatabaseUnavailableError } from '../../../src/domain/errors';
import { classifySqlError, withControlRetry } from '../../../src/control/sqlErrors';

describe('control database error classification', () => {
  it.each([
    [{ code: '23505' }, 'unique'],
    [{ code: '23503' }, 'foreignKey'],
    [{ code: '40P01' }, 'transient'],
    [{ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' }, 'unique'],
    [{ code: 'SQLITE_CONSTRAINT_FOREIGNKEY' }, 'foreignKey'],
    [{ code: 'SQLITE_BUSY' }, 'transient'],
    [{ number: 2627 }, 'unique'],
    [{ number: 2601 }, 'unique'],
    [{ number: 547 }, 'foreignKey'],
    [{ number: 1205 }, 'transient'],
    [{ number: 40613 }, 'transient'],
    [{ originalError: { number: 49918 } }, 'transient'],
    [{ code: 'ECONNRESET' }, 'transient'],
    [{ number: 208 }, 'other'],
    [new Error('boom'), 'other'],
  ])('%j is %s', (error, kind) => {
    expect(classifySqlError(error)).toBe(kind);
  });
});

describe('withControlRetry', () => {
  it('retries a transient fault and returns the result', async () => {
    let calls = 0;
    const result = await withControlRetry(
      async () => {
        calls++;
        if (calls < 3) throw Object.assign(new Error('deadlock'), { number: 1205 });
        return 'done';
      },
      { baseDelayMs: 1 },
    );
    expect(result).toBe('done');
    expect(calls).toBe(3);
  });

  it('gives up after the attempts with a 503 error', async () => {
    let calls = 0;
    const failing = withControlRetry(
      async () => {
        calls++;
        throw Object.assign(new Error('gone'), { code: '57P01' });
      },
      { attempts: 3, baseDelayMs: 1 },
    );
    await expect(failing).rejects.toBeInstanceOf(ControlDatabaseUnavailableError);
    expect(calls).toBe(3);
  });

  it('turns a unique violation into a 409 with the given message, without retrying', async () => {
    let calls = 0;
    const failing = withControlRetry(
      async () => {
        calls++;
        throw Object.assign(new Error('dup'), { code: '23505' });
      },
      { conflictMessage: "Job 'x' already exists." },
    );
    await expect(failing).rejects.toEqual(new ConflictError("Job 'x' already exists."));
    expect(calls).toBe(1);
  });

  it('passes other errors through untouched', async () => {
    const error = new Error('syntax');
    await expect(withControlRetry(async () => Promise.reject(error))).rejects.toBe(error);
  });
});
