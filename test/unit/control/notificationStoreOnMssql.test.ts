/**
 * SQL Server cannot run here: the notification outbox store runs against a Kysely whose driver
 * answers nothing, and the T-SQL it would send is asserted (TOP, never LIMIT; a claim that is
 * one conditional update).
 */
import { notificationStore } from '../../../src/control/stores/notificationStore';
import { coldMssql } from '../../support/coldMssql';

const NOW = '2026-11-25T20:00:00.000Z';

describe('notification store on SQL Server (compiled, not run)', () => {
  it('takes first rows with TOP, never LIMIT', async () => {
    const { control, sql } = coldMssql();
    const outbox = notificationStore(control);
    await outbox.due(NOW, 100);
    await outbox.unqueuedEndings('nightly', ['Failed', 'TimedOut'], NOW, 100);
    await outbox.purgeBatchOlderThan(NOW);
    const selects = sql().filter((q) => q.startsWith('select'));
    expect(selects).toHaveLength(3);
    for (const q of selects) {
      expect(q).toMatch(/^select top\(\d+\) /);
      expect(q).not.toMatch(/\blimit\b/i);
    }
    expect(selects[1]).toBe(
      'select top(100) "e"."id", "e"."job_name" from "job_executions" as "e" where "e"."job_name" = @1 and "e"."parent_id" is null and "e"."lifecycle" in (@2, @3) and "e"."end_time" >= @4 and not exists (select "n"."execution_id" from "execution_notifications" as "n" where "n"."execution_id" = "e"."id" and "n"."channel" = @5) order by "e"."end_time"',
    );
  });

  it('claims a row with one conditional update: pending, due, and held by no live lease', async () => {
    const { control, sql } = coldMssql();
    await notificationStore(control).claim({ executionId: 'ABC', channel: 'webhook' }, 'token', NOW, '2026-11-25T20:02:00.000Z');
    expect(sql()).toEqual([
      'update "execution_notifications" set "claimed_until" = @1, "claim_token" = @2, "updated_at" = @3 where "execution_id" = @4 and "channel" = @5 and "status" = @6 and "next_attempt_at" <= @7 and ("claimed_until" is null or "claimed_until" < @8)',
    ]);
  });
});
