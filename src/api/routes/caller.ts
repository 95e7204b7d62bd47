import { z } from 'zod';
import { defineRoute } from '../route';

export const Caller = z
  .object({
    /** What the caller may do: `read` (GET routes), `operate` (everything but credentials), `admin` (everything). */
    access: z.enum(['read', 'operate', 'admin']),
  })
  .meta({ id: 'Caller' });

/** The caller's own role, so a client (the dashboard) shows only the actions it may take. */
export const getCaller = defineRoute({
  name: 'getCaller',
  method: 'GET',
  path: 'caller',
  summary: "The caller's role: read, operate or admin (from its key or its app roles)",
  tag: 'Health',
  access: 'read',
  success: { status: 200, schema: Caller },
  async handle({ access }) {
    return { status: 200, body: { access: access ?? 'admin' } };
  },
});
