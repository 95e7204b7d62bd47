/**
 * Job triggers: a job on a schedule. Read together with the schedule's timing, the job's mark and
 * overlap policy, and the trigger's latest claimed fire time, which is everything the scheduler
 * and the trigger listing need to compute fire times.
 */
import { NotFoundError } from '../../domain/errors';
import type { ScheduleTiming } from '../../domain/scheduleMath';
import type { Page } from '../../domain/schemas/common';
import type { Job } from '../../domain/schemas/job';
import type { ControlDatabase } from '../connection';
import { decodeCursor, toPage } from '../pagination';
import { firstRows } from '../firstRows';
import { withControlRetry } from '../sqlErrors';
import { toTiming } from './scheduleStore';

export interface TriggerState {
  jobName: string;
  scheduleName: string;
  createdAt: string;
  schedule: ScheduleTiming;
  overlap: Job['overlap'];
  jobMarkedForDeletion: boolean;
  /** The scheduler fires no trigger of a disabled job. */
  jobEnabled: boolean;
  /** When the job was last enabled again (null: since creation): no fire time before it runs. */
  jobEnabledAt: string | null;
  /** The latest fire time claimed for this trigger, or null before its first fire. */
  lastFireTime: string | null;
}

export interface TriggerFilter {
  jobName?: string;
  scheduleName?: string;
  limit: number;
  cursor?: string;
}

export function triggerStore({ db, dialect }: ControlDatabase) {
  const withState = () =>
    db
      .selectFrom('triggers as t')
      .innerJoin('jobs as j', 'j.name', 't.jobName')
      .innerJoin('schedules as s', 's.name', 't.scheduleName')
      .select((eb) => [
        't.jobName',
        't.scheduleName',
        't.createdAt',
        'j.overlap',
        'j.markedForDeletionAt',
        'j.enabled',
        'j.enabledAt',
        's.oneTime',
        's.intervalUnit',
        's.intervalCount',
        's.cron',
        's.timeZone',
        's.startTime',
        's.endTime',
        eb
          .selectFrom('triggerFires as f')
          .select((f) => f.fn.max('f.fireTime').as('m'))
          .whereRef('f.jobName', '=', 't.jobName')
          .whereRef('f.scheduleName', '=', 't.scheduleName')
          .as('lastFireTime'),
      ]);

  type Row = Awaited<ReturnType<ReturnType<typeof withState>['execute']>>[number];
  const toState = (r: Row): TriggerState => ({
    jobName: r.jobName,
    scheduleName: r.scheduleName,
    createdAt: r.createdAt,
    schedule: toTiming(r),
    overlap: r.overlap as Job['overlap'],
    jobMarkedForDeletion: r.markedForDeletionAt !== null,
    jobEnabled: Number(r.enabled) === 1,
    jobEnabledAt: r.enabledAt,
    lastFireTime: (r.lastFireTime as string | null) ?? null,
  });

  return {
    /** The caller checked that job and schedule exist and the job is not marked; a foreign key closes the race with a delete. */
    async create(jobName: string, scheduleName: string, now: string): Promise<void> {
      await withControlRetry(() => db.insertInto('triggers').values({ jobName, scheduleName, createdAt: now }).execute(), {
        conflictMessage: `Job '${jobName}' already has a trigger on schedule '${scheduleName}'.`,
      });
    },

    async get(jobName: string, scheduleName: string): Promise<TriggerState> {
      const row = await withControlRetry(() => withState().where('t.jobName', '=', jobName).where('t.scheduleName', '=', scheduleName).executeTakeFirst());
      if (!row) throw new NotFoundError('Trigger', `${jobName}/${scheduleName}`);
      return toState(row);
    },

    async list(filter: TriggerFilter): Promise<Page<TriggerState>> {
      const after = decodeCursor(filter.cursor, 2);
      const rows = await withControlRetry(() =>
        withState()
          .$if(filter.jobName !== undefined, (q) => q.where('t.jobName', '=', filter.jobName!))
          .$if(filter.scheduleName !== undefined, (q) => q.where('t.scheduleName', '=', filter.scheduleName!))
          .$if(after !== undefined, (q) =>
            q.where((eb) =>
              eb.or([
                eb('t.jobName', '>', String(after![0])),
                eb.and([eb('t.jobName', '=', String(after![0])), eb('t.scheduleName', '>', String(after![1]))]),
              ]),
            ),
          )
          .orderBy('t.jobName')
          .orderBy('t.scheduleName')
          .$call(firstRows(dialect, filter.limit + 1))
          .execute(),
      );
      return toPage(rows, filter.limit, (r) => [r.jobName, r.scheduleName], toState);
    },

    /** Every trigger whose job can still run: the scheduler tick's work list (disabled jobs too, flagged: their queued fires are settled). */
    async listLive(): Promise<TriggerState[]> {
      const rows = await withControlRetry(() => withState().where('j.markedForDeletionAt', 'is', null).orderBy('t.jobName').orderBy('t.scheduleName').execute());
      return rows.map(toState);
    },

    async remove(jobName: string, scheduleName: string): Promise<void> {
      const result = await withControlRetry(() => db.deleteFrom('triggers').where('jobName', '=', jobName).where('scheduleName', '=', scheduleName).executeTakeFirst());
      if (Number(result.numDeletedRows) === 0) throw new NotFoundError('Trigger', `${jobName}/${scheduleName}`);
    },
  };
}

export type TriggerStore = ReturnType<typeof triggerStore>;
