/**
 * What a SQL Server error means for an attempt, by error number (the list Azure SQL documents
 * as transient, plus deadlock and connection loss) or by tedious/mssql code for network faults.
 * Script errors read like SSMS prints them (`Msg 208, Level 16, State 1, Line 3: ...`).
 */
import type { ConnectionCredential, DatabaseRef } from './driver';
import { DatabaseMissingError, ScriptFailedError, TransientTargetError, type TargetError } from './errors';
import { messageOf, withoutSecret } from './redaction';

/** Error numbers a retry can cure: failover, throttling, a database not ready yet, deadlock, a dropped connection. */
export const SQLSERVER_TRANSIENT_NUMBERS = new Set([233, 1205, 4060, 4221, 10053, 10054, 10060, 10928, 10929, 40143, 40197, 40501, 40540, 40613, 49918, 49919, 49920, -2]);
const NETWORK_CODES = new Set(['ETIMEOUT', 'ESOCKET', 'ECONNRESET', 'ECONNCLOSED', 'ECONNREFUSED', 'EPIPE', 'ENOTFOUND', 'EINSTLOOKUP', 'ENOTOPEN', 'ELOGIN']);
const DATABASE_MISSING_NUMBERS = new Set([911]);
const LOGIN_FAILED = 18456;
const DATABASE_MISSING_TEXT = /database '[^']*' does not exist/i;

interface MssqlErrorFields {
  code?: string;
  number?: number;
  class?: number;
  state?: number;
  lineNumber?: number;
  message?: string;
  originalError?: MssqlErrorFields & { info?: MssqlErrorFields; errors?: unknown[] };
  info?: MssqlErrorFields;
}

export interface SqlServerErrorContext {
  database: DatabaseRef;
  credential: ConnectionCredential;
  /** 1-based line where the failing batch starts in the script: SQL Server numbers lines per batch. */
  batchLine?: number;
}

function fieldsOf(error: unknown): MssqlErrorFields {
  const e = (error && typeof error === 'object' ? error : {}) as MssqlErrorFields;
  const inner = e.originalError?.info ?? e.info ?? e.originalError ?? {};
  return {
    code: e.code ?? e.originalError?.code,
    number: e.number ?? inner.number,
    class: e.class ?? inner.class,
    state: e.state ?? inner.state,
    lineNumber: e.lineNumber ?? inner.lineNumber,
  };
}

export function classifySqlServerError(error: unknown, context: SqlServerErrorContext): TargetError {
  const { code, number, class: severity, state, lineNumber } = fieldsOf(error);
  const where = `${context.database.serverName}/${context.database.databaseName}`;
  const message = withoutSecret(messageOf(error), context.credential);

  if ((number !== undefined && DATABASE_MISSING_NUMBERS.has(number)) || DATABASE_MISSING_TEXT.test(message)) {
    return new DatabaseMissingError(`Database '${context.database.databaseName}' does not exist on ${context.database.serverName} (Msg ${number}).`);
  }
  if (number === LOGIN_FAILED || (code === 'ELOGIN' && /login failed/i.test(message))) {
    return new TransientTargetError(`Connecting to ${where} failed: authentication failed for user '${context.credential.username}' (${message}).`);
  }
  // 4060 "Cannot open database ... requested by the login": on Azure SQL a database being
  // created, restored or failed over says this too, so it is worth another attempt.
  if (number !== undefined && SQLSERVER_TRANSIENT_NUMBERS.has(number)) return new TransientTargetError(`Msg ${number} on ${where}: ${message}`);
  if (number === undefined && code && NETWORK_CODES.has(code)) return new TransientTargetError(`Connecting to ${where} failed (${code}): ${message}`);
  if (number === undefined) return new TransientTargetError(`SQL Server ${where}: ${message}`);

  const line = lineNumber !== undefined && lineNumber > 0 ? `, Line ${lineNumber + (context.batchLine ?? 1) - 1}` : '';
  return new ScriptFailedError(`Msg ${number}, Level ${severity ?? 0}, State ${state ?? 0}${line}: ${message}`);
}
