/**
 * A disabled job (`PUT /jobs/{name} {enabled: false}`): the scheduler fires none of its triggers,
 * writes nothing for them (no execution, not even Skipped, and no claim row), GET /triggers shows
 * no next fire time, and a manual start still runs it. Enabled again, it fires from the next due
 * time on: fire times that passed while it was disabled are not caught up. Real routes, stores and
 * scheduler tick on each control database, with a clock the test moves.
 */
import { CONTROL_DIALECTS } from '../../support/controlDatabases';
import { fireExecutionId } from '../../../src/scheduler/fireExecutionId';
import { countOf, at, createSchedulerHarness, fire, type SchedulerHarness } from './schedulerHarness';

describe.each(CONTROL_DIALECTS)('disabled jobs on %s', (dialect) => {
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
  const put = async (name: string, body: object) => {
    const res = await h.api.call('PUT', `jobs/${name}`, { body });
    expect(res.status).toBe(200);
    return res.body;
  };
  const nextFire = async (name: string) => (await h.api.call('GET', `triggers?jobName=${name}`)).body.items[0].nextFireTime;

  it('fires nothing for a disabled job, writes nothing for it, and shows no next fire time; a manual start still runs', async () => {
    await h.job('report', 'allow');
    await h.trigger('report', 'every-minute');
    expect(await nextFire('report')).toBe(fire(0));
    expect((await put('report', { enabled: false })).enabled).toBe(false);
    expect((await h.api.call('GET', 'jobs/report')).body).toMatchObject({ name: 'report', enabled: false });

    for (const minute of [0, 1, 2]) {
      expect(await tickAt(at(minute))).toMatchObject({ started: [], skipped: 0, queued: 0, failed: 0, errors: 0 });
    }
    expect(await h.executionsOf('report')).toEqual([]);
    expect(await h.firesOf('report')).toEqual([]);
    expect(await nextFire('report')).toBeNull();

    const manual = await h.api.call('POST', 'jobs/report/executions');
    expect(manual.status).toBe(202);
    expect(h.started).toEqual([manual.body.id]);
    expect((await h.executionsOf('report')).map((e) => e.id)).toEqual([manual.body.id]);
  });

  it('enabled again, fires from the next due time on: the fire times missed while disabled are not caught up', async () => {
    await h.job('report', 'allow');
    await h.trigger('report', 'every-minute');
    await tickAt(at(0));
    expect(h.started).toEqual([fireExecutionId('report', 'every-minute', fire(0))]);

    h.clock.set(at(0, 30));
    await put('report', { enabled: false });
    await tickAt(at(1));
    await tickAt(at(2));
    expect(h.started).toHaveLength(1);

    h.clock.set(at(2, 30));
    expect((await put('report', { enabled: true })).enabled).toBe(true);
    expect(await nextFire('report')).toBe(fire(3));
    // 20:01 and 20:02 passed while the job was disabled: nothing runs for them.
    expect((await tickAt(at(2, 40))).started).toEqual([]);

    const next = fireExecutionId('report', 'every-minute', fire(3));
    expect((await tickAt(at(3))).started).toEqual([next]);
    const executions = await h.executionsOf('report');
    expect(executions.map((e) => e.id)).toEqual([fireExecutionId('report', 'every-minute', fire(0)), next]);
    expect(executions[1].lastMessage).toBeNull();
    expect((await h.firesOf('report')).map((f) => f.fireTime)).toEqual([fire(0), fire(3)]);
  });

  it('counts as missed only the fire times after it was enabled again', async () => {
    await h.job('report', 'allow');
    await h.trigger('report', 'every-minute');
    h.clock.set(at(0, 5));
    await put('report', { enabled: false });
    h.clock.set(at(2, 30));
    await put('report', { enabled: true });
    // The scheduler was not running from 20:02:30 to 20:05:30: 20:03 and 20:04 were missed, 20:05 runs.
    const report = await tickAt(at(5, 30));
    expect(report.started).toEqual([fireExecutionId('report', 'every-minute', fire(5))]);
    expect((await h.executionsOf('report'))[0].lastMessage).toBe('2 earlier fire times were missed while the scheduler was not running; ran once.');
  });

  it('enabling a job that is already enabled changes nothing: a fire due but not yet claimed still runs', async () => {
    await h.job('report', 'allow');
    await h.trigger('report', 'every-minute');
    await tickAt(at(0));
    h.clock.set(at(1, 5));
    await put('report', { enabled: true });
    expect((await tickAt(at(1, 8))).started).toEqual([fireExecutionId('report', 'every-minute', fire(1))]);
  });

  it('a fire queued behind an active execution does not start once the job is disabled, and never later', async () => {
    await h.job('queuer', 'queue');
    await h.trigger('queuer', 'every-minute');
    const first = fireExecutionId('queuer', 'every-minute', fire(0));
    await tickAt(at(0));
    expect(await tickAt(at(1))).toMatchObject({ queued: 1 });

    h.clock.set(at(1, 30));
    await put('queuer', { enabled: false });
    await h.finish(first);
    expect(await tickAt(at(1, 40))).toMatchObject({ started: [], failed: 1 });
    expect((await h.firesOf('queuer'))[1]).toMatchObject({ fireTime: fire(1), status: 'failed', executionId: null });
    expect((await h.firesOf('queuer'))[1].message).toBe(`Fire time ${fire(1)} waited in the queue, and the job was disabled before it could start.`);

    h.clock.set(at(3, 30));
    await put('queuer', { enabled: true });
    expect((await tickAt(at(3, 40))).started).toEqual([]);
    expect(h.started).toEqual([first]);
    expect(await countOf(h.api, 'jobExecutions')).toBe(1);
  });

  it('a job created disabled never fires until enabled', async () => {
    await h.job('report', 'allow');
    await put('report', { enabled: false });
    const created = await h.api.call('POST', 'jobs', {
      body: { name: 'born-off', contentName: 'script', credentialName: 'runner', targetId: (await h.api.call('GET', 'jobs/report')).body.targetId, enabled: false },
    });
    expect(created.status).toBe(201);
    expect(created.body.enabled).toBe(false);
    await h.trigger('born-off', 'every-minute');
    await tickAt(at(0));
    await tickAt(at(1));
    expect(await h.executionsOf('born-off')).toEqual([]);
  });
});
