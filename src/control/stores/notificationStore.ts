/**
 * The notification outbox (migration 0010): one row per ended parent execution and channel
 * (`webhook`, or `telemetry` in Azure). Written when the parent ends; a sender claims due rows
 * and records each attempt's outcome on them.
 *
 * status: `pending` (an attempt is due at `nextAttemptAt`), `delivered`, `failed` (given up at
 * `giveUpAt`). A sender owns a row while `claimedUntil` is in the future and only with its
 * `claimToken`: a claim is a conditional update, so two senders (scaled-out Azure instances, a
 * local loop and a test) never send one row at the same time, and a sender that died leaves the
 * row to the next once its lease runs out (at least once, never lost).
 */
import { ConflictError } from '../../domain/errors';
import type { ControlDatabase } from '../connection';
import { firstRows } from '../firstRows';
import type { ExecutionNotificationTable } from '../schema';
import { withControlRetry } from '../sqlErrors';

export type NotificationChannel = 'webhook' | 'telemetry';
export type NotificationStatus = 'pending' | 'delivered' | 'failed';

export interface NotificationKey {
  executionId: string;
  channel: NotificationChannel;
}

export interface NotificationRecord extends NotificationKey {
  jobName: string;
  url: string | null;
  body: string;
  status: NotificationStatus;
  attempts: number;
  nextAttemptAt: string;
  giveUpAt: string;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

export interface NewNotification extends NotificationKey {
  jobName: string;
  url: string | null;
  body: string;
  giveUpAt: string;
}

/** What GET /executions/{id} shows of an execution's webhook. */
export interface NotificationState {
  status: NotificationStatus;
  attempts: number;
  lastError: string | null;
}

/** An ended parent of a job with a webhook that has no webhook row yet: what the sweep queues. */
export interface UnqueuedEnding {
  executionId: string;
  jobName: string;
}

/** Keys per delete statement: two parameters each, far under SQL Server's 2100. */
const KEY_BATCH = 500;

const key = (id: string) => id.toLowerCase();

function toRecord(row: ExecutionNotificationTable): NotificationRecord {
  return {
    executionId: key(row.executionId),
    channel: row.channel as NotificationChannel,
    jobName: row.jobName,
    url: row.url,
    body: row.body,
    status: row.status as NotificationStatus,
    attempts: Number(row.attempts),
    nextAttemptAt: row.nextAttemptAt,
    giveUpAt: row.giveUpAt,
    lastError: row.lastError,
    createdAt: row.createdAt,
    deliveredAt: row.deliveredAt,
  };
}

export function notificationStore({ db, dialect }: ControlDatabase) {
  const owned = (k: NotificationKey, token: string) =>
    db.updateTable('executionNotifications').where('executionId', '=', key(k.executionId)).where('channel', '=', k.channel).where('claimToken', '=', token);

  return {
    /**
     * Queues a notification, due at once. False when the execution already has one on this
     * channel: an ended execution is queued once however often its end is reported.
     */
    async queue(n: NewNotification, now: string): Promise<boolean> {
      const row: ExecutionNotificationTable = {
        executionId: key(n.executionId),
        channel: n.channel,
        jobName: n.jobName,
        url: n.url,
        body: n.body,
        status: 'pending',
        attempts: 0,
        nextAttemptAt: now,
        giveUpAt: n.giveUpAt,
        claimedUntil: null,
        claimToken: null,
        lastError: null,
        createdAt: now,
        updatedAt: now,
        deliveredAt: null,
      };
      try {
        await withControlRetry(() => db.insertInto('executionNotifications').values(row).execute());
        return true;
      } catch (e) {
        if (e instanceof ConflictError) return false;
        throw e;
      }
    },

    /** Pending rows due at `now` that no sender holds, earliest first. */
    async due(now: string, limit: number): Promise<NotificationRecord[]> {
      const rows = await withControlRetry(() =>
        db
          .selectFrom('executionNotifications')
          .selectAll()
          .where('status', '=', 'pending')
          .where('nextAttemptAt', '<=', now)
          .where((eb) => eb.or([eb('claimedUntil', 'is', null), eb('claimedUntil', '<', now)]))
          .orderBy('nextAttemptAt')
          .$call(firstRows(dialect, limit))
          .execute(),
      );
      return rows.map(toRecord);
    },

    /** Takes the row until `leaseUntil` under `token`; false when another sender took it first or it is no longer due. */
    async claim(k: NotificationKey, token: string, now: string, leaseUntil: string): Promise<boolean> {
      const result = await withControlRetry(() =>
        db
          .updateTable('executionNotifications')
          .set({ claimedUntil: leaseUntil, claimToken: token, updatedAt: now })
          .where('executionId', '=', key(k.executionId))
          .where('channel', '=', k.channel)
          .where('status', '=', 'pending')
          .where('nextAttemptAt', '<=', now)
          .where((eb) => eb.or([eb('claimedUntil', 'is', null), eb('claimedUntil', '<', now)]))
          .executeTakeFirst(),
      );
      return Number(result.numUpdatedRows) === 1;
    },

    /** Records a delivery by the holder of the claim; false when the claim was lost meanwhile. */
    async delivered(k: NotificationKey, token: string, attempts: number, now: string): Promise<boolean> {
      const result = await withControlRetry(() =>
        owned(k, token).set({ status: 'delivered', attempts, deliveredAt: now, claimedUntil: null, claimToken: null, updatedAt: now }).executeTakeFirst(),
      );
      return Number(result.numUpdatedRows) === 1;
    },

    /** Records a failed attempt: due again at `nextAttemptAt`, or given up (`failed`) when that is null. */
    async attemptFailed(k: NotificationKey, token: string, attempts: number, lastError: string, nextAttemptAt: string | null, now: string): Promise<boolean> {
      const result = await withControlRetry(() =>
        owned(k, token)
          .set({
            status: nextAttemptAt === null ? 'failed' : 'pending',
            attempts,
            lastError: lastError.slice(0, 1000),
            ...(nextAttemptAt === null ? {} : { nextAttemptAt }),
            claimedUntil: null,
            claimToken: null,
            updatedAt: now,
          })
          .executeTakeFirst(),
      );
      return Number(result.numUpdatedRows) === 1;
    },

    async get(k: NotificationKey): Promise<NotificationRecord | undefined> {
      const row = await withControlRetry(() =>
        db.selectFrom('executionNotifications').selectAll().where('executionId', '=', key(k.executionId)).where('channel', '=', k.channel).executeTakeFirst(),
      );
      return row && toRecord(row);
    },

    /** The webhook state of an execution, or undefined when none was queued for it. */
    async webhookState(executionId: string): Promise<NotificationState | undefined> {
      const row = await withControlRetry(() =>
        db
          .selectFrom('executionNotifications')
          .select(['status', 'attempts', 'lastError'])
          .where('executionId', '=', key(executionId))
          .where('channel', '=', 'webhook')
          .executeTakeFirst(),
      );
      return row && { status: row.status as NotificationStatus, attempts: Number(row.attempts), lastError: row.lastError };
    },

    /**
     * Parents of jobs with a webhook that ended in one of `lifecycles` at or after `endedSince`
     * and have no webhook row: ends the engine reported while this process could not queue them
     * (it stopped between marking the parent and queueing). Oldest first, at most `limit`.
     */
    async unqueuedEndings(jobName: string, lifecycles: string[], endedSince: string, limit: number): Promise<UnqueuedEnding[]> {
      if (!lifecycles.length) return [];
      const rows = await withControlRetry(() =>
        db
          .selectFrom('jobExecutions as e')
          .select(['e.id', 'e.jobName'])
          .where('e.jobName', '=', jobName)
          .where('e.parentId', 'is', null)
          .where('e.lifecycle', 'in', lifecycles)
          .where('e.endTime', '>=', endedSince)
          .where(({ not, exists, selectFrom }) =>
            not(exists(selectFrom('executionNotifications as n').select('n.executionId').whereRef('n.executionId', '=', 'e.id').where('n.channel', '=', 'webhook'))),
          )
          .orderBy('e.endTime')
          .$call(firstRows(dialect, limit))
          .execute(),
      );
      return rows.map((r) => ({ executionId: key(r.id), jobName: r.jobName }));
    },

    /** Jobs with a webhook (not marked for deletion), and since when they have had it: the sweep's work list. */
    async jobsWithWebhook(): Promise<{ jobName: string; on: string[]; since: string }[]> {
      const rows = await withControlRetry(() =>
        db.selectFrom('jobs').select(['name', 'notifyOn', 'notifySince', 'createdAt']).where('notifyUrl', 'is not', null).where('markedForDeletionAt', 'is', null).orderBy('name').execute(),
      );
      return rows.map((r) => ({ jobName: r.name, on: JSON.parse(r.notifyOn ?? '[]') as string[], since: r.notifySince ?? r.createdAt }));
    },

    /** Removes up to one batch of rows created before `cutoff` (history retention); returns how many. */
    async purgeBatchOlderThan(cutoff: string): Promise<number> {
      const keys = await withControlRetry(() =>
        db.selectFrom('executionNotifications').select(['executionId', 'channel']).where('createdAt', '<', cutoff).orderBy('createdAt').$call(firstRows(dialect, KEY_BATCH)).execute(),
      );
      if (!keys.length) return 0;
      const result = await withControlRetry(() =>
        db
          .deleteFrom('executionNotifications')
          .where((eb) => eb.or(keys.map((k) => eb.and([eb('executionId', '=', k.executionId), eb('channel', '=', k.channel)]))))
          .executeTakeFirst(),
      );
      return Number(result.numDeletedRows);
    },
  };
}

export type NotificationStore = ReturnType<typeof notificationStore>;
