/** A custom collection of PostgreSQL database targets on the test server, made through the API as a user would. */
import type { jsonClient } from './httpClient';
import { pgServerName } from './postgres';

/** Creates the collection `name` with one database target per name; returns the collection's id. */
export async function createPostgresCollection(api: ReturnType<typeof jsonClient>, name: string, databaseNames: readonly string[]): Promise<string> {
  const collection = await api.ok('POST', 'targets', { type: 'customCollection', name });
  for (const databaseName of databaseNames) {
    const db = await api.ok('POST', 'targets', { type: 'database', engine: 'postgres', serverName: pgServerName(), databaseName });
    await api.ok('POST', `targets/${collection.id}/members`, { targetId: db.id });
  }
  return collection.id as string;
}
