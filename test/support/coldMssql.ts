/**
 * A control database on SQL Server that answers nothing: Kysely's mssql adapter and compiler over
 * its DummyDriver, recording every query. SQL Server cannot run here, so stores are run against
 * it and the T-SQL they would send is asserted, as kysely's own tests do for dialects.
 */
import { CamelCasePlugin, DummyDriver, Kysely, MssqlAdapter, MssqlIntrospector, MssqlQueryCompiler, type CompiledQuery } from 'kysely';
import type { ControlDatabase } from '../../src/control/connection';
import type { ControlSchema } from '../../src/control/schema';

export interface ColdMssql {
  control: ControlDatabase;
  db: Kysely<ControlSchema>;
  queries: () => CompiledQuery[];
  sql: () => string[];
}

export function coldMssql(): ColdMssql {
  const captured: CompiledQuery[] = [];
  const db = new Kysely<ControlSchema>({
    dialect: {
      createAdapter: () => new MssqlAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (k) => new MssqlIntrospector(k),
      createQueryCompiler: () => new MssqlQueryCompiler(),
    },
    plugins: [new CamelCasePlugin()],
    log: (event) => {
      if (event.level === 'query') captured.push(event.query);
    },
  });
  return {
    control: { db, dialect: 'mssql', description: 'cold', close: () => db.destroy() },
    db,
    queries: () => [...captured],
    sql: () => captured.map((q) => q.sql),
  };
}
