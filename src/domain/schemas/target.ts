import { z } from 'zod';
import { Engine, Id, Name, Timestamp } from './common';
import { serverNameProblem } from '../serverAddress';

const ServerName = z.string().min(1).max(256).refine((s) => s.trim() === s && !/[\u0000-\u001f]/.test(s), 'must be a server name');

/**
 * A SQL Server or PostgreSQL `serverName` must be a spelling the one server-address parser
 * accepts (src/domain/serverAddress.ts), so a refused one is a 400 naming the field at creation,
 * never a surprise at run time. SQLite folders are checked against their root by the route.
 */
export function refineServerName(value: { engine: Engine; serverName: string }, ctx: z.RefinementCtx): void {
  if (value.engine === 'sqlite') return;
  const problem = serverNameProblem(value.engine, value.serverName);
  if (problem) ctx.addIssue({ code: 'custom', path: ['serverName'], message: problem });
}
const DatabaseName = z.string().min(1).max(128).refine((s) => !/[\u0000-\u001f]/.test(s), 'must be a database name');

export const TargetType = z.enum(['database', 'server', 'elasticPool', 'shardMap', 'customCollection']);
export type TargetType = z.infer<typeof TargetType>;

export const CreateTarget = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('database'), engine: Engine.default('sqlserver'), serverName: ServerName, databaseName: DatabaseName }).superRefine(refineServerName),
    z.strictObject({ type: z.literal('server'), engine: Engine.default('sqlserver'), serverName: ServerName, credentialName: Name }).superRefine(refineServerName),
    z.strictObject({
      type: z.literal('elasticPool'),
      engine: z.literal('sqlserver').default('sqlserver'),
      serverName: ServerName,
      elasticPoolName: DatabaseName,
      credentialName: Name,
    }).superRefine(refineServerName),
    z.strictObject({
      type: z.literal('shardMap'),
      engine: Engine.default('sqlserver'),
      serverName: ServerName,
      databaseName: DatabaseName,
      shardMapName: z.string().min(1).max(128),
      credentialName: Name,
    }).superRefine(refineServerName),
    z.strictObject({ type: z.literal('customCollection'), name: Name }),
  ])
  .meta({ id: 'CreateTarget' });
export type CreateTarget = z.infer<typeof CreateTarget>;

export const Target = z
  .object({
    id: Id,
    type: TargetType,
    engine: Engine.optional(),
    serverName: z.string().optional(),
    databaseName: z.string().optional(),
    elasticPoolName: z.string().optional(),
    shardMapName: z.string().optional(),
    credentialName: z.string().optional(),
    name: z.string().optional(),
    createdAt: Timestamp,
  })
  .meta({ id: 'Target' });
export type Target = z.infer<typeof Target>;

export const TargetListQuery = z.strictObject({
  type: TargetType.optional(),
  name: z.string().max(128).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(512).optional(),
});

export const Membership = z.enum(['include', 'exclude']);
export type Membership = z.infer<typeof Membership>;

export const AddMember = z.strictObject({ targetId: Id, membership: Membership.default('include') }).meta({ id: 'AddMember' });
export type AddMember = z.infer<typeof AddMember>;

export const Member = z.object({ target: Target, membership: Membership }).meta({ id: 'Member' });
export type Member = z.infer<typeof Member>;

/** One database a target expands to: what a child execution runs against. */
export const TargetDatabase = z
  .object({ engine: Engine, serverName: z.string(), databaseName: z.string() })
  .meta({ id: 'TargetDatabase' });
export type TargetDatabase = z.infer<typeof TargetDatabase>;
