/**
 * Writes the first result set of one attempt to the job's destination table: the table is
 * created to match if missing (plus internal_execution_id, source_server, source_database),
 * then, in one transaction, the rows of this child execution are deleted and the new ones
 * inserted in batches. A retried attempt therefore leaves exactly one copy of its rows.
 */
import type { Engine } from '../domain/schemas/common';
import type { ResultSetDestination } from '../domain/schemas/job';
import type { ConnectionCredential, DatabaseRef, ResultSet } from '../targets/driver';
import { PermanentTargetError } from '../targets/errors';
import { createPostgresDriver } from '../targets/postgresDriver';
import type { TargetDrivers } from '../targets/registry';
import { createSqlServerDriver } from '../targets/sqlServerDriver';
import { destinationColumns } from './destinationColumns';
import { exactValue } from './exactValues';
import { postgresResultWriter } from './postgresResultWriter';
import { ensureResultTable } from './resultTable';
import type { ResultWriter } from './resultWriter';
import { sqliteResultWriter } from './sqliteResultWriter';
import { sqlServerResultWriter } from './sqlServerResultWriter';

export const RESULT_WRITERS: Readonly<Record<Engine, ResultWriter>> = {
  postgres: postgresResultWriter,
  sqlite: sqliteResultWriter,
  sqlserver: sqlServerResultWriter,
};

export interface WriteResultSetInput {
  destination: ResultSetDestination;
  /** The destination's own credential, password in clear. */
  credential: ConnectionCredential;
  resultSet: ResultSet;
  /** The child job execution the rows belong to (internal_execution_id). */
  childExecutionId: string;
  sourceServer: string;
  sourceDatabase: string;
  /** The host's drivers (their pools, the SQLite root); without them, a driver is made for this one write. */
  drivers?: TargetDrivers;
}

export interface WriteResultSetOutput {
  table: string;
  rowsWritten: number;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** Rows per INSERT: as many as the engine's parameter limit allows for this width, within its row limit. */
export function rowsPerInsert(writer: Pick<ResultWriter, 'maxParameters' | 'maxRowsPerInsert'>, parametersPerRow: number): number {
  return Math.max(1, Math.min(writer.maxRowsPerInsert, Math.floor(writer.maxParameters / parametersPerRow)));
}

function ownDrivers(engine: Engine): TargetDrivers {
  if (engine === 'sqlite') throw new PermanentTargetError("A SQLite result destination needs the host's drivers (they know the SQLite root folder).");
  const driver = engine === 'postgres' ? createPostgresDriver() : createSqlServerDriver({ encrypt: true, trustServerCertificate: false });
  return { driverFor: () => driver, close: () => driver.close() };
}

export async function writeResultSet(input: WriteResultSetInput): Promise<WriteResultSetOutput> {
  const { destination, resultSet } = input;
  for (const [field, value] of [['schemaName', destination.schemaName], ['tableName', destination.tableName]] as const) {
    // The API schema validates these already; a value from anywhere else is checked again before it reaches SQL.
    if (!IDENTIFIER.test(value)) throw new PermanentTargetError(`Result destination ${field} '${value}' must be a plain identifier (letters, digits, _).`);
  }
  const writer = RESULT_WRITERS[destination.engine];
  const table = writer.table(destination.schemaName, destination.tableName);
  const columns = destinationColumns(resultSet, destination.engine);
  const names = [...columns.map((c) => c.name), 'internal_execution_id', 'source_server', 'source_database'];
  const batchRows = rowsPerInsert(writer, names.length);
  const ref: DatabaseRef = { engine: destination.engine, serverName: destination.serverName, databaseName: destination.databaseName };

  const drivers = input.drivers ?? ownDrivers(destination.engine);
  try {
    const driver = drivers.driverFor(destination.engine);
    if (!driver.withSession) throw new PermanentTargetError(`The ${destination.engine} driver cannot write result sets.`);
    await driver.withSession(ref, input.credential, async (session) => {
      await ensureResultTable(session, writer, table, columns);
      await session.transaction(async (tx) => {
        await tx.query(writer.deleteRows(table), [input.childExecutionId]);
        for (let start = 0; start < resultSet.rows.length; start += batchRows) {
          const chunk = resultSet.rows.slice(start, start + batchRows);
          const params = chunk.flatMap((row) => [
            ...columns.map((column, i) => writer.toParam(exactValue(resultSet.engine, destination.engine, row[i], column), column)),
            input.childExecutionId,
            input.sourceServer,
            input.sourceDatabase,
          ]);
          await tx.query(writer.insertRows(table, names, chunk.length), params);
        }
      });
    });
    return { table: table.display, rowsWritten: resultSet.rows.length };
  } finally {
    if (!input.drivers) await drivers.close();
  }
}
