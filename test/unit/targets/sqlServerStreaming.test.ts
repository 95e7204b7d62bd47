/**
 * The SQL Server driver's streamed reading of a batch, fed the event sequence tedious really
 * gives mssql for a server's answer (lib/token/handler.js: INFO -> connection 'infoMessage',
 * ERROR -> connection 'errorMessage' and the request's error, an AggregateError when there are
 * several; COLMETADATA -> 'columnMetadata'; ROW -> 'row'; DONEINPROC -> 'doneInProc'; a cancel
 * ends the request with "Canceled." ECANCEL). No SQL Server runs here, so only that wire level
 * is stood in for; mssql's real Request in stream mode (lib/tedious/request.js), the driver's
 * PinnedConnection and pool config, the OutputKeeper and the error classification are the real
 * code.
 */
import { EventEmitter } from 'node:events';
import v8 from 'node:v8';
import vm from 'node:vm';
import { RequestError, TYPES } from 'tedious';
import type { ConnectionPool } from 'mssql';
import { createOutputKeeper } from '../../../src/targets/keptOutput';
import { sqlServerColumnInfo, type MssqlColumn } from '../../../src/targets/sqlServerColumns';
import { sqlServerPoolConfig } from '../../../src/targets/sqlServerConnection';
import { classifySqlServerError } from '../../../src/targets/sqlServerErrors';
import { PinnedConnection, type PooledTediousConnection } from '../../../src/targets/sqlServerPinnedConnection';
import { scriptRequest } from '../../../src/targets/sqlServerRequests';
import { rowValues, runStreamedBatch } from '../../../src/targets/sqlServerStreaming';

interface Column {
  colName: string;
  type: unknown;
  dataLength?: number;
}
interface ServerError {
  message: string;
  number: number;
  class: number;
  state: number;
  lineNumber: number;
}
/** One token group of the server's answer, in order. `rows` as a count makes them on the fly. */
type Step =
  | { info: string }
  | { set: Column[]; rows: unknown[][] | { count: number; row: (i: number) => unknown[] } }
  | { error: ServerError }
  | { waitForCancel: true }
  | { measure: () => void };

interface TediousRequest extends EventEmitter {
  canceled: boolean;
  callback(error: Error | null, rowCount?: number): void;
}

/** Answers a batch with `steps` the way tedious reports them to mssql, rows in chunks as packets would bring them. */
class StandInTediousConnection extends EventEmitter implements PooledTediousConnection {
  private cancelRequested?: () => void;

  constructor(private readonly steps: Step[]) {
    super();
  }

  execSqlBatch(request: TediousRequest) {
    void this.respond(request);
  }

  cancel() {
    this.cancelRequested?.();
  }
  reset(callback: (error?: Error | null) => void) {
    callback(null);
  }
  close() {}

  private async respond(request: TediousRequest) {
    const errors: RequestError[] = [];
    const tick = () => new Promise((resolve) => setImmediate(resolve));
    await tick();
    for (const step of this.steps) {
      if ('info' in step) {
        this.emit('infoMessage', { message: step.info, number: 0, state: 1, class: 0, lineNumber: 1 });
      } else if ('error' in step) {
        this.emit('errorMessage', step.error);
        const error = Object.assign(new RequestError(step.error.message, 'EREQUEST'), step.error);
        errors.push(error);
      } else if ('set' in step) {
        const metadata = step.set.map((c) => ({ colName: c.colName, type: c.type, dataLength: c.dataLength, flags: 0x01 }));
        request.emit('columnMetadata', metadata);
        const rows = step.rows;
        const count = Array.isArray(rows) ? rows.length : rows.count;
        for (let i = 0; i < count; i++) {
          const values = Array.isArray(rows) ? rows[i] : rows.row(i);
          request.emit('row', values.map((value, c) => ({ value, metadata: metadata[c] })));
          if (i % 10_000 === 9_999) await tick();
        }
        request.emit('doneInProc', count, true);
      } else if ('waitForCancel' in step) {
        await new Promise<void>((resolve) => (this.cancelRequested = resolve));
        request.canceled = true;
        return request.callback(new RequestError('Canceled.', 'ECANCEL'));
      } else {
        step.measure();
      }
    }
    request.callback(errors.length > 1 ? (new AggregateError(errors) as unknown as Error) : (errors[0] ?? null));
  }
}

