import { z } from 'zod';
import { Name, Timestamp } from './common';

/**
 * A glob over server names (`*.database.windows.net`, `tenant-*.postgres.example`, `*`).
 * `*` matches any run of characters, `?` one character; matching is case-insensitive.
 */
export const ServerPattern = z.string().min(1).max(256).regex(/^[A-Za-z0-9*?.\-_:,\\/ ]+$/, 'must be a server name pattern');

export const Authentication = z.enum(['sql', 'managedIdentity']);

export const CreateCredential = z
  .strictObject({
    name: Name,
    username: z.string().min(1).max(128),
    password: z.string().min(1).max(1024).optional(),
    authentication: Authentication.default('sql'),
    allowedServers: z.array(ServerPattern).min(1, 'must list at least one server pattern (use "*" for any)').max(256),
  })
  .refine((c) => c.authentication !== 'sql' || c.password !== undefined, {
    path: ['password'],
    message: 'is required when authentication is "sql"',
  })
  .meta({ id: 'CreateCredential' });
export type CreateCredential = z.infer<typeof CreateCredential>;

export const UpdateCredential = z
  .strictObject({
    username: z.string().min(1).max(128).optional(),
    password: z.string().min(1).max(1024).optional(),
    allowedServers: z.array(ServerPattern).min(1).max(256).optional(),
  })
  .meta({ id: 'UpdateCredential' });
export type UpdateCredential = z.infer<typeof UpdateCredential>;

/** What reads return: never the password. */
export const Credential = z
  .object({
    name: z.string(),
    username: z.string(),
    authentication: Authentication,
    allowedServers: z.array(z.string()),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Credential' });
export type Credential = z.infer<typeof Credential>;
