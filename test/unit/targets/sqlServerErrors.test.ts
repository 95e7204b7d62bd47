import { classifySqlServerError } from '../../../src/targets/sqlServerErrors';
import { DatabaseMissingError, ScriptFailedError, TransientTargetError } from '../../../src/targets/errors';
import type { ConnectionCredential, DatabaseRef } from '../../../src/targets/driver';

const database: DatabaseRef = { engine: 'sqlserver', serverName: 'srv.database.windows.net', databaseName: 'Tenant1' };
const credential: ConnectionCredential = { authentication: 'sql', username: 'jobuser', password: 'Pa55word-Secret' };

/** The shape mssql gives a RequestError: its fields copied from tedious' error token. */
const requestError = (number: number, message: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { name: 'RequestError', code: 'EREQUEST', number, class: 16, state: 1, lineNumber: 1, ...extra });
const connectionError = (code: string, message: string) => Object.assign(new Error(message), { name: 'ConnectionError', code });

describe('classifySqlServerError', () => {
  it.each([4060, 40197, 40501, 40613, 49918, 49919, 49920, 10928, 10929, 4221, 1205, 40143, 40540, 233, -2])('error %d is transient', (number) => {
    const error = classifySqlServerError(requestError(number, `error ${number}`), { database, credential });
    expect(error).toBeInstanceOf(TransientTargetError);
    expect(error.retryable).toBe(true);
    expect(error.message).toContain(`Msg ${number}`);
  });

  it.each(['ETIMEOUT', 'ESOCKET', 'ECONNRESET', 'ECONNCLOSED'])('connection code %s is transient', (code) => {
    const error = classifySqlServerError(connectionError(code, 'Connection lost - read ECONNRESET'), { database, credential });
    expect(error).toBeInstanceOf(TransientTargetError);
    expect(error.message).toContain(code);
    expect(error.message).toContain('srv.database.windows.net/Tenant1');
  });

  it('treats "Cannot open database ... requested by the login" (4060) as transient: the database may not be ready yet', () => {
    const error = classifySqlServerError(requestError(4060, 'Cannot open database "Tenant1" requested by the login. The login failed.'), { database, credential });
    expect(error).toBeInstanceOf(TransientTargetError);
  });

  it('maps 911 (database does not exist) to DatabaseMissingError', () => {
    const error = classifySqlServerError(requestError(911, "Database 'Tenant1' does not exist. Make sure that the name is entered correctly."), { database, credential });
    expect(error).toBeInstanceOf(DatabaseMissingError);
    // A database a user named may be created meanwhile: retried under the policy (an enumerated one ends Skipped instead).
    expect(error.retryable).toBe(true);
  });

  it('recognises a missing database by its message when the number was lost on the way', () => {
    expect(classifySqlServerError(new Error("Database 'Tenant1' does not exist. Make sure that the name is entered correctly."), { database, credential })).toBeInstanceOf(DatabaseMissingError);
  });

  it('says "authentication failed" for a failed login (18456), and keeps it retryable', () => {
    const error = classifySqlServerError(
      Object.assign(connectionError('ELOGIN', "Login failed for user 'jobuser'."), { originalError: { info: { number: 18456 } } }),
      { database, credential },
    );
    expect(error).toBeInstanceOf(TransientTargetError);
    expect(error.message).toContain('authentication failed');
  });

  it('reports a script error SSMS-style with number, level, state and the line in the script', () => {
    const error = classifySqlServerError(requestError(208, "Invalid object name 'dbo.Missing'.", { lineNumber: 2 }), { database, credential, batchLine: 10 });
    expect(error).toBeInstanceOf(ScriptFailedError);
    expect(error.message).toBe("Msg 208, Level 16, State 1, Line 11: Invalid object name 'dbo.Missing'.");
  });

  it('reads the number from the wrapped tedious error when mssql did not copy it', () => {
    const wrapped = Object.assign(new Error('Violation of PRIMARY KEY constraint'), { code: 'EREQUEST', originalError: { info: { number: 2627, class: 14, state: 1, lineNumber: 1 } } });
    expect(classifySqlServerError(wrapped, { database, credential }).message).toBe('Msg 2627, Level 14, State 1, Line 1: Violation of PRIMARY KEY constraint');
  });

  it('never repeats the password, even when a message quotes it', () => {
    const error = classifySqlServerError(requestError(50000, `bad value Pa55word-Secret in connection`), { database, credential });
    expect(error.message).not.toContain('Pa55word-Secret');
    expect(error.message).toContain('***');
  });
});
