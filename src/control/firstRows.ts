/**
 * "At most n rows" in every dialect: Kysely compiles `.limit()` to LIMIT even for SQL Server,
 * which only knows TOP (or OFFSET/FETCH). Stores write `.$call(firstRows(dialect, n))`.
 */
import type { SelectQueryBuilder } from 'kysely';
import type { ControlDialect } from './connection';

export function firstRows(dialect: ControlDialect, n: number) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return <QB extends SelectQueryBuilder<any, any, any>>(qb: QB): QB => (dialect === 'mssql' ? qb.top(n) : qb.limit(n)) as QB;
}
