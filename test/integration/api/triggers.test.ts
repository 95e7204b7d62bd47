import { createApiHarness, type ApiHarness } from '../../support/apiHarness';
import { ManualClock } from '../../support/clock';
import { CONTROL_DIALECTS } from '../../support/controlDatabases';
import { insertHistory } from '../scheduler/schedulerHarness';

const NOW = '2026-11-25T20:00:00.000Z';

describe.each(CONTROL_DIALECTS)('triggers API on %s', (dialect) => {
  let api: ApiHarness;
  const clock = new ManualClock(NOW);

  const ok = (method: string, path: string, body?: unknown) => api.ok(method, path, body);
  const count = async () => Number((await api.services.control.db.selectFrom('triggers').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const job = (name: string) => ok('POST', 'jobs', { name, contentName: 'script', credentialName: 'runner', targetId: targetId });
  let targetId = '';

  beforeAll(async () => {
    api = await createApiHarness(dialect, { clock });
    await ok('POST', 'credentials', { name: 'runner', username: 'u', password: 'runner-p4ss', allowedServers: ['*'] });
    await ok('POST', 'contents', { name: 'script', type: 'script', commandText: 'SELECT 1' });
    targetId = (await ok('POST', 'targets', { type: 'database', serverName: 'db.example', databaseName: 'orders' })).id;
    for (const name of ['nightly', 'hourly', 'leaving']) await job(name);
    await ok('POST', 'schedules', { name: 'every-hour', interval: { unit: 'hour', count: 1 }, startTime: '2026-11-25T08:30:00Z' });
    await ok('POST', 'schedules', { name: 'at-two', cron: '0 2 * * *', timeZone: 'Europe/Berlin' });
    // Created when they could still fire (a schedule that never could is refused); since then they have run out.
    clock.set('2025-12-01T00:00:00.000Z');
    await ok('POST', 'schedules', { name: 'long-ago', oneTime: true, startTime: '2026-01-01T00:00:00Z' });
    await ok('POST', 'schedules', { name: 'ended', interval: { unit: 'day', count: 1 }, startTime: '2026-01-01T00:00:00Z', endTime: '2026-02-01T00:00:00Z' });
    clock.set(NOW);
  });
  afterAll(async () => api.close());

  it('creates a trigger with its next fire time and lists it by job and by schedule', async () => {
    const res = await api.call('POST', 'triggers', { body: { jobName: 'nightly', scheduleName: 'every-hour' } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ jobName: 'nightly', scheduleName: 'every-hour', nextFireTime: '2026-11-25T20:30:00.000Z', createdAt: NOW });
    await ok('POST', 'triggers', { jobName: 'nightly', scheduleName: 'at-two' });
    await ok('POST', 'triggers', { jobName: 'hourly', scheduleName: 'every-hour' });

    const ofJob = await ok('GET', 'triggers?jobName=nightly');
    expect(ofJob).toEqual({
      items: [
        // 02:00 in Berlin on 26 November is 01:00 UTC.
        { jobName: 'nightly', scheduleName: 'at-two', nextFireTime: '2026-11-26T01:00:00.000Z', createdAt: NOW },
        { jobName: 'nightly', scheduleName: 'every-hour', nextFireTime: '2026-11-25T20:30:00.000Z', createdAt: NOW },
      ],
      nextCursor: null,
    });
    const ofSchedule = await ok('GET', 'triggers?scheduleName=every-hour');
    expect(ofSchedule.items.map((t: { jobName: string }) => t.jobName)).toEqual(['hourly', 'nightly']);
  });

  it('moves nextFireTime on with the clock and past the latest claimed fire', async () => {
    clock.set('2026-11-25T20:45:00.000Z');
    expect((await ok('GET', 'triggers?jobName=hourly')).items[0].nextFireTime).toBe('2026-11-25T21:30:00.000Z');
    await api.services.control.db
      .insertInto('triggerFires')
      .values({ jobName: 'hourly', scheduleName: 'every-hour', fireTime: '2026-11-25T21:30:00.000Z', executionId: null, status: 'started', message: null, createdAt: '2026-11-25T21:30:00.000Z' })
      .execute();
    expect((await ok('GET', 'triggers?jobName=hourly')).items[0].nextFireTime).toBe('2026-11-25T22:30:00.000Z');
    clock.set(NOW);
  });

  it('says null when the schedule will not fire again', async () => {
    await ok('POST', 'triggers', { jobName: 'hourly', scheduleName: 'long-ago' });
    await ok('POST', 'triggers', { jobName: 'hourly', scheduleName: 'ended' });
    const items = (await ok('GET', 'triggers?jobName=hourly')).items as { scheduleName: string; nextFireTime: string | null }[];
    expect(items.find((t) => t.scheduleName === 'long-ago')!.nextFireTime).toBeNull();
    expect(items.find((t) => t.scheduleName === 'ended')!.nextFireTime).toBeNull();
  });

  it('pages through triggers', async () => {
    for (const s of ['p1', 'p2', 'p3', 'p4']) {
      await ok('POST', 'schedules', { name: s, interval: { unit: 'day', count: 1 } });
      await ok('POST', 'triggers', { jobName: 'leaving', scheduleName: s });
    }
    const first = await ok('GET', 'triggers?jobName=leaving&limit=3');
    expect(first.items.map((t: { scheduleName: string }) => t.scheduleName)).toEqual(['p1', 'p2', 'p3']);
    const second = await ok('GET', `triggers?jobName=leaving&limit=3&cursor=${first.nextCursor}`);
    expect(second).toMatchObject({ items: [{ scheduleName: 'p4' }], nextCursor: null });
  });

  it('refuses a duplicate trigger with 409 and writes nothing more', async () => {
    const before = await count();
    const res = await api.call('POST', 'triggers', { body: { jobName: 'nightly', scheduleName: 'every-hour' } });
    expect(res.status).toBe(409);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(await count()).toBe(before);
  });

  it.each([
    ['an unknown job', { jobName: 'nobody', scheduleName: 'every-hour' }, 'body.jobName'],
    ['an unknown schedule', { jobName: 'nightly', scheduleName: 'never' }, 'body.scheduleName'],
  ])('answers 404 naming the field for %s and writes nothing', async (_label, body, path) => {
    const before = await count();
    const res = await api.call('POST', 'triggers', { body });
    expect(res.status).toBe(404);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual([path]);
    expect(await count()).toBe(before);
  });

  it.each([
    ['malformed JSON', { rawBody: '{"jobName": ' }, 'body'],
    ['a missing scheduleName', { body: { jobName: 'nightly' } }, 'body.scheduleName'],
    ['an unknown field', { body: { jobName: 'nightly', scheduleName: 'every-hour', enabled: true } }, 'body.enabled'],
    ['a wrong type', { body: { jobName: 42, scheduleName: 'every-hour' } }, 'body.jobName'],
    ['a 10,000-character name', { body: { jobName: 'n'.repeat(10_000), scheduleName: 'every-hour' } }, 'body.jobName'],
    ['SQL in a name', { body: { jobName: "x'; DROP TABLE jobs;--", scheduleName: 'every-hour' } }, 'body.jobName'],
  ])('refuses %s with 400 and writes nothing', async (_label, options, path) => {
    const before = await count();
    const res = await api.call('POST', 'triggers', options);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(await count()).toBe(before);
  });

  it('refuses unknown list filters with 400', async () => {
    expect((await api.call('GET', 'triggers?job=nightly')).status).toBe(400);
    expect((await api.call('GET', 'triggers?limit=0')).status).toBe(400);
  });

  it('refuses a trigger on a job marked for deletion with 409, and lists its triggers with no next fire time', async () => {
    await ok('POST', 'schedules', { name: 'doomed-schedule', interval: { unit: 'minute', count: 5 } });
    await job('doomed');
    await ok('POST', 'triggers', { jobName: 'doomed', scheduleName: 'every-hour' });
    // Still running, so DELETE marks it rather than removing it at once.
    await insertHistory(api, 'doomed', { parents: 1, createdAt: NOW, lifecycle: 'InProgress' });
    expect((await api.call('DELETE', 'jobs/doomed')).status).toBe(202);
    const before = await count();
    const res = await api.call('POST', 'triggers', { body: { jobName: 'doomed', scheduleName: 'doomed-schedule' } });
    expect(res.status).toBe(409);
    expect(res.body.detail).toContain('marked for deletion');
    expect(await count()).toBe(before);
    expect((await ok('GET', 'triggers?jobName=doomed')).items).toEqual([{ jobName: 'doomed', scheduleName: 'every-hour', nextFireTime: null, createdAt: NOW }]);
  });

  it('deletes a trigger with 204, then answers 404', async () => {
    const before = await count();
    expect((await api.call('DELETE', 'triggers/nightly/at-two')).status).toBe(204);
    expect(await count()).toBe(before - 1);
    expect((await api.call('DELETE', 'triggers/nightly/at-two')).status).toBe(404);
    expect((await api.call('DELETE', 'triggers/nobody/every-hour')).status).toBe(404);
    expect((await api.call('DELETE', `triggers/${encodeURIComponent("x'; DROP TABLE jobs;--")}/every-hour`)).status).toBe(404);
    expect(await count()).toBe(before - 1);
  });
});