function parentOver(connection: StandInTediousConnection): ConnectionPool {
  const config = sqlServerPoolConfig({ serverName: 'srv,1433', databaseName: 'db1' }, { authentication: 'sql', username: 'u', password: 'p' }, { encrypt: false, trustServerCertificate: true });
  return new PinnedConnection({ config } as unknown as ConnectionPool, connection).asParent();
}

const int = (colName: string): Column => ({ colName, type: TYPES.Int });
const text = (colName: string): Column => ({ colName, type: TYPES.NVarChar, dataLength: 200 });

function gc(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

describe('a SQL Server batch read as a stream', () => {
  it('feeds messages, every result set (an empty one with its columns) and array rows to the keeper, in order', async () => {
    const connection = new StandInTediousConnection([
      { info: 'starting' },
      { set: [int('id'), text('name')], rows: [[1, 'a'], [2, 'b']] },
      { set: [int('n')], rows: [] },
      { info: 'done: 2 rows' },
    ]);
    const keeper = createOutputKeeper<MssqlColumn[]>({ keepResultSets: 'all' });
    await runStreamedBatch(scriptRequest(parentOver(connection)), "PRINT 'starting'; SELECT ...", keeper);
    const output = keeper.output();
    expect(output.messages).toEqual(['starting', 'done: 2 rows']);
    expect(output.resultSets.map((s) => ({ columns: s.columns.map(sqlServerColumnInfo).map((c) => `${c.name} ${c.type}`), rows: s.rows, rowCount: s.rowCount }))).toEqual([
      { columns: ['id int', 'name nvarchar'], rows: [[1, 'a'], [2, 'b']], rowCount: 2 },
      { columns: ['n int'], rows: [], rowCount: 0 },
    ]);
  });

  it('a failing batch rejects with its last error, earlier ones preceding it, after feeding what came before it', async () => {
    const connection = new StandInTediousConnection([
      { info: 'step 1 of 3' },
      { set: [int('done')], rows: [[1]] },
      { info: 'step 2 of 3' },
      { error: { message: "Violation of PRIMARY KEY constraint 'pk'.", number: 2627, class: 14, state: 1, lineNumber: 4 } },
      { error: { message: 'step 3 failed', number: 50000, class: 16, state: 1, lineNumber: 5 } },
    ]);
    const keeper = createOutputKeeper<MssqlColumn[]>({ keepResultSets: 'all' });
    const failure = await runStreamedBatch(scriptRequest(parentOver(connection)), 'script', keeper).then(
      () => undefined,
      (error: Error & { precedingErrors?: Error[] }) => error,
    );
    expect(failure?.message).toBe('step 3 failed');
    expect(failure?.precedingErrors?.map((e) => e.message)).toEqual(["Violation of PRIMARY KEY constraint 'pk'."]);
    // The driver's classification reads the number and line as it did without stream.
    const classified = classifySqlServerError(failure, { database: { engine: 'sqlserver', serverName: 'srv', databaseName: 'db1' }, credential: { authentication: 'sql', username: 'u' }, batchLine: 10 });
    expect(classified.message).toBe('Msg 50000, Level 16, State 1, Line 14: step 3 failed');
    expect(keeper.output().messages).toEqual(['step 1 of 3', 'step 2 of 3']);
    expect(keeper.output().resultSets.map((s) => s.rows)).toEqual([[[1]]]);
  });

  it('a single error rejects with it and no preceding errors', async () => {
    const connection = new StandInTediousConnection([{ info: 'before' }, { error: { message: "Invalid object name 'nope'.", number: 208, class: 16, state: 1, lineNumber: 1 } }]);
    const keeper = createOutputKeeper<MssqlColumn[]>({ keepResultSets: 'none' });
    await expect(runStreamedBatch(scriptRequest(parentOver(connection)), 'SELECT * FROM nope', keeper)).rejects.toMatchObject({ message: "Invalid object name 'nope'.", precedingErrors: [] });
    expect(keeper.output().messages).toEqual(['before']);
  });

  it('a cancel mid-stream ends the batch with ECANCEL, keeping the rows read before it', async () => {
    const connection = new StandInTediousConnection([{ set: [int('i')], rows: [[1], [2]] }, { waitForCancel: true }]);
    const keeper = createOutputKeeper<MssqlColumn[]>({ keepResultSets: 'first' });
    const request = scriptRequest(parentOver(connection));
    const running = runStreamedBatch(request, 'SELECT ... WAITFOR', keeper);
    // Cancel once the two rows have arrived (a fixed sleep raced them on a loaded machine).
    for (let waited = 0; (keeper.output().resultSets[0]?.rows.length ?? 0) < 2 && waited < 5_000; waited += 5) await new Promise((resolve) => setTimeout(resolve, 5));
    request.cancel();
    await expect(running).rejects.toMatchObject({ code: 'ECANCEL' });
    expect(keeper.output().resultSets[0].rows).toEqual([[1], [2]]);
  });

  it('a FOR JSON answer (chunks joined by mssql into an object row) reaches the keeper as a one-value array row', async () => {
    const connection = new StandInTediousConnection([
      { set: [{ colName: 'JSON_F52E2B61-18A1-11d1-B105-00805F49916B', type: TYPES.NVarChar, dataLength: 4000 }], rows: [['[{"a":'], ['1}]']] },
    ]);
    const keeper = createOutputKeeper<MssqlColumn[]>({ keepResultSets: 'first' });
    await runStreamedBatch(scriptRequest(parentOver(connection)), 'SELECT 1 AS a FOR JSON PATH', keeper);
    expect(keeper.output().resultSets[0].rows).toEqual([['[{"a":1}]']]);
    expect(rowValues([1, 2])).toEqual([1, 2]);
  });

  // 300,000 rows of about 200 bytes each: about 60 MB were they held anywhere until the batch ends.
  const ROWS = 300_000;
  const manyRows = { count: ROWS, row: (i: number) => [i, `row ${i} `.padEnd(90, 'x')] };

  it('rows nothing keeps pass through: the heap at the end of the batch holds none of them', async () => {
    let grownBy = Number.NaN;
    let baseline = 0;
    const connection = new StandInTediousConnection([
      { measure: () => (gc(), (baseline = process.memoryUsage().heapUsed)) },
      { set: [int('i'), text('filler')], rows: manyRows },
      { measure: () => (gc(), (grownBy = process.memoryUsage().heapUsed - baseline)) },
    ]);
    const keeper = createOutputKeeper<MssqlColumn[]>({ keepResultSets: 'none' });
    await runStreamedBatch(scriptRequest(parentOver(connection)), 'SELECT TOP 300000 ...', keeper);
    expect(grownBy).toBeLessThan(10 * 1024 * 1024);
    expect(keeper.output().resultSets).toEqual([]);
  });

  it('(the measure can fail) the same rows read without stream are all held until the batch ends', async () => {
    let grownBy = Number.NaN;
    let baseline = 0;
    const connection = new StandInTediousConnection([
      { measure: () => (gc(), (baseline = process.memoryUsage().heapUsed)) },
      { set: [int('i'), text('filler')], rows: manyRows },
      { measure: () => (gc(), (grownBy = process.memoryUsage().heapUsed - baseline)) },
    ]);
    const result = await scriptRequest(parentOver(connection)).batch('SELECT TOP 300000 ...');
    expect((result.recordsets as unknown as unknown[][])[0]).toHaveLength(ROWS);
    expect(grownBy).toBeGreaterThan(30 * 1024 * 1024);
  });
});
