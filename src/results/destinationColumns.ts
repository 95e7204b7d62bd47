/**
 * The columns of a destination table: one per result column, named so that every engine
 * accepts them (an unnamed column gets `column_<n>`, duplicates and the writer's own column
 * names get a `_<n>` suffix, names are cut to the engine's identifier limit), plus the three
 * the writer adds. The naming is deterministic, so every write of a job agrees on the table.
 */
import type { Engine } from '../domain/schemas/common';
import type { ColumnInfo, ResultSet } from '../targets/driver';
import { mapColumnType } from './typeMappings';

export const INTERNAL_COLUMNS = ['internal_execution_id', 'source_server', 'source_database'] as const;

export interface DestinationColumn {
  name: string;
  /** Type in the destination's DDL. */
  ddl: string;
  /** The source could not tell its type: never a reason to refuse an existing table. */
  unknownType: boolean;
  /** Values are parsed JSON (pg json/jsonb, or pg arrays bound for another engine): written as JSON text. */
  jsonValues: boolean;
  source: ColumnInfo;
  /** The engine the result came from (its values' form: exactValues.ts). */
  sourceEngine: Engine;
}

/** Identifier length limits: PostgreSQL counts bytes (63), SQL Server characters (128). */
const FITS: Record<Engine, (name: string) => boolean> = {
  postgres: (n) => Buffer.byteLength(n, 'utf8') <= 63,
  sqlserver: (n) => n.length <= 128,
  sqlite: () => true,
};

function cut(name: string, fits: (n: string) => boolean, suffix = ''): string {
  let base = name;
  while (base.length > 0 && !fits(base + suffix)) base = base.slice(0, -1);
  return base + suffix;
}

export function destinationColumnNames(columns: readonly ColumnInfo[], engine: Engine): string[] {
  const fits = FITS[engine];
  // SQLite and SQL Server (default collations) compare identifiers without case.
  const key = (n: string) => (engine === 'postgres' ? n : n.toLowerCase());
  const taken = new Set<string>(INTERNAL_COLUMNS.map(key));
  return columns.map((column, index) => {
    const base = cut(column.name.trim() === '' ? `column_${index + 1}` : column.name, fits);
    let name = base;
    for (let n = 2; taken.has(key(name)); n++) name = cut(base, fits, `_${n}`);
    taken.add(key(name));
    return name;
  });
}

export function destinationColumns(resultSet: ResultSet, destination: Engine): DestinationColumn[] {
  const names = destinationColumnNames(resultSet.columns, destination);
  return resultSet.columns.map((source, i) => {
    const mapped = mapColumnType(resultSet.engine, destination, source);
    // An array kept as an array (postgres -> postgres, a known element type) goes as an array; any other becomes JSON text.
    const jsonValues = resultSet.engine === 'postgres' && (source.type === 'json' || source.type === 'jsonb' || (source.type.startsWith('_') && !mapped.ddl.endsWith('[]')));
    return { name: names[i], ddl: mapped.ddl, unknownType: mapped.unknown, jsonValues, source, sourceEngine: resultSet.engine };
  });
}
