import crypto from 'node:crypto';
import { z } from 'zod';
import { isoTimestamp } from '../../domain/clock';
import { scopeViolation } from '../../domain/credentialScope';
import { ForbiddenError, NotFoundError, ValidationError } from '../../domain/errors';
import { targetIdentityKey } from '../../domain/targetIdentity';
import { Id } from '../../domain/schemas/common';
import { AddMember, CreateTarget, Member, Target, TargetListQuery, listOf } from '../../domain/schemas';
import { credentialStore } from '../../control/stores/credentialStore';
import { targetStore } from '../../control/stores/targetStore';
import type { Services } from '../../services';
import { defineRoute } from '../route';
import { checkSqliteLocation } from '../sqliteLocationCheck';
import { IdParams } from './params';

const tag = 'Targets';

const MemberParams = z.object({ id: Id, memberTargetId: Id });

async function checkNewTarget(services: Services, body: CreateTarget): Promise<void> {
  if (body.type === 'customCollection') return;
  if (body.engine === 'sqlite') checkSqliteLocation(services, 'body', body.serverName, 'databaseName' in body ? body.databaseName : undefined);
  if (body.type === 'database') return;
  // The target's own credential is what enumerates its databases: it is sent to this server.
  const credential = await credentialStore(services.control)
    .get(body.credentialName)
    .catch((e: unknown) => {
      throw e instanceof NotFoundError ? new NotFoundError('Credential', body.credentialName, [{ path: 'body.credentialName', message: 'does not exist' }]) : e;
    });
  const refused = scopeViolation(credential.name, credential.allowedServers, [{ engine: body.engine, serverName: body.serverName, targetId: 'being created' }]);
  if (refused) throw new ForbiddenError(refused);
}

async function collectionOf(services: Services, id: string): Promise<Target> {
  const target = await targetStore(services.control).get(id);
  if (target.type !== 'customCollection') {
    throw new ValidationError(`Target ${target.id} is a ${target.type} target; only custom collections have members.`, [
      { path: 'params.id', message: 'is not a custom collection' },
    ]);
  }
  return target;
}

export const createTarget = defineRoute({
  name: 'createTarget',
  method: 'POST',
  path: 'targets',
  summary: 'Register a target: a database, a server, an elastic pool, a shard map or a custom collection (409 with the id if it exists)',
  tag,
  access: 'operate',
  body: CreateTarget,
  success: { status: 201, schema: Target },
  async handle({ body, services }) {
    await checkNewTarget(services, body);
    const { type: _type, ...fields } = body;
    const target = await targetStore(services.control).create({
      ...fields,
      id: crypto.randomUUID(),
      type: body.type,
      identityKey: targetIdentityKey(body),
      now: isoTimestamp(services.clock.now()),
    });
    return { status: 201, body: target, headers: { location: `/api/targets/${target.id}` } };
  },
});

export const listTargets = defineRoute({
  name: 'listTargets',
  method: 'GET',
  path: 'targets',
  summary: 'List targets, optionally of one type (?type=) or with one name (?name=: collection, database, server, pool or shard map name)',
  tag,
  access: 'read',
  query: TargetListQuery,
  success: { status: 200, schema: listOf(Target) },
  async handle({ query, services }) {
    return { status: 200, body: await targetStore(services.control).list(query) };
  },
});

export const getTarget = defineRoute({
  name: 'getTarget',
  method: 'GET',
  path: 'targets/{id}',
  summary: 'Get a target',
  tag,
  access: 'read',
  params: IdParams,
  success: { status: 200, schema: Target },
  async handle({ params, services }) {
    return { status: 200, body: await targetStore(services.control).get(params.id) };
  },
});

export const deleteTarget = defineRoute({
  name: 'deleteTarget',
  method: 'DELETE',
  path: 'targets/{id}',
  summary: 'Delete a target (409 while a job or a collection uses it)',
  tag,
  access: 'operate',
  params: IdParams,
  success: { status: 204 },
  async handle({ params, services }) {
    await targetStore(services.control).remove(params.id);
    return { status: 204 };
  },
});

export const listTargetMembers = defineRoute({
  name: 'listTargetMembers',
  method: 'GET',
  path: 'targets/{id}/members',
  summary: 'List the members of a custom collection, each included or excluded',
  tag,
  access: 'read',
  params: IdParams,
  success: { status: 200, schema: z.object({ items: z.array(Member) }) },
  async handle({ params, services }) {
    const collection = await collectionOf(services, params.id);
    return { status: 200, body: { items: await targetStore(services.control).members(collection.id) } };
  },
});

export const addTargetMember = defineRoute({
  name: 'addTargetMember',
  method: 'POST',
  path: 'targets/{id}/members',
  summary: 'Add a target to a custom collection, included (default) or excluded',
  tag,
  access: 'operate',
  params: IdParams,
  body: AddMember,
  success: { status: 201, schema: Member },
  async handle({ params, body, services }) {
    const store = targetStore(services.control);
    const collection = await collectionOf(services, params.id);
    const member = await store.get(body.targetId).catch((e: unknown) => {
      throw e instanceof NotFoundError ? new NotFoundError('Target', body.targetId, [{ path: 'body.targetId', message: 'does not exist' }]) : e;
    });
    // A collection inside itself would make its expansion endless.
    if (member.id === collection.id || (await store.descendantIds(member.id)).has(collection.id)) {
      throw new ValidationError(`Target ${member.id} contains collection ${collection.id} (or is it): a collection cannot contain itself.`, [
        { path: 'body.targetId', message: 'would make the collection contain itself' },
      ]);
    }
    const added = await store.addMember(collection.id, member.id, body.membership, isoTimestamp(services.clock.now()));
    return { status: 201, body: added, headers: { location: `/api/targets/${collection.id}/members/${member.id}` } };
  },
});

export const removeTargetMember = defineRoute({
  name: 'removeTargetMember',
  method: 'DELETE',
  path: 'targets/{id}/members/{memberTargetId}',
  summary: 'Remove a target from a custom collection',
  tag,
  access: 'operate',
  params: MemberParams,
  success: { status: 204 },
  async handle({ params, services }) {
    const collection = await collectionOf(services, params.id);
    await targetStore(services.control).removeMember(collection.id, params.memberTargetId);
    return { status: 204 };
  },
});

export const targetRoutes = [createTarget, listTargets, getTarget, deleteTarget, listTargetMembers, addTargetMember, removeTargetMember];
