import { CONTROL_DIALECTS } from '../../support/controlDatabases';
import { fireExecutionId } from '../../../src/scheduler/fireExecutionId';
import { STRANDED_AFTER_MS } from '../../../src/scheduler/schedulerTick';
import { createSchedulerHarness, type SchedulerHarness } from './schedulerHarness';

const MINUTE = 60_000;

describe.each(CONTROL_DIALECTS)('scheduler tick on %s', (dialect) => {
  let h: SchedulerHarness;
  beforeEach(async () => {
    h = await createSchedulerHarness(dialect, '2026-11-25T20:00:00.000Z');
  });
  afterEach(async () => h.close());

  it('starts a due trigger once, with the id of its fire time, and not again on the next tick', async () => {
    await h.job('report', 'allow');
    await h.schedule({ name: 'every-5', interval: { unit: 'minute', count: 5 }, startTime: '2026-11-25T20:05:00Z' });
    await h.trigger('report', 'every-5');

    h.clock.set('2026-11-25T20:04:59.999Z');
    expect((await h.tick()).started).toEqual([]);

    h.clock.set('2026-11-25T20:05:20.000Z');
    const first = await h.tick();
    const id = fireExecutionId('report', 'every-5', '2026-11-25T20:05:00.000Z');
    expect(first.started).toEqual([id]);
    expect(h.started).toEqual([id]);
    const [execution] = await h.executionsOf('report');
    expect(execution).toMatchObject({ id, lifecycle: 'Created', scheduleName: 'every-5', lastMessage: null });
    expect(await h.firesOf('report')).toEqual([{ fireTime: '2026-11-25T20:05:00.000Z', status: 'started', executionId: id, message: null }]);

    h.clock.set('2026-11-25T20:06:00.000Z');
    expect((await h.tick()).started).toEqual([]);
    h.clock.set('2026-11-25T20:10:00.000Z');
    expect((await h.tick()).started).toEqual([fireExecutionId('report', 'every-5', '2026-11-25T20:10:00.000Z')]);
    expect(h.started).toHaveLength(2);
  });

  it('never fires a trigger for a time before the trigger existed', async () => {
    await h.job('report', 'allow');
    // Every hour since 08:00 today; the trigger is created at 20:00.
    await h.schedule({ name: 'hourly', interval: { unit: 'hour', count: 1 }, startTime: '2026-11-25T08:00:00Z' });
    h.clock.set('2026-11-25T20:00:00.001Z');
    await h.trigger('report', 'hourly');
    h.clock.set('2026-11-25T20:30:00.000Z');
    expect((await h.tick()).started).toEqual([]);
    h.clock.set('2026-11-25T21:00:30.000Z');
    const report = await h.tick();
    expect(report.started).toEqual([fireExecutionId('report', 'hourly', '2026-11-25T21:00:00.000Z')]);
    expect((await h.executionsOf('report'))[0].lastMessage).toBeNull();
  });

  it('after three missed intervals starts one execution and says so', async () => {
    await h.job('report', 'allow');
    await h.schedule({ name: 'every-minute', interval: { unit: 'minute', count: 1 } });
    await h.trigger('report', 'every-minute');
    h.clock.set('2026-11-25T20:00:10.000Z');
    await h.tick();
    expect(h.started).toHaveLength(1);

    // The host was down from 20:00:30 to 20:04:30: 20:01, 20:02, 20:03 and 20:04 came and went.
    h.clock.set('2026-11-25T20:04:30.000Z');
    const report = await h.tick();
    expect(report.started).toEqual([fireExecutionId('report', 'every-minute', '2026-11-25T20:04:00.000Z')]);
    const executions = await h.executionsOf('report');
    expect(executions).toHaveLength(2);
    expect(executions[1].lastMessage).toBe('3 earlier fire times were missed while the scheduler was not running; ran once.');
    expect((await h.firesOf('report')).map((f) => f.fireTime)).toEqual(['2026-11-25T20:00:00.000Z', '2026-11-25T20:04:00.000Z']);
  });

  it('fires a one-time schedule once and never again', async () => {
    await h.job('migration', 'allow');
    await h.schedule({ name: 'tonight', oneTime: true, startTime: '2026-11-25T23:00:00Z' });
    await h.trigger('migration', 'tonight');
    h.clock.set('2026-11-25T23:00:05.000Z');
    expect((await h.tick()).started).toHaveLength(1);
    for (const at of ['2026-11-25T23:01:00.000Z', '2026-11-26T23:00:00.000Z', '2027-11-25T23:00:00.000Z']) {
      h.clock.set(at);
      expect((await h.tick()).started).toEqual([]);
    }
    expect(h.started).toHaveLength(1);
  });

  it('stops at endTime', async () => {
    await h.job('report', 'allow');
    await h.schedule({ name: 'three-times', interval: { unit: 'minute', count: 10 }, startTime: '2026-11-25T20:00:00Z', endTime: '2026-11-25T20:25:00Z' });
    await h.trigger('report', 'three-times');
    for (let m = 0; m <= 60; m += 5) {
      h.clock.set(new Date(Date.parse('2026-11-25T20:00:00.000Z') + m * MINUTE));
      await h.tick();
    }
    expect((await h.firesOf('report')).map((f) => f.fireTime)).toEqual(['2026-11-25T20:00:00.000Z', '2026-11-25T20:10:00.000Z', '2026-11-25T20:20:00.000Z']);
  });

  it('leaves alone the triggers of a job marked for deletion', async () => {
    await h.job('doomed', 'allow');
    await h.schedule({ name: 'every-minute', interval: { unit: 'minute', count: 1 } });
    await h.trigger('doomed', 'every-minute');
    expect((await h.api.call('DELETE', 'jobs/doomed')).status).toBe(202);
    h.clock.advance(5 * MINUTE);
    expect(await h.tick()).toMatchObject({ started: [], errors: 0 });
    expect(await h.firesOf('doomed')).toEqual([]);
  });

  it('marks a fire that cannot start as failed with the reason, and does not retry it', async () => {
    await h.job('scoped', 'allow');
    await h.schedule({ name: 'every-minute', interval: { unit: 'minute', count: 1 } });
    await h.trigger('scoped', 'every-minute');
    // The credential may no longer go to the job's server: a start is refused (403) before anything is written.
    expect((await h.api.call('PUT', 'credentials/runner', { body: { allowedServers: ['*.elsewhere.example'] } })).status).toBe(200);
    h.clock.advance(10_000);
    const report = await h.tick();
    expect(report).toMatchObject({ started: [], failed: 1, errors: 0 });
    const [fire] = await h.firesOf('scoped');
    expect(fire).toMatchObject({ status: 'failed', executionId: null });
    expect(fire.message).toContain('db.example');
    expect(await h.executionsOf('scoped')).toEqual([]);
    h.clock.advance(STRANDED_AFTER_MS + MINUTE);
    await h.tick();
    expect((await h.firesOf('scoped'))[0]).toMatchObject({ status: 'failed' });
  });

  it('points the fire at the execution that was ended Failed when the orchestration would not start', async () => {
    await h.job('report', 'allow');
    await h.schedule({ name: 'every-minute', interval: { unit: 'minute', count: 1 } });
    await h.trigger('report', 'every-minute');
    h.failNextStart(new Error('task hub unavailable'));
    h.clock.advance(10_000);
    const report = await h.tick();
    expect(report.failed).toBe(1);
    const id = fireExecutionId('report', 'every-minute', '2026-11-25T20:00:00.000Z');
    expect((await h.firesOf('report'))[0]).toMatchObject({ status: 'failed', executionId: id });
    expect((await h.executionsOf('report'))[0]).toMatchObject({ id, lifecycle: 'Failed' });
  });

  it('starts a claim whose tick died before starting it, once it counts as stranded', async () => {
    await h.job('report', 'allow');
    await h.schedule({ name: 'every-hour', interval: { unit: 'hour', count: 1 } });
    await h.trigger('report', 'every-hour');
    // A tick claimed 20:00 and died before it started anything.
    await h.api.services.control.db
      .insertInto('triggerFires')
      .values({ jobName: 'report', scheduleName: 'every-hour', fireTime: '2026-11-25T20:00:00.000Z', executionId: null, status: 'claimed', message: null, createdAt: '2026-11-25T20:00:01.000Z' })
      .execute();
    h.clock.set('2026-11-25T20:01:00.000Z');
    expect((await h.tick()).started).toEqual([]);
    h.clock.set(new Date(Date.parse('2026-11-25T20:00:01.000Z') + STRANDED_AFTER_MS + 1_000));
    const report = await h.tick();
    const id = fireExecutionId('report', 'every-hour', '2026-11-25T20:00:00.000Z');
    expect(report.started).toEqual([id]);
    expect(await h.firesOf('report')).toEqual([{ fireTime: '2026-11-25T20:00:00.000Z', status: 'started', executionId: id, message: null }]);
  });

  it('fires a cron trigger at the wall-clock time of its zone', async () => {
    await h.job('report', 'allow');
    await h.schedule({ name: 'berlin-seven', cron: '0 7 * * *', timeZone: 'Europe/Berlin' });
    await h.trigger('report', 'berlin-seven');
    h.clock.set('2026-11-26T05:59:59.000Z');
    expect((await h.tick()).started).toEqual([]);
    h.clock.set('2026-11-26T06:00:30.000Z');
    expect((await h.tick()).started).toEqual([fireExecutionId('report', 'berlin-seven', '2026-11-26T06:00:00.000Z')]);
  });
});
