/**
 * Targets and the membership of custom collections. A target's `identityKey` (see
 * src/domain/targetIdentity.ts) is unique: the same database, server, pool, shard map or
 * collection cannot be registered twice.
 */
import { ConflictError, NotFoundError } from '../../domain/errors';
import type { Page } from '../../domain/schemas/common';
import type { Member, Membership, Target, TargetType } from '../../domain/schemas/target';
import { chunks, IN_LIST_CHUNK } from '../chunks';
import type { ControlDatabase } from '../connection';
import { firstRows } from '../firstRows';
import { decodeCursor, toPage } from '../pagination';
import type { TargetTable } from '../schema';
import { withControlRetry } from '../sqlErrors';
import { stepsUsing } from './jobStepStore';

export interface NewTargetRow {
  id: string;
  type: TargetType;
  engine?: Target['engine'];
  serverName?: string;
  databaseName?: string;
  elasticPoolName?: string;
  shardMapName?: string;
  credentialName?: string;
  name?: string;
  identityKey: string;
  now: string;
}

export interface TargetListFilter {
  type?: TargetType;
  /** Matches a collection's name, or a database, server, pool or shard map name, exactly. */
  name?: string;
  limit: number;
  cursor?: string;
}

export function toTarget(row: TargetTable): Target {
  const target: Target = { id: row.id.toLowerCase(), type: row.type as TargetType, createdAt: row.createdAt };
  if (row.engine !== null) target.engine = row.engine as Target['engine'];
  if (row.serverName !== null) target.serverName = row.serverName;
  if (row.databaseName !== null) target.databaseName = row.databaseName;
  if (row.elasticPoolName !== null) target.elasticPoolName = row.elasticPoolName;
  if (row.shardMapName !== null) target.shardMapName = row.shardMapName;
  if (row.credentialName !== null) target.credentialName = row.credentialName;
  if (row.name !== null) target.name = row.name;
  return target;
}

