/**
 * Targets are addressed by id in the API; people name a custom collection by its name, as the
 * seed's -CustomCollectionName did. These turn either into an id.
 */
import type { Target } from '../domain/schemas/target';
import { ApiError, type ApiClient } from './apiClient';
import { UsageError } from './errorText';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UUID_IN_TEXT = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** A target id as given, or the id of the custom collection of that name. */
export async function resolveTargetId(client: ApiClient, reference: string): Promise<string> {
  if (UUID.test(reference)) return reference.toLowerCase();
  const page = await client.list<Target>('targets', { type: 'customCollection', name: reference });
  const found = page.items.filter((t) => t.name === reference);
  if (found.length === 0) throw new UsageError(`no custom collection named '${reference}' (give a target id or a collection name)`);
  return found[0].id;
}

export interface DatabaseTargetSpec {
  engine?: string;
  serverName: string;
  databaseName: string;
}

/**
 * The id of the database target for a server and database, created if it does not exist yet
 * (the API answers 409 with the existing id in its detail).
 */
export async function ensureDatabaseTarget(client: ApiClient, spec: DatabaseTargetSpec): Promise<string> {
  try {
    const created = await client.post<Target>('targets', { type: 'database', ...spec });
    return created.id;
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 409) throw error;
    const id = UUID_IN_TEXT.exec(error.problem?.detail ?? '')?.[0];
    if (id) return id.toLowerCase();
    const page = await client.list<Target>('targets', { type: 'database' });
    const match = page.items.find(
      (t) => t.serverName === spec.serverName && t.databaseName === spec.databaseName && (spec.engine === undefined || t.engine === spec.engine),
    );
    if (!match) throw error;
    return match.id;
  }
}
