import { CONTROL_DIALECTS } from '../../support/controlDatabases';
import { fireExecutionId } from '../../../src/scheduler/fireExecutionId';
import { at, createSchedulerHarness, fire, type SchedulerHarness } from './schedulerHarness';

describe.each(CONTROL_DIALECTS)('overlap policy on %s', (dialect) => {
  let h: SchedulerHarness;
  beforeEach(async () => {
    h = await createSchedulerHarness(dialect, '2026-11-25T19:59:00.000Z');
    await h.schedule({ name: 'every-minute', interval: { unit: 'minute', count: 1 }, startTime: '2026-11-25T20:00:00Z' });
  });
  afterEach(async () => h.close());

  const tickAt = async (time: string) => {
    h.clock.set(time);
    return h.tick();
  };

  it('skip: a fire while an execution is active is recorded as a Skipped execution with the reason', async () => {
    await h.job('skipper', 'skip');
    await h.trigger('skipper', 'every-minute');
    const first = fireExecutionId('skipper', 'every-minute', fire(0));
    expect((await tickAt(at(0))).started).toEqual([first]);

    const report = await tickAt(at(1));
    expect(report).toMatchObject({ started: [], skipped: 1 });
    expect(h.started).toEqual([first]);
    const executions = await h.executionsOf('skipper');
    const skipped = executions.find((e) => e.id === fireExecutionId('skipper', 'every-minute', fire(1)))!;
    expect(skipped).toMatchObject({ parentId: null, lifecycle: 'Skipped', scheduleName: 'every-minute' });
    expect(skipped.lastMessage).toBe(`Skipped: execution ${first} of job 'skipper' was still active (overlap policy: skip).`);
    expect(skipped.endTime).not.toBeNull();
    expect((await h.firesOf('skipper'))[1]).toMatchObject({ status: 'skipped', executionId: skipped.id });

    // Once the active execution ends, the next fire starts again.
    await h.finish(first);
    expect((await tickAt(at(2))).started).toEqual([fireExecutionId('skipper', 'every-minute', fire(2))]);
    expect(h.started).toHaveLength(2);
  });

  it('queue: a fire waits behind the active execution and starts when it ends; one waits at most', async () => {
    await h.job('queuer', 'queue');
    await h.trigger('queuer', 'every-minute');
    const first = fireExecutionId('queuer', 'every-minute', fire(0));
    await tickAt(at(0));

    expect(await tickAt(at(1))).toMatchObject({ started: [], queued: 1 });
    expect((await h.firesOf('queuer'))[1]).toMatchObject({ fireTime: fire(1), status: 'queued', executionId: null });
    expect((await h.firesOf('queuer'))[1].message).toContain(`execution ${first} of job 'queuer' was still active (overlap policy: queue)`);

    // A second fire while one already waits is skipped, not piled up.
    expect(await tickAt(at(2))).toMatchObject({ started: [], queued: 0, skipped: 1 });
    expect((await tickAt(at(2, 40))).started).toEqual([]);

    await h.finish(first);
    const queued = fireExecutionId('queuer', 'every-minute', fire(1));
    const report = await tickAt(at(2, 50));
    expect(report.started).toEqual([queued]);
    expect(h.started).toEqual([first, queued]);
    const started = (await h.executionsOf('queuer')).find((e) => e.id === queued)!;
    expect(started).toMatchObject({ lifecycle: 'Created', scheduleName: 'every-minute' });
    expect(started.lastMessage).toContain('waited in the queue');
    expect((await h.firesOf('queuer')).map((f) => [f.fireTime, f.status])).toEqual([
      [fire(0), 'started'],
      [fire(1), 'started'],
      [fire(2), 'skipped'],
    ]);

    // The queued run is now the active one: the next fire queues behind it.
    expect(await tickAt(at(3))).toMatchObject({ started: [], queued: 1 });
  });

  it('queue: two ticks racing for the same queued fire start it once', async () => {
    await h.job('queuer', 'queue');
    await h.trigger('queuer', 'every-minute');
    const other = await h.anotherInstance();
    await tickAt(at(0));
    await tickAt(at(1));
    await h.finish(fireExecutionId('queuer', 'every-minute', fire(0)));
    h.clock.set(at(1, 30));
    const [a, b] = await Promise.all([h.tick(), h.tick(other)]);
    expect([...a.started, ...b.started]).toEqual([fireExecutionId('queuer', 'every-minute', fire(1))]);
    expect(h.started).toHaveLength(2);
  });

  it('allow: a fire starts even while another execution of the job is active', async () => {
    await h.job('parallel', 'allow');
    await h.trigger('parallel', 'every-minute');
    await tickAt(at(0));
    expect((await tickAt(at(1))).started).toEqual([fireExecutionId('parallel', 'every-minute', fire(1))]);
    const executions = await h.executionsOf('parallel');
    expect(executions.map((e) => e.lifecycle)).toEqual(['Created', 'Created']);
  });
});
