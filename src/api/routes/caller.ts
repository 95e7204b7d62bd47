import { z } from 'zod';
import { defineRoute } from '../route';

export const Caller = z
  .object({
    /** What the caller may do: `read` (GET routes), `operate` (everything but credentials), `admin` (everything). */
    access: z.enum(['read', 'operate', 'admin']),
    /** The same in the roles' own words: `reader`, `operator`, `admin` (app roles Jobs.Reader, Jobs.Operator, Jobs.Admin). */
    role: z.enum(['reader', 'operator', 'admin']),
  })
  .meta({ id: 'Caller' });

const ROLE_OF = { read: 'reader', operate: 'operator', admin: 'admin' } as const;

/** The caller's own role, so a client (the dashboard) shows only the actions it may take. */
export const getCaller = defineRoute({
  name: 'getCaller',
  method: 'GET',
  path: 'caller',
  summary: "The caller's role: read, operate or admin (from its key or its app roles)",
  tag: 'Health',
  access: 'read',
  success: { status: 200, schema: Caller },
  async handle({ access = 'admin' }) {
    return { status: 200, body: { access, role: ROLE_OF[access] } };
  },
});
