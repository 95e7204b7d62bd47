/**
 * What a control-database error means, per dialect: a constraint the caller broke (409), or a
 * transient fault worth retrying. Stores call `withControlRetry` and never look at driver errors.
 */
import { ConflictError, ControlDatabaseUnavailableError } from '../domain/errors';

type DriverError = { code?: string | number; number?: number; errno?: number; message?: string; originalError?: DriverError; cause?: DriverError };

/** SQL Server / Azure SQL error numbers that a retry can cure (deadlock, failover, throttling). */
export const MSSQL_TRANSIENT_NUMBERS = new Set([1205, 4060, 4221, 10928, 10929, 40143, 40197, 40501, 40540, 40613, 49918, 49919, 49920]);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ESOCKET', 'ETIMEOUT', 'ECONNCLOSED']);
const PG_TRANSIENT = new Set(['40001', '40P01', '57P01', '57P02', '57P03', '53300', '08000', '08003', '08006', '08001', '08004']);

function unwrap(e: DriverError): DriverError {
  return e.originalError ?? e.cause ?? e;
}

export type SqlErrorKind = 'unique' | 'foreignKey' | 'transient' | 'other';

export function classifySqlError(error: unknown): SqlErrorKind {
  if (!error || typeof error !== 'object') return 'other';
  const e = error as DriverError;
  const inner = unwrap(e);
  const code = String(e.code ?? inner.code ?? '');
  const number = e.number ?? inner.number;
  // PostgreSQL (pg): SQLSTATE in `code`.
  if (code === '23505') return 'unique';
  if (code === '23503') return 'foreignKey';
  if (PG_TRANSIENT.has(code)) return 'transient';
  // SQLite (better-sqlite3): SQLITE_* in `code`.
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return 'unique';
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return 'foreignKey';
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return 'transient';
  // SQL Server (tedious): error number.
  if (number === 2627 || number === 2601) return 'unique';
  if (number === 547) return 'foreignKey';
  if (number !== undefined && MSSQL_TRANSIENT_NUMBERS.has(number)) return 'transient';
  if (NETWORK_CODES.has(code)) return 'transient';
  return 'other';
}

export interface RetryOptions {
  attempts?: number;
  baseDelayMs?: number;
  /** What the operation is about, for the 409 message ("Credential 'x'"). */
  conflictMessage?: string;
}

/**
 * Runs a control-database operation, retrying transient faults with exponential backoff, and
 * turning constraint violations into ConflictError. The operation must be safe to repeat
 * (a transaction that rolled back, or an idempotent write).
 */
export async function withControlRetry<T>(operation: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 5;
  const base = options.baseDelayMs ?? 50;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      const kind = classifySqlError(error);
      if (kind === 'unique') throw new ConflictError(options.conflictMessage ?? 'An object with the same key already exists.');
      if (kind === 'foreignKey') throw new ConflictError(options.conflictMessage ?? 'The object is referenced by another object, or refers to one that does not exist.');
      if (kind !== 'transient') throw error;
      if (attempt >= attempts) throw new ControlDatabaseUnavailableError(`The control database kept failing after ${attempts} attempts.`);
      await new Promise((r) => setTimeout(r, Math.min(base * 2 ** (attempt - 1), 2_000)));
    }
  }
}
