/** What a better-sqlite3 error means for an attempt: a busy or locked file is worth another try, the rest is the script's. */
import { PermanentTargetError, ScriptFailedError, TransientTargetError, type TargetError } from './errors';
import { REFUSED_CODE } from './sqliteAttemptProcess';

const TRANSIENT_CODES = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|NOMEM|PROTOCOL)/;
const NOT_A_DATABASE = /^SQLITE_(NOTADB|CORRUPT)/;

/** `line`: where the failing statement starts in the script. */
export function classifySqliteError(code: string | undefined, message: string, where: string, line?: number | null): TargetError {
  // A statement the attempt process refused (sqliteAttemptProcess.ts): the same script is refused again, so no retry.
  if (code === REFUSED_CODE) return new PermanentTargetError(`${line ? `Line ${line}: ` : ''}${message}`);
  if (code && TRANSIENT_CODES.test(code)) return new TransientTargetError(`${message} (${code}) on ${where}.`);
  if (code && NOT_A_DATABASE.test(code)) return new PermanentTargetError(`${where} is not a usable SQLite database: ${message} (${code}).`);
  const at = line ? `Line ${line}: ` : '';
  return new ScriptFailedError(code ? `${at}${message} (${code})` : `${at}${message}`);
}
