import { sql } from 'kysely';
import { z } from 'zod';
import { defineRoute } from '../route';
import { problem } from '../problem';
import { version } from '../../version';

export const Health = z.object({ status: z.literal('ok'), controlDatabase: z.literal('ok'), version: z.string() }).meta({ id: 'Health' });

export const getHealth = defineRoute({
  name: 'getHealth',
  method: 'GET',
  path: 'health',
  summary: 'Liveness and control database reachability (503 when the control database cannot be reached)',
  tag: 'Health',
  access: 'read',
  anonymous: true,
  success: { status: 200, schema: Health },
  otherResponses: [{ status: 503, description: 'The control database cannot be reached (problem details)' }],
  async handle({ services }) {
    try {
      await sql`select 1 as ok`.execute(services.control.db);
    } catch {
      return problem(503, 'Service Unavailable', 'The control database cannot be reached.');
    }
    return { status: 200, body: { status: 'ok', controlDatabase: 'ok', version } };
  },
});
