import { CONTROL_DIALECTS } from '../../support/controlDatabases';
import { fireExecutionId } from '../../../src/scheduler/fireExecutionId';
import { startLocalScheduler } from '../../../src/scheduler/localScheduler';
import { createSchedulerHarness, type SchedulerHarness } from './schedulerHarness';

describe.each(CONTROL_DIALECTS)('local scheduler on %s', (dialect) => {
  let h: SchedulerHarness;
  beforeEach(async () => {
    h = await createSchedulerHarness(dialect, '2026-11-25T20:00:00.000Z');
  });
  afterEach(async () => h.close());

  const until = async (condition: () => boolean | Promise<boolean>, timeoutMs = 5_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  it('ticks in process: starts due triggers as the clock moves, runs housekeeping, and stops cleanly', async () => {
    await h.job('report', 'allow');
    await h.job('doomed', 'allow');
    await h.schedule({ name: 'every-minute', interval: { unit: 'minute', count: 1 }, startTime: '2026-11-25T20:01:00Z' });
    await h.trigger('report', 'every-minute');
    expect((await h.api.call('DELETE', 'jobs/doomed')).status).toBe(202);

    const scheduler = startLocalScheduler(h.api.services, { intervalMs: 20 });
    try {
      await until(async () => (await h.api.call('GET', 'jobs/doomed')).status === 404);
      h.clock.set('2026-11-25T20:01:05.000Z');
      await until(() => h.started.length === 1);
      h.clock.set('2026-11-25T20:02:05.000Z');
      await until(() => h.started.length === 2);
    } finally {
      await scheduler.stop();
    }
    expect(h.started).toEqual([fireExecutionId('report', 'every-minute', '2026-11-25T20:01:00.000Z'), fireExecutionId('report', 'every-minute', '2026-11-25T20:02:00.000Z')]);
    // Stopped means stopped: a due fire is left for the next run.
    h.clock.set('2026-11-25T20:03:05.000Z');
    await new Promise((r) => setTimeout(r, 100));
    expect(h.started).toHaveLength(2);
  });
});
