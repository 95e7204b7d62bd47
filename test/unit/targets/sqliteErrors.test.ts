import { classifySqliteError } from '../../../src/targets/sqliteErrors';
import { PermanentTargetError, ScriptFailedError, TransientTargetError } from '../../../src/targets/errors';

describe('classifySqliteError', () => {
  it.each(['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_LOCKED', 'SQLITE_IOERR_WRITE'])('%s is transient', (code) => {
    expect(classifySqliteError(code, 'database is locked', 'f/a.db')).toBeInstanceOf(TransientTargetError);
  });

  it.each(['SQLITE_NOTADB', 'SQLITE_CORRUPT'])('%s is permanent', (code) => {
    const error = classifySqliteError(code, 'file is not a database', 'f/a.db');
    expect(error).toBeInstanceOf(PermanentTargetError);
    expect(error.message).toContain('f/a.db is not a usable SQLite database');
  });

  it('reports other errors as ScriptFailedError with the line', () => {
    const error = classifySqliteError('SQLITE_CONSTRAINT_UNIQUE', 'UNIQUE constraint failed: t.id', 'f/a.db', 4);
    expect(error).toBeInstanceOf(ScriptFailedError);
    expect(error.message).toBe('Line 4: UNIQUE constraint failed: t.id (SQLITE_CONSTRAINT_UNIQUE)');
  });
});
