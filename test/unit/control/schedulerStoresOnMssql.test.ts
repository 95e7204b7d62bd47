/**
 * SQL Server cannot run here: the schedule, trigger, trigger fire and history stores run against
 * a Kysely whose driver answers nothing, and the T-SQL they would send is asserted.
 */
import { coldMssql } from '../../support/coldMssql';
import { encodeCursor } from '../../../src/control/pagination';
import { historyStore } from '../../../src/control/stores/historyStore';
import { scheduleStore } from '../../../src/control/stores/scheduleStore';
import { triggerFireStore } from '../../../src/control/stores/triggerFireStore';
import { triggerStore } from '../../../src/control/stores/triggerStore';


describe('scheduler stores on SQL Server (compiled, not run)', () => {
  it('takes first rows with TOP, never LIMIT', async () => {
    const { control, sql } = coldMssql();
    await scheduleStore(control).list({ limit: 10, cursor: encodeCursor(['a']) });
    await triggerStore(control).list({ jobName: 'j', limit: 10, cursor: encodeCursor(['j', 's']) });
    await triggerFireStore(control).hasQueued('j');
    await triggerFireStore(control).removeBatchOfJob('j');
    await triggerFireStore(control).purgeBatchOlderThan('2026-10-01T00:00:00.000Z');
    await historyStore(control).endedParentsBefore('2026-10-01T00:00:00.000Z', 500, 'j');
    await historyStore(control).parentsOfJob('j', 500);
    const selects = sql().filter((q) => q.startsWith('select'));
    expect(selects).toHaveLength(7);
    for (const q of selects) {
      expect(q).toMatch(/^select top\(\d+\) /);
      expect(q).not.toMatch(/\blimit\b/i);
    }
    expect(selects[0]).toBe('select top(11) * from "schedules" where "name" > @1 order by "name"');
  });

  it('reads each trigger with its latest claimed fire time in one statement', async () => {
    const { control, sql } = coldMssql();
    await triggerStore(control).listLive();
    expect(sql()[0]).toBe(
      'select "t"."job_name", "t"."schedule_name", "t"."created_at", "j"."overlap", "j"."marked_for_deletion_at", "j"."enabled", "j"."enabled_at", "s"."one_time", "s"."interval_unit", "s"."interval_count", "s"."cron", "s"."time_zone", "s"."start_time", "s"."end_time", (select max("f"."fire_time") as "m" from "trigger_fires" as "f" where "f"."job_name" = "t"."job_name" and "f"."schedule_name" = "t"."schedule_name") as "last_fire_time" from "triggers" as "t" inner join "jobs" as "j" on "j"."name" = "t"."job_name" inner join "schedules" as "s" on "s"."name" = "t"."schedule_name" where "j"."marked_for_deletion_at" is null order by "t"."job_name", "t"."schedule_name"',
    );
  });

  it('claims a fire time with a plain insert and re-takes a waiting one with a conditional update', async () => {
    const { control, sql } = coldMssql();
    const fires = triggerFireStore(control);
    const key = { jobName: 'j', scheduleName: 's', fireTime: '2026-11-25T20:00:00.000Z' };
    await fires.claim(key, '2026-11-25T20:00:01.000Z');
    await fires.retake({ ...key, status: 'queued', executionId: null, message: null, createdAt: '2026-11-25T20:00:01.000Z' }, '2026-11-25T20:05:00.000Z');
    expect(sql()).toEqual([
      'insert into "trigger_fires" ("job_name", "schedule_name", "fire_time", "execution_id", "status", "message", "created_at") values (@1, @2, @3, @4, @5, @6, @7)',
      'update "trigger_fires" set "status" = @1, "created_at" = @2 where "job_name" = @3 and "schedule_name" = @4 and "fire_time" = @5 and "status" = @6 and "created_at" = @7',
    ]);
  });

  it('removes history children and task executions before their parents, in id lists far under 2100 parameters', async () => {
    const { control, sql } = coldMssql();
    const parents = Array.from({ length: 500 }, (_, i) => `p${i}`);
    await historyStore(control).removeExecutions(parents);
    const statements = sql();
    expect(statements[0]).toMatch(/^select top\(500\) "id" from "job_executions" where "parent_id" in \(@1, .*@500\)$/);
    expect(statements.slice(-3)).toEqual([
      expect.stringMatching(/^delete from "task_executions" where "job_execution_id" in \(@1, .*@500\)$/),
      expect.stringMatching(/^delete from "job_execution_steps" where "execution_id" in \(@1, .*@500\)$/),
      expect.stringMatching(/^delete from "job_executions" where "id" in \(@1, .*@500\) and "parent_id" is null$/),
    ]);
    await expect(historyStore(control).removeExecutions([...parents, 'one-too-many'])).rejects.toThrow('At most 500');
  });
});
