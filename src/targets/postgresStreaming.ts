/**
 * Runs one batch of a PostgreSQL script (several statements, one simple query) with its rows
 * streamed to an OutputKeeper instead of collected: pg keeps a query's rows only when nobody
 * listens to its 'row' event (Query#handleRowDescription: `_accumulateRows = callback ||
 * !listeners('row').length`), so a 4,000,000-row SELECT that nothing keeps passes through in
 * constant memory. pg-cursor and pg-query-stream do not fit: they use the extended protocol,
 * one statement per query. A result set is announced when its RowDescription arrives, so an
 * empty one is kept with its columns too.
 */
import { Query, type Client, type CustomTypesConfig, type FieldDef } from 'pg';
import type { OutputKeeper } from './keptOutput';

// pg's Query handles each protocol message in a method of its own; this one is not in @types/pg.
type QueryInternals = { handleRowDescription(message: { fields: FieldDef[] }): void };

class DescribedQuery extends Query {
  constructor(
    config: ConstructorParameters<typeof Query>[0],
    private readonly onFields: (fields: FieldDef[]) => void,
  ) {
    super(config);
  }

  handleRowDescription(message: { fields: FieldDef[] }): void {
    (Query.prototype as unknown as QueryInternals).handleRowDescription.call(this, message);
    this.onFields(message.fields);
  }
}

/** Sends `text` on `client` and feeds every result set and row to `keeper`; resolves when the server is done, rejects with pg's error. */
export function runStreamed(client: Client, text: string, types: CustomTypesConfig | undefined, keeper: OutputKeeper<FieldDef[]>): Promise<void> {
  return new Promise((resolve, reject) => {
    // rowMode is in pg's QueryArrayConfig, which @types/pg does not accept for a Query's constructor.
    const query = new DescribedQuery({ text, rowMode: 'array', types } as ConstructorParameters<typeof Query>[0], (fields) => keeper.resultSet(fields));
    query.on('row', (row: unknown[]) => keeper.row(row));
    query.once('end', () => resolve());
    query.once('error', (error: Error) => reject(error));
    client.query(query);
  });
}
