/** Where a job step collects the first result set of every database: a table on one server. */
import { z } from 'zod';
import { Engine, Name } from './common';
import { refineServerName } from './target';

/** A SQL identifier for the destination schema or table: validated here, quoted per dialect. */
const SqlIdentifier = z.string().min(1).max(128).regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a plain identifier (letters, digits, _)');

export const ResultSetDestination = z
  .strictObject({
    engine: Engine.default('sqlserver'),
    serverName: z.string().min(1).max(256),
    databaseName: z.string().min(1).max(128),
    schemaName: SqlIdentifier,
    tableName: SqlIdentifier,
    credentialName: Name,
  })
  .superRefine(refineServerName)
  .meta({ id: 'ResultSetDestination' });
export type ResultSetDestination = z.infer<typeof ResultSetDestination>;
