import type { Kysely, Migration } from 'kysely';
import { columnTypes } from '../columnTypes';
import type { ControlDialect } from '../connection';

/**
 * A DACPAC version's URI query (a SAS token) kept apart, protected as a credential's password
 * is (ciphertext or a Key Vault reference); `dacpac_uri` then holds the URI without it. Rows
 * written before this migration still hold the query in `dacpac_uri`: a migration runs without
 * the password protector (Kysely's Migrator is handed migrations only, and Key Vault needs a
 * token), so the composition root moves them right after migrating, on every start
 * (contentStore.protectClearDacpacQueries; a no-op once none is left).
 */
export function dacpacQuerySecret(dialect: ControlDialect): Migration {
  const t = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('content_versions').addColumn('dacpac_query_secret', t.text).execute();
    },
  };
}
