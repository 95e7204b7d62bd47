/**
 * What a pg error means for an attempt. SQLSTATE classes: 08 connection, 53 resources, 57P
 * shutdown/not ready, 40001/40P01 serialization and deadlock; 3D000 the database is gone.
 * Every message is rebuilt from the error's fields without the password.
 */
import type { ConnectionCredential, DatabaseRef } from './driver';
import { DatabaseMissingError, ScriptFailedError, TransientTargetError, type TargetError } from './errors';
import { messageOf, withoutSecret } from './redaction';

interface PgErrorFields {
  code?: string;
  message?: string;
  detail?: string;
  hint?: string;
  position?: string;
  where?: string;
}

const TRANSIENT_STATES = new Set(['40001', '40P01', '53000', '53100', '53200', '53300', '53400', '55P03', '57P01', '57P02', '57P03', '57P04', '58000', '58030']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);
const AUTH_STATES = new Set(['28P01', '28000']);
// pg reports a dropped or timed-out connection as a plain Error, with no code.
const CONNECTION_LOST = /connection terminated|connection timeout|timeout expired|server closed the connection|connection is closed|not queryable/i;

export interface PostgresErrorContext {
  database: DatabaseRef;
  credential: ConnectionCredential;
  /** The script, to turn the error's character position into a line number. */
  script?: string;
}

function lineOf(script: string, position: number): number {
  return script.slice(0, Math.max(0, position - 1)).split('\n').length;
}

export function classifyPostgresError(error: unknown, context: PostgresErrorContext): TargetError {
  const e = (error && typeof error === 'object' ? error : {}) as PgErrorFields;
  const code = typeof e.code === 'string' ? e.code : '';
  const where = `${context.database.serverName}/${context.database.databaseName}`;
  const clean = (text: string) => withoutSecret(text, context.credential);
  const message = clean(messageOf(error));

  if (code === '3D000') return new DatabaseMissingError(`Database '${context.database.databaseName}' does not exist on ${context.database.serverName}.`);
  if (AUTH_STATES.has(code)) return new TransientTargetError(`Connecting to ${where} failed: authentication failed for user '${context.credential.username}' (${message}).`);
  if (NETWORK_CODES.has(code)) return new TransientTargetError(`Connecting to ${where} failed: ${message}.`);
  if (code.startsWith('08') || TRANSIENT_STATES.has(code)) return new TransientTargetError(`${message} (SQLSTATE ${code}) on ${where}.`);
  if (!code && CONNECTION_LOST.test(message)) return new TransientTargetError(`Connection to ${where} lost: ${message}.`);
  if (!code) return new TransientTargetError(`Connecting to ${where} failed: ${message}.`);

  const parts = [`${message} (SQLSTATE ${code}`];
  const position = Number(e.position);
  if (position > 0) parts.push(context.script ? `, line ${lineOf(context.script, position)}, character ${position}` : `, character ${position}`);
  parts.push(')');
  if (e.detail) parts.push(`. Detail: ${clean(e.detail)}`);
  if (e.hint) parts.push(`. Hint: ${clean(e.hint)}`);
  return new ScriptFailedError(parts.join(''));
}
