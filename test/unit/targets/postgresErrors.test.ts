import { classifyPostgresError } from '../../../src/targets/postgresErrors';
import { DatabaseMissingError, ScriptFailedError, TransientTargetError } from '../../../src/targets/errors';
import type { ConnectionCredential, DatabaseRef } from '../../../src/targets/driver';

const database: DatabaseRef = { engine: 'postgres', serverName: 'pg.example:5432', databaseName: 'tenant1' };
const credential: ConnectionCredential = { authentication: 'sql', username: 'jobuser', password: 'Pa55word-Secret' };
const pgError = (code: string, message: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(message), { code, ...extra });

describe('classifyPostgresError', () => {
  it.each([
    ['57P03', 'the database system is starting up'],
    ['53300', 'sorry, too many clients already'],
    ['57P01', 'terminating connection due to administrator command'],
    ['40001', 'could not serialize access due to concurrent update'],
    ['40P01', 'deadlock detected'],
    ['08006', 'connection failure'],
    ['08001', 'could not connect'],
    ['ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'],
    ['ECONNRESET', 'read ECONNRESET'],
  ])('%s is transient', (code, message) => {
    const error = classifyPostgresError(pgError(code, message), { database, credential });
    expect(error).toBeInstanceOf(TransientTargetError);
    expect(error.message).toContain(message);
  });

  it('treats a dropped connection (a plain Error from pg) as transient', () => {
    expect(classifyPostgresError(new Error('Connection terminated unexpectedly'), { database, credential })).toBeInstanceOf(TransientTargetError);
    expect(classifyPostgresError(new Error('Connection terminated due to connection timeout'), { database, credential })).toBeInstanceOf(TransientTargetError);
  });

  it('maps 3D000 to DatabaseMissingError', () => {
    const error = classifyPostgresError(pgError('3D000', 'database "tenant1" does not exist'), { database, credential });
    expect(error).toBeInstanceOf(DatabaseMissingError);
    expect(error.message).toContain("'tenant1'");
  });

  it.each(['28P01', '28000'])('says "authentication failed" for %s, retryable', (code) => {
    const error = classifyPostgresError(pgError(code, 'password authentication failed for user "jobuser"'), { database, credential });
    expect(error).toBeInstanceOf(TransientTargetError);
    expect(error.message).toContain("authentication failed for user 'jobuser'");
  });

  it('reports other SQL errors as ScriptFailedError with SQLSTATE, line, detail and hint', () => {
    const error = classifyPostgresError(
      pgError('23505', 'duplicate key value violates unique constraint "t_pkey"', { position: '12', detail: 'Key (id)=(1) already exists.', hint: 'Use another key.' }),
      { database, credential, script: 'SELECT 1;\nINSERT INTO t VALUES (1);' },
    );
    expect(error).toBeInstanceOf(ScriptFailedError);
    expect(error.message).toBe(
      'duplicate key value violates unique constraint "t_pkey" (SQLSTATE 23505, line 2, character 12). Detail: Key (id)=(1) already exists.. Hint: Use another key.',
    );
  });

  it('never repeats the password', () => {
    const error = classifyPostgresError(pgError('XX000', 'oops Pa55word-Secret', { detail: 'also Pa55word-Secret' }), { database, credential });
    expect(error.message).not.toContain('Pa55word-Secret');
  });
});