export function targetStore({ db, dialect }: ControlDatabase) {
  const findByIdentity = (identityKey: string) => db.selectFrom('targets').selectAll().where('identityKey', '=', identityKey).executeTakeFirst();
  const duplicate = (id: string) => new ConflictError(`The same target already exists with id ${id}.`);

  return {
    /** 409 naming the existing target's id when the same target is already registered. */
    async create(t: NewTargetRow): Promise<Target> {
      const existing = await withControlRetry(() => findByIdentity(t.identityKey));
      if (existing) throw duplicate(existing.id.toLowerCase());
      const row: TargetTable = {
        id: t.id,
        type: t.type,
        engine: t.engine ?? null,
        serverName: t.serverName ?? null,
        databaseName: t.databaseName ?? null,
        elasticPoolName: t.elasticPoolName ?? null,
        shardMapName: t.shardMapName ?? null,
        credentialName: t.credentialName ?? null,
        name: t.name ?? null,
        identityKey: t.identityKey,
        createdAt: t.now,
      };
      try {
        await withControlRetry(() => db.insertInto('targets').values(row).execute());
      } catch (error) {
        // Lost a race with an identical create: report the winner's id, as above.
        const winner = error instanceof ConflictError ? await withControlRetry(() => findByIdentity(t.identityKey)) : undefined;
        if (winner) throw duplicate(winner.id.toLowerCase());
        throw error;
      }
      return toTarget(row);
    },

    async get(id: string): Promise<Target> {
      const row = await withControlRetry(() => db.selectFrom('targets').selectAll().where('id', '=', id.toLowerCase()).executeTakeFirst());
      if (!row) throw new NotFoundError('Target', id);
      return toTarget(row);
    },

    /** Targets by creation time (then id), optionally of one type or with one name. */
    async list(filter: TargetListFilter): Promise<Page<Target>> {
      const after = decodeCursor(filter.cursor, 2);
      const rows = await withControlRetry(() =>
        db
          .selectFrom('targets')
          .selectAll()
          .$if(filter.type !== undefined, (q) => q.where('type', '=', filter.type!))
          .$if(filter.name !== undefined, (q) =>
            q.where((eb) =>
              eb.or(
                (['name', 'databaseName', 'serverName', 'elasticPoolName', 'shardMapName'] as const).map((column) => eb(column, '=', filter.name!)),
              ),
            ),
          )
          .$if(after !== undefined, (q) =>
            q.where((eb) =>
              eb.or([eb('createdAt', '>', String(after![0])), eb.and([eb('createdAt', '=', String(after![0])), eb('id', '>', String(after![1]))])]),
            ),
          )
          .orderBy('createdAt')
          .orderBy('id')
          .$call(firstRows(dialect, filter.limit + 1))
          .execute(),
      );
      return toPage(rows, filter.limit, (r) => [r.createdAt, r.id], toTarget);
    },

    /** 409 while a job or a collection uses the target; a collection's own membership list goes with it. */
    async remove(id: string): Promise<void> {
      const key = id.toLowerCase();
      await withControlRetry(
        () =>
          db.transaction().execute(async (trx) => {
            const exists = await trx.selectFrom('targets').select('id').where('id', '=', key).executeTakeFirst();
            if (!exists) throw new NotFoundError('Target', id);
            const steps = await stepsUsing(trx, dialect, 'targetId', key, 5);
            if (steps.length) {
              throw new ConflictError(`Target ${key} is used by job ${steps.map((s) => `'${s.jobName}' (step '${s.stepName}')`).join(', ')}; change or delete the job first.`);
            }
            const collections = await trx.selectFrom('targetMembers').select('collectionId').where('memberId', '=', key).orderBy('collectionId').$call(firstRows(dialect, 5)).execute();
            if (collections.length) {
              throw new ConflictError(`Target ${key} is a member of collection ${collections.map((c) => c.collectionId.toLowerCase()).join(', ')}; remove it from the collection first.`);
            }
            await trx.deleteFrom('targetMembers').where('collectionId', '=', key).execute();
            await trx.deleteFrom('targets').where('id', '=', key).execute();
          }),
        { conflictMessage: `Target ${key} is used by a job or a collection.` },
      );
    },

    /** The direct members of a collection, with their membership, in the order they were added. */
    async members(collectionId: string): Promise<Member[]> {
      const rows = await withControlRetry(() =>
        db
          .selectFrom('targetMembers as m')
          .innerJoin('targets as t', 't.id', 'm.memberId')
          .selectAll('t')
          .select(['m.membership', 'm.createdAt as memberSince'])
          .where('m.collectionId', '=', collectionId.toLowerCase())
          .orderBy('m.createdAt')
          .orderBy('t.id')
          .execute(),
      );
      return rows.map(({ membership, memberSince: _since, ...target }) => ({ target: toTarget(target), membership: membership as Membership }));
    },

    /** Every target reachable from `id` through membership (either kind), `id` excluded unless a cycle leads back to it. */
    async descendantIds(id: string): Promise<Set<string>> {
      const seen = new Set<string>();
      let frontier = [id.toLowerCase()];
      while (frontier.length) {
        const next: string[] = [];
        for (const part of chunks(frontier, IN_LIST_CHUNK)) {
          const rows = await withControlRetry(() => db.selectFrom('targetMembers').select('memberId').where('collectionId', 'in', part).execute());
          for (const { memberId } of rows) {
            const m = memberId.toLowerCase();
            if (!seen.has(m)) {
              seen.add(m);
              next.push(m);
            }
          }
        }
        frontier = next;
      }
      return seen;
    },

    /** 409 when the target is already a member of the collection. */
    async addMember(collectionId: string, memberId: string, membership: Membership, now: string): Promise<Member> {
      const row = { collectionId: collectionId.toLowerCase(), memberId: memberId.toLowerCase(), membership, createdAt: now };
      await withControlRetry(() => db.insertInto('targetMembers').values(row).execute(), {
        conflictMessage: `Target ${row.memberId} is already a member of collection ${row.collectionId}.`,
      });
      return { target: await this.get(row.memberId), membership };
    },

    async removeMember(collectionId: string, memberId: string): Promise<void> {
      const result = await withControlRetry(() =>
        db.deleteFrom('targetMembers').where('collectionId', '=', collectionId.toLowerCase()).where('memberId', '=', memberId.toLowerCase()).executeTakeFirst(),
      );
      if (Number(result.numDeletedRows) === 0) throw new NotFoundError('Member', `${memberId} of collection ${collectionId}`);
    },
  };
}

export type TargetStore = ReturnType<typeof targetStore>;
