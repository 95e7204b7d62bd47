/**
 * The destination table: created on first use from the result's columns, then checked on
 * every write against what the result needs. Many targets write their first result at the
 * same moment; whoever loses the race to create the table finds it made, and checks it.
 */
import type { SqlSession } from '../targets/driver';
import { PermanentTargetError } from '../targets/errors';
import { INTERNAL_COLUMNS, type DestinationColumn } from './destinationColumns';
import type { DestinationTable, ResultWriter } from './resultWriter';
import { compatible, typeFamily } from './typeFamilies';

interface ExistingColumn {
  name: string;
  type: string;
}

async function readColumns(session: SqlSession, writer: ResultWriter, table: DestinationTable): Promise<ExistingColumn[]> {
  const { text, params } = writer.readColumns(table);
  return (await session.query(text, params)).map((r) => ({ name: String(r.name), type: String(r.type ?? '') }));
}

/** What differs between the table and the result, in words; undefined when the table fits. */
export function describeMismatch(writer: ResultWriter, existing: readonly ExistingColumn[], wanted: readonly DestinationColumn[]): string | undefined {
  const key = (name: string) => (writer.namesIgnoreCase ? name.toLowerCase() : name);
  const byName = new Map(existing.map((c) => [key(c.name), c]));
  const wantedNames = [...wanted.map((c) => c.name), ...INTERNAL_COLUMNS];
  const wantedKeys = new Set(wantedNames.map(key));
  const missing = wantedNames.filter((n) => !byName.has(key(n)));
  const extra = existing.filter((c) => !wantedKeys.has(key(c.name))).map((c) => c.name);
  const differing: string[] = [];
  if (writer.comparesTypes && writer.engine !== 'sqlite') {
    for (const column of wanted) {
      const found = byName.get(key(column.name));
      if (!found || column.unknownType) continue;
      if (!compatible(typeFamily(writer.engine, found.type), typeFamily(writer.engine, column.ddl))) {
        differing.push(`${column.name} (table: ${found.type}, result: ${column.ddl})`);
      }
    }
  }
  const parts = [
    missing.length ? `missing columns: ${missing.join(', ')}` : '',
    extra.length ? `extra columns: ${extra.join(', ')}` : '',
    differing.length ? `different types: ${differing.join(', ')}` : '',
  ].filter(Boolean);
  return parts.length ? parts.join('; ') : undefined;
}

export async function ensureResultTable(session: SqlSession, writer: ResultWriter, table: DestinationTable, columns: readonly DestinationColumn[]): Promise<void> {
  let existing = await readColumns(session, writer, table);
  if (existing.length === 0) {
    for (const statement of writer.createStatements(table, columns)) {
      try {
        await session.query(statement);
      } catch (error) {
        if (!writer.isAlreadyExists(error)) throw error;
      }
    }
    existing = await readColumns(session, writer, table);
    if (existing.length === 0) throw new PermanentTargetError(`The result table ${table.display} could not be created (no column is visible to the destination credential).`);
  }
  const mismatch = describeMismatch(writer, existing, columns);
  if (mismatch) {
    throw new PermanentTargetError(
      `The result table ${table.display} exists with columns that do not match the result set (${mismatch}). Drop or rename the table, or choose another destination table.`,
    );
  }
}
