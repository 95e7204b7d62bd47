/** Schedules: when triggers fire. The timing rules live in src/domain/scheduleMath.ts; this store only keeps them. */
import { ConflictError, NotFoundError } from '../../domain/errors';
import type { ScheduleTiming } from '../../domain/scheduleMath';
import type { ListQuery, Page } from '../../domain/schemas/common';
import type { IntervalUnit, Schedule } from '../../domain/schemas/schedule';
import type { ControlDatabase } from '../connection';
import { decodeCursor, toPage } from '../pagination';
import type { ScheduleTable } from '../schema';
import { firstRows } from '../firstRows';
import { withControlRetry } from '../sqlErrors';

export function timingColumns(t: ScheduleTiming) {
  return {
    oneTime: t.oneTime ? 1 : 0,
    intervalUnit: t.interval?.unit ?? null,
    intervalCount: t.interval?.count ?? null,
    cron: t.cron,
    timeZone: t.timeZone,
    startTime: t.startTime,
    endTime: t.endTime,
  };
}

type TimingColumns = Pick<ScheduleTable, 'oneTime' | 'intervalUnit' | 'intervalCount' | 'cron' | 'timeZone' | 'startTime' | 'endTime'>;

/** Timing from schedule columns (also read by the trigger store's joins). */
export function toTiming(row: TimingColumns): ScheduleTiming {
  return {
    oneTime: Number(row.oneTime) === 1,
    interval: row.intervalUnit === null ? null : { unit: row.intervalUnit as IntervalUnit, count: Number(row.intervalCount) },
    cron: row.cron,
    timeZone: row.timeZone,
    startTime: row.startTime,
    endTime: row.endTime,
  };
}

function toSchedule(row: ScheduleTable): Schedule {
  return { name: row.name, ...toTiming(row), createdAt: row.createdAt, updatedAt: row.updatedAt };
}

export function scheduleStore({ db, dialect }: ControlDatabase) {
  const find = (name: string) => db.selectFrom('schedules').selectAll().where('name', '=', name).executeTakeFirst();

  return {
    async create(name: string, timing: ScheduleTiming, now: string): Promise<Schedule> {
      const row: ScheduleTable = { name, ...timingColumns(timing), createdAt: now, updatedAt: now };
      await withControlRetry(() => db.insertInto('schedules').values(row).execute(), { conflictMessage: `Schedule '${name}' already exists.` });
      return toSchedule(row);
    },

    async get(name: string): Promise<Schedule> {
      const row = await withControlRetry(() => find(name));
      if (!row) throw new NotFoundError('Schedule', name);
      return toSchedule(row);
    },

    async exists(name: string): Promise<boolean> {
      const row = await withControlRetry(() => db.selectFrom('schedules').select('name').where('name', '=', name).executeTakeFirst());
      return row !== undefined;
    },

    async list(query: ListQuery): Promise<Page<Schedule>> {
      const after = decodeCursor(query.cursor, 1);
      const rows = await withControlRetry(() =>
        db
          .selectFrom('schedules')
          .selectAll()
          .$if(after !== undefined, (q) => q.where('name', '>', String(after![0])))
          .orderBy('name')
          .$call(firstRows(dialect, query.limit + 1))
          .execute(),
      );
      return toPage(rows, query.limit, (r) => [r.name], toSchedule);
    },

    /** Writes the whole timing (the caller merged and checked it). */
    async replaceTiming(name: string, timing: ScheduleTiming, now: string): Promise<Schedule> {
      const result = await withControlRetry(() =>
        db
          .updateTable('schedules')
          .set({ ...timingColumns(timing), updatedAt: now })
          .where('name', '=', name)
          .executeTakeFirst(),
      );
      if (Number(result.numUpdatedRows) === 0) throw new NotFoundError('Schedule', name);
      return this.get(name);
    },

    /** 409 while a trigger uses the schedule (checked first for a clear message; the foreign key closes the race). */
    async remove(name: string): Promise<void> {
      const inUse = await withControlRetry(() =>
        db.selectFrom('triggers').select(['jobName']).where('scheduleName', '=', name).orderBy('jobName').$call(firstRows(dialect, 3)).execute(),
      );
      const conflict = (jobs: string[]) =>
        new ConflictError(`Schedule '${name}' is used by the trigger${jobs.length > 1 ? 's' : ''} of job ${jobs.map((j) => `'${j}'`).join(', ')}; delete ${jobs.length > 1 ? 'them' : 'it'} first.`);
      if (inUse.length) throw conflict(inUse.map((r) => r.jobName));
      const result = await withControlRetry(() => db.deleteFrom('schedules').where('name', '=', name).executeTakeFirst(), {
        conflictMessage: `Schedule '${name}' is used by a trigger; delete the trigger first.`,
      });
      if (Number(result.numDeletedRows) === 0) throw new NotFoundError('Schedule', name);
    },
  };
}

export type ScheduleStore = ReturnType<typeof scheduleStore>;
