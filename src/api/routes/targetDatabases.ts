import { z } from 'zod';
import { TargetUnavailableError } from '../../domain/errors';
import { TargetDatabase } from '../../domain/schemas/target';
import { expandTarget } from '../../execution/expandTarget';
import { TargetError } from '../../targets/errors';
import { defineRoute } from '../route';
import { IdParams } from './params';

export const TargetDatabaseList = z.object({ items: z.array(TargetDatabase) }).meta({ id: 'TargetDatabaseList' });

export const listTargetDatabases = defineRoute({
  name: 'listTargetDatabases',
  method: 'GET',
  path: 'targets/{id}/databases',
  summary:
    'The databases this target expands to right now (a dry run: server, pool and shard map targets are asked read-only with their own credential; the databases themselves are not connected to)',
  tag: 'Targets',
  access: 'read',
  params: IdParams,
  success: { status: 200, schema: TargetDatabaseList },
  otherResponses: [{ status: 502, description: 'A server, pool or shard map could not be reached or read (problem details)' }],
  async handle({ params, services }) {
    try {
      const databases = await expandTarget(services, params.id);
      return { status: 200, body: { items: databases.map(({ engine, serverName, databaseName }) => ({ engine, serverName, databaseName })) } };
    } catch (error) {
      if (error instanceof TargetError) throw new TargetUnavailableError(`The target could not be expanded: ${error.message}`);
      throw error;
    }
  },
});

export const targetDatabaseRoutes = [listTargetDatabases];
