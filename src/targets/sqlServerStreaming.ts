/**
 * Runs one batch of a SQL Server script with its rows streamed to an OutputKeeper instead of
 * collected. Without `stream`, mssql pushes every row of every result set into `recordsets`
 * until the batch ends (lib/tedious/request.js, the `row` handler), so a 2,000,000-row SELECT
 * that nothing keeps would sit whole in the host's heap; with `request.stream = true` it emits
 * each row once and keeps none (tedious keeps none either: mssql's pool turns off
 * rowCollectionOnDone and rowCollectionOnRequestCompletion).
 *
 * Stream mode changes how a batch reports, and this module turns it back into one outcome
 * (mssql 12, lib/base/request.js `batch` and lib/tedious/request.js `_query`):
 * - 'recordset' (column metadata, an array in arrayRowMode) starts each result set, also an
 *   empty one; 'row' follows per row; 'info' carries PRINT and RAISERROR up to severity 10.
 * - every error (each SQL Server error message, a cancel's "Canceled.", a lost connection) is
 *   an 'error' event, none of them ends the batch, and the promise of `batch()` resolves
 *   anyway; 'done' always comes last. Like mssql without stream, the batch fails with the last
 *   error, the earlier ones as its `precedingErrors`.
 * - FOR JSON / FOR XML output arrives in chunks that mssql joins into one value before its
 *   'row' (in arrayRowMode as `{ '0': text }`, an object, not an array): that one value is the
 *   one thing mssql itself holds whole.
 */
import type { Request } from 'mssql';
import type { OutputKeeper } from './keptOutput';
import type { MssqlColumn } from './sqlServerColumns';

/** What mssql's 'info' event carries (only the message is kept). */
interface MssqlInfo {
  message: string;
}

/** A row as mssql emits it in arrayRowMode: an array, or an object for a joined FOR JSON/XML chunk. */
export function rowValues(row: unknown): unknown[] {
  if (Array.isArray(row)) return row;
  if (row !== null && typeof row === 'object') return Object.values(row);
  return [row];
}

/**
 * Sends `text` as one batch on `request` (made by scriptRequest, arrayRowMode set) in stream
 * mode and feeds its result sets, rows and messages to `keeper` as they arrive. Resolves when
 * the batch is done; rejects with its last error (earlier ones in `precedingErrors`, as mssql
 * reports them without stream), after everything before it was fed to `keeper`.
 */
export function runStreamedBatch(request: Request, text: string, keeper: OutputKeeper<MssqlColumn[]>): Promise<void> {
  request.stream = true;
  const errors: Error[] = [];
  request.on('recordset', (columns: unknown) => keeper.resultSet(Array.isArray(columns) ? (columns as MssqlColumn[]) : (Object.values(columns as object) as MssqlColumn[])));
  request.on('row', (row: unknown) => keeper.row(rowValues(row)));
  request.on('info', (info: MssqlInfo) => keeper.message(info.message));
  // An 'error' event nobody listens to would be thrown by the EventEmitter: every one is collected.
  request.on('error', (error: Error) => errors.push(error));
  return new Promise<void>((resolve, reject) => {
    request.once('done', () => {
      const last = errors.pop();
      if (!last) return resolve();
      (last as Error & { precedingErrors?: Error[] }).precedingErrors = errors;
      reject(last);
    });
    // In stream mode this promise resolves even when the batch failed; 'done' decides. A rejection would be mssql's own fault.
    request.batch(text).catch(reject);
  });
}
