import { CONTROL_DIALECTS } from '../../support/controlDatabases';
import { purgeEndedExecutions } from '../../../src/scheduler/housekeeping';
import { countOf, createSchedulerHarness, insertHistory, type SchedulerHarness } from './schedulerHarness';

const DAY = 86_400_000;
const NOW = '2026-11-25T20:00:00.000Z';
const daysAgo = (n: number) => new Date(Date.parse(NOW) - n * DAY).toISOString();

describe.each(CONTROL_DIALECTS)('housekeeping on %s', (dialect) => {
  let h: SchedulerHarness;
  beforeEach(async () => {
    h = await createSchedulerHarness(dialect, NOW);
  });
  afterEach(async () => h.close());

  const tasksOf = async (jobName: string) =>
    Number(
      (
        await h.api.services.control.db
          .selectFrom('taskExecutions as t')
          .innerJoin('jobExecutions as e', 'e.id', 't.jobExecutionId')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('e.jobName', '=', jobName)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('keeps a deleted job while its execution runs, then removes the job with all its history', async () => {
    await h.job('doomed', 'allow');
    await h.job('kept', 'allow');
    await h.schedule({ name: 'every-minute', interval: { unit: 'minute', count: 1 } });
    await h.trigger('doomed', 'every-minute');
    await h.trigger('kept', 'every-minute');
    h.clock.advance(10_000);
    await h.tick();
    const [running] = (await h.executionsOf('doomed')).map((e) => e.id);
    await insertHistory(h.api, 'doomed', { parents: 3, createdAt: daysAgo(1), childrenEach: 2 });
    await insertHistory(h.api, 'kept', { parents: 2, createdAt: daysAgo(1) });
    const keptBefore = { executions: (await h.executionsOf('kept')).length, tasks: await tasksOf('kept'), fires: (await h.firesOf('kept')).length };

    expect((await h.api.call('DELETE', 'jobs/doomed')).status).toBe(202);
    const start = await h.api.call('POST', 'jobs/doomed/executions');
    expect(start.status).toBe(409);

    expect((await h.housekeeping()).removedJobs).toEqual([]);
    expect((await h.api.call('GET', 'jobs/doomed')).body).toMatchObject({ name: 'doomed', markedForDeletion: true });
    expect((await h.executionsOf('doomed')).length).toBe(1 + 3 * 3);

    await h.finish(running);
    expect((await h.housekeeping()).removedJobs).toEqual(['doomed']);
    expect((await h.api.call('GET', 'jobs/doomed')).status).toBe(404);
    expect(await h.executionsOf('doomed')).toEqual([]);
    expect(await tasksOf('doomed')).toBe(0);
    expect(await h.firesOf('doomed')).toEqual([]);
    expect((await h.api.call('GET', 'triggers?jobName=doomed')).body.items).toEqual([]);
    // The schedule is free again, and the other job lost nothing.
    expect((await h.api.call('GET', 'triggers?scheduleName=every-minute')).body.items.map((t: { jobName: string }) => t.jobName)).toEqual(['kept']);
    expect({ executions: (await h.executionsOf('kept')).length, tasks: await tasksOf('kept'), fires: (await h.firesOf('kept')).length }).toEqual(keptBefore);
  });

  it('purges history older than the retention (P45D by default), in batches, never an active execution', async () => {
    await h.job('busy', 'allow');
    const old = await insertHistory(h.api, 'busy', { parents: 1_100, createdAt: daysAgo(50) });
    const recent = await insertHistory(h.api, 'busy', { parents: 5, createdAt: daysAgo(40) });
    const stillRunning = await insertHistory(h.api, 'busy', { parents: 1, createdAt: daysAgo(60), lifecycle: 'WaitingForChildJobExecutions' });
    expect(await countOf(h.api, 'jobExecutions')).toBe((1_100 + 5 + 1) * 2);

    // One bounded batch removes 500 top-level executions with their children and tasks.
    const cutoff = daysAgo(45);
    expect(await purgeEndedExecutions(h.api.services, cutoff, { maxBatches: 1 })).toBe(500);
    expect(await countOf(h.api, 'jobExecutions')).toBe((600 + 5 + 1) * 2);
    expect(await countOf(h.api, 'taskExecutions')).toBe(600 + 5 + 1);

    const report = await h.housekeeping();
    expect(report.purgedExecutions).toBe(600);
    const left = new Set((await h.executionsOf('busy')).filter((e) => e.parentId === null).map((e) => e.id));
    expect(left).toEqual(new Set([...recent, ...stillRunning]));
    expect(old.some((id) => left.has(id))).toBe(false);
    expect(await countOf(h.api, 'taskExecutions')).toBe(5 + 1);
  });

  it('purges old fire rows but keeps the latest of each trigger, so an old fire time never runs again', async () => {
    await h.job('report', 'allow');
    await h.schedule({ name: 'once', oneTime: true, startTime: '2026-11-25T20:01:00Z' });
    await h.trigger('report', 'once');
    await h.schedule({ name: 'daily', interval: { unit: 'day', count: 1 } });
    await h.trigger('report', 'daily');
    for (let day = 0; day < 60; day += 10) {
      h.clock.set(new Date(Date.parse(NOW) + day * DAY + 90_000));
      await h.tick();
      for (const e of await h.executionsOf('report')) if (e.lifecycle === 'Created') await h.finish(e.id);
    }
    expect((await h.firesOf('report')).length).toBe(1 + 6);
    // 60 days on: daily fires from 50+ days before are past the retention.
    h.clock.set(new Date(Date.parse(NOW) + 100 * DAY));
    const report = await h.housekeeping();
    expect(report.purgedFires).toBe(5);
    expect((await h.firesOf('report')).map((f) => f.fireTime)).toEqual(['2026-11-25T20:01:00.000Z', new Date(Date.parse(NOW) + 50 * DAY).toISOString()]);
    h.clock.advance(30_000);
    const tick = await h.tick();
    // The one-time fire is still on record: it does not run again.
    expect(tick.started).toHaveLength(1);
    expect((await h.executionsOf('report')).find((e) => e.id === tick.started[0])!.scheduleName).toBe('daily');

    // Once its trigger is gone, the last fire row of a trigger is history like any other.
    expect((await h.api.call('DELETE', 'triggers/report/once')).status).toBe(204);
    // (and the day-50 daily fire is no longer its trigger's latest since the tick above).
    expect((await h.housekeeping()).purgedFires).toBe(2);
    expect((await h.firesOf('report')).map((f) => f.fireTime)).toEqual([new Date(Date.parse(NOW) + 100 * DAY).toISOString()]);
  });
});

describe.each(CONTROL_DIALECTS)('POST /jobs/{name}/purge-history on %s', (dialect) => {
  let h: SchedulerHarness;
  beforeAll(async () => {
    h = await createSchedulerHarness(dialect, NOW);
    await h.job('report');
    await h.job('other');
  });
  afterAll(async () => h.close());

  it('deletes the job history older than a duration or a timestamp, and nothing else', async () => {
    const old = await insertHistory(h.api, 'report', { parents: 7, createdAt: daysAgo(40), childrenEach: 2 });
    const recent = await insertHistory(h.api, 'report', { parents: 2, createdAt: daysAgo(5) });
    const active = await insertHistory(h.api, 'report', { parents: 1, createdAt: daysAgo(90), lifecycle: 'InProgress' });
    const others = await insertHistory(h.api, 'other', { parents: 3, createdAt: daysAgo(40) });

    const res = await h.api.call('POST', 'jobs/report/purge-history', { body: { olderThan: 'P30D' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ deleted: 7 });
    const left = (await h.executionsOf('report')).filter((e) => e.parentId === null).map((e) => e.id);
    expect(new Set(left)).toEqual(new Set([...recent, ...active]));
    expect(old.some((id) => left.includes(id))).toBe(false);
    expect((await h.executionsOf('other')).filter((e) => e.parentId === null).map((e) => e.id).sort()).toEqual([...others].sort());

    const byTimestamp = await h.api.call('POST', 'jobs/report/purge-history', { body: { olderThan: '2026-11-23T00:00:00Z' } });
    expect(byTimestamp.body).toEqual({ deleted: 2 });
    expect((await h.executionsOf('report')).filter((e) => e.parentId === null).map((e) => e.id)).toEqual(active);
  });

  it.each([
    ['neither a timestamp nor a duration', { body: { olderThan: 'last week' } }, 'body.olderThan'],
    ['a missing olderThan', { body: {} }, 'body.olderThan'],
    ['an unknown field', { body: { olderThan: 'P1D', everything: true } }, 'body.everything'],
    ['malformed JSON', { rawBody: '{"olderThan": ' }, 'body'],
  ])('refuses %s with 400 and deletes nothing', async (_label, options, path) => {
    await insertHistory(h.api, 'report', { parents: 2, createdAt: daysAgo(100) });
    const before = await countOf(h.api, 'jobExecutions');
    const res = await h.api.call('POST', 'jobs/report/purge-history', options);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(await countOf(h.api, 'jobExecutions')).toBe(before);
  });

  it('answers 404 for an unknown job and deletes nothing', async () => {
    const before = await countOf(h.api, 'jobExecutions');
    expect((await h.api.call('POST', 'jobs/nobody/purge-history', { body: { olderThan: 'P1D' } })).status).toBe(404);
    expect(await countOf(h.api, 'jobExecutions')).toBe(before);
  });
});
