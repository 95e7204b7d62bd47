/**
 * Trigger fires: one row per (job, schedule, fire time) the scheduler claimed. The primary key is
 * the whole guarantee that a fire time starts once: a tick inserts the row BEFORE it starts
 * anything, and a tick whose insert hits the key lost the race and does nothing (pg-boss'
 * singleton key, as a row).
 *
 * status: `claimed` (a tick is starting it; still `claimed` long after means that tick died),
 * `queued` (the overlap policy put it behind an active execution), `started`, `skipped`,
 * `failed` (could not start; `message` says why). `createdAt` is when the current claim was
 * taken: re-taking a queued or stranded fire renews it.
 */
import type { ControlDatabase } from '../connection';
import type { TriggerFireTable } from '../schema';
import { firstRows } from '../firstRows';
import { withControlRetry } from '../sqlErrors';
import { ConflictError } from '../../domain/errors';

export type FireStatus = 'claimed' | 'queued' | 'started' | 'skipped' | 'failed';

export interface FireKey {
  jobName: string;
  scheduleName: string;
  fireTime: string;
}

export interface FireRecord extends FireKey {
  status: FireStatus;
  executionId: string | null;
  message: string | null;
  createdAt: string;
}

/** Keys per delete statement: three parameters each, far under SQL Server's 2100. */
const KEY_BATCH = 500;

function toRecord(row: TriggerFireTable): FireRecord {
  return {
    jobName: row.jobName,
    scheduleName: row.scheduleName,
    fireTime: row.fireTime,
    status: row.status as FireStatus,
    executionId: row.executionId === null ? null : row.executionId.toLowerCase(),
    message: row.message,
    createdAt: row.createdAt,
  };
}

export function triggerFireStore({ db, dialect }: ControlDatabase) {
  const byKey = (k: FireKey) => db.updateTable('triggerFires').where('jobName', '=', k.jobName).where('scheduleName', '=', k.scheduleName).where('fireTime', '=', k.fireTime);

  async function deleteKeys(keys: FireKey[]): Promise<number> {
    if (!keys.length) return 0;
    const result = await withControlRetry(() =>
      db
        .deleteFrom('triggerFires')
        .where((eb) => eb.or(keys.map((k) => eb.and([eb('jobName', '=', k.jobName), eb('scheduleName', '=', k.scheduleName), eb('fireTime', '=', k.fireTime)]))))
        .executeTakeFirst(),
    );
    return Number(result.numDeletedRows);
  }

  return {
    /** Inserts the claim; false when another tick claimed this fire time first. */
    async claim(key: FireKey, now: string, status: 'claimed' | 'queued' = 'claimed', message: string | null = null): Promise<boolean> {
      try {
        await withControlRetry(() => db.insertInto('triggerFires').values({ ...key, executionId: null, status, message, createdAt: now }).execute());
        return true;
      } catch (e) {
        if (e instanceof ConflictError) return false;
        throw e;
      }
    },

    /**
     * Takes a queued or stranded claim for this tick: a conditional update, so of two ticks that
     * both saw the row, one wins.
     */
    async retake(fire: FireRecord, now: string): Promise<boolean> {
      const result = await withControlRetry(() =>
        byKey(fire).set({ status: 'claimed', createdAt: now }).where('status', '=', fire.status).where('createdAt', '=', fire.createdAt).executeTakeFirst(),
      );
      return Number(result.numUpdatedRows) === 1;
    },

    /** Records what became of a claim. */
    async settle(key: FireKey, outcome: { status: Exclude<FireStatus, 'claimed'>; executionId?: string | null; message?: string | null }): Promise<void> {
      await withControlRetry(() =>
        byKey(key)
          .set({ status: outcome.status, executionId: outcome.executionId?.toLowerCase() ?? null, message: outcome.message ?? null })
          .execute(),
      );
    },

    async get(key: FireKey): Promise<FireRecord | undefined> {
      const row = await withControlRetry(() =>
        db
          .selectFrom('triggerFires')
          .selectAll()
          .where('jobName', '=', key.jobName)
          .where('scheduleName', '=', key.scheduleName)
          .where('fireTime', '=', key.fireTime)
          .executeTakeFirst(),
      );
      return row && toRecord(row);
    },

    /** Fires waiting to start: queued ones, and claims older than `strandedBefore` (their tick died), oldest fire first. */
    async pending(strandedBefore: string): Promise<FireRecord[]> {
      const rows = await withControlRetry(() =>
        db
          .selectFrom('triggerFires')
          .selectAll()
          .where((eb) => eb.or([eb('status', '=', 'queued'), eb.and([eb('status', '=', 'claimed'), eb('createdAt', '<', strandedBefore)])]))
          .orderBy('fireTime')
          .orderBy('jobName')
          .orderBy('scheduleName')
          .execute(),
      );
      return rows.map(toRecord);
    },

    /** Whether a fire of this job waits behind an active execution. */
    async hasQueued(jobName: string): Promise<boolean> {
      const row = await withControlRetry(() =>
        db.selectFrom('triggerFires').select('fireTime').where('status', '=', 'queued').where('jobName', '=', jobName).$call(firstRows(dialect, 1)).executeTakeFirst(),
      );
      return row !== undefined;
    },

    async listOfTrigger(jobName: string, scheduleName: string): Promise<FireRecord[]> {
      const rows = await withControlRetry(() =>
        db.selectFrom('triggerFires').selectAll().where('jobName', '=', jobName).where('scheduleName', '=', scheduleName).orderBy('fireTime').execute(),
      );
      return rows.map(toRecord);
    },

    /** Deletes up to `limit` fire rows of a job (housekeeping of a deleted job); 0 when none are left. */
    async removeBatchOfJob(jobName: string, limit = KEY_BATCH): Promise<number> {
      const keys = await withControlRetry(() =>
        db.selectFrom('triggerFires').select(['jobName', 'scheduleName', 'fireTime']).where('jobName', '=', jobName).orderBy('fireTime').$call(firstRows(dialect, Math.min(limit, KEY_BATCH))).execute(),
      );
      return deleteKeys(keys);
    },

    /**
     * Deletes up to `limit` settled fire rows older than `cutoff` (history retention), always
     * keeping each existing trigger's latest: the tick counts fire times after it, and without it
     * would fall back to the trigger's creation and run an old fire time again.
     */
    async purgeBatchOlderThan(cutoff: string, limit = KEY_BATCH): Promise<number> {
      const keys = await withControlRetry(() =>
        db
          .selectFrom('triggerFires as f')
          .select(['f.jobName', 'f.scheduleName', 'f.fireTime'])
          .where('f.fireTime', '<', cutoff)
          .where('f.status', 'in', ['started', 'skipped', 'failed'])
          .where((eb) =>
            eb.or([
              eb(
                'f.fireTime',
                '<',
                eb
                  .selectFrom('triggerFires as l')
                  .select((l) => l.fn.max('l.fireTime').as('m'))
                  .whereRef('l.jobName', '=', 'f.jobName')
                  .whereRef('l.scheduleName', '=', 'f.scheduleName'),
              ),
              // A trigger deleted since: a new one on the same pair counts from its own creation.
              eb.not(eb.exists(eb.selectFrom('triggers as t').select('t.jobName').whereRef('t.jobName', '=', 'f.jobName').whereRef('t.scheduleName', '=', 'f.scheduleName'))),
            ]),
          )
          .orderBy('f.fireTime')
          .$call(firstRows(dialect, Math.min(limit, KEY_BATCH)))
          .execute(),
      );
      return deleteKeys(keys);
    },
  };
}

export type TriggerFireStore = ReturnType<typeof triggerFireStore>;
