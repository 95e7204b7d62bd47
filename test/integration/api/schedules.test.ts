import { createApiHarness, type ApiHarness } from '../../support/apiHarness';
import { ManualClock } from '../../support/clock';
import { CONTROL_DIALECTS } from '../../support/controlDatabases';

const NOW = '2026-11-25T20:00:00.000Z';

describe.each(CONTROL_DIALECTS)('schedules API on %s', (dialect) => {
  let api: ApiHarness;
  const clock = new ManualClock(NOW);

  const ok = (method: string, path: string, body?: unknown) => api.ok(method, path, body);
  const count = async () => Number((await api.services.control.db.selectFrom('schedules').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const stored = (name: string) => api.services.control.db.selectFrom('schedules').selectAll().where('name', '=', name).executeTakeFirstOrThrow();

  beforeAll(async () => {
    api = await createApiHarness(dialect, { clock });
    await ok('POST', 'credentials', { name: 'runner', username: 'u', password: 'runner-p4ss', allowedServers: ['*'] });
    await ok('POST', 'contents', { name: 'script', type: 'script', commandText: 'SELECT 1' });
    const target = await ok('POST', 'targets', { type: 'database', serverName: 'db.example', databaseName: 'orders' });
    await ok('POST', 'jobs', { name: 'nightly', contentName: 'script', credentialName: 'runner', targetId: target.id });
  });
  afterAll(async () => api.close());

  it('creates a one-time schedule and reads it back exactly', async () => {
    const res = await api.call('POST', 'schedules', { body: { name: 'once', oneTime: true, startTime: '2026-12-01T08:00:00+01:00' } });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe('/api/schedules/once');
    const expected = {
      name: 'once',
      oneTime: true,
      interval: null,
      cron: null,
      timeZone: null,
      startTime: '2026-12-01T07:00:00.000Z',
      endTime: null,
      createdAt: NOW,
      updatedAt: NOW,
    };
    expect(res.body).toEqual(expected);
    expect((await api.call('GET', 'schedules/once')).body).toEqual(expected);
  });

  it.each([
    ['a cron of 4 fields', { name: 'c4', cron: '61 * * *' }, 'body.cron', 'must have 5 fields (minute hour day-of-month month day-of-week), e.g. "0 2 * * *" for 02:00 every day; it has 4'],
    ['a cron with a seconds field', { name: 'c6', cron: '*/5 * * * * *' }, 'body.cron', 'has a seconds field'],
    ['an empty cron', { name: 'c0', cron: '' }, 'body.cron', 'must be a cron expression such as "0 2 * * *"'],
    ['a one-time schedule in the past', { name: 'past', oneTime: true, startTime: '2026-11-25T19:59:00Z' }, 'body.startTime', 'is in the past'],
    ['a schedule that ended already', { name: 'over', interval: { unit: 'hour', count: 1 }, startTime: '2026-11-01T00:00:00Z', endTime: '2026-11-02T00:00:00Z' }, 'body.endTime', 'is in the past'],
  ])('refuses %s, saying why, and writes nothing', async (_label, body, path, message) => {
    const res = await api.call('POST', 'schedules', { body });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toBe(path);
    expect(res.body.errors[0].message).toContain(message);
    expect((await api.call('GET', `schedules/${(body as { name: string }).name}`)).status).toBe(404);
  });

  it('starts an interval schedule without startTime now', async () => {
    const res = await api.call('POST', 'schedules', { body: { name: 'every-15-min', interval: { unit: 'minute', count: 15 } } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ oneTime: false, interval: { unit: 'minute', count: 15 }, cron: null, startTime: NOW, endTime: null });
  });

  it('creates a cron schedule in UTC unless a time zone is given', async () => {
    const utc = await api.call('POST', 'schedules', { body: { name: 'weekdays', cron: '0 6 * * 1-5' } });
    expect(utc.status).toBe(201);
    expect(utc.body).toMatchObject({ oneTime: false, interval: null, cron: '0 6 * * 1-5', timeZone: 'UTC', startTime: NOW });
    const berlin = await api.call('POST', 'schedules', { body: { name: 'berlin-morning', cron: '30 2 * * *', timeZone: 'Europe/Berlin', endTime: '2027-12-31T00:00:00Z' } });
    expect(berlin.status).toBe(201);
    expect(berlin.body).toMatchObject({ cron: '30 2 * * *', timeZone: 'Europe/Berlin', endTime: '2027-12-31T00:00:00.000Z' });
  });

  it('pages through the schedules by name', async () => {
    for (const n of ['page-a', 'page-b', 'page-c', 'page-d', 'page-e']) await ok('POST', 'schedules', { name: n, oneTime: true, startTime: '2027-01-01T00:00:00Z' });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { items: { name: string }[]; nextCursor: string | null } = await ok('GET', `schedules?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.items.map((s) => s.name));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(seen).toEqual([...seen].sort());
    expect(seen).toEqual(expect.arrayContaining(['page-a', 'page-b', 'page-c', 'page-d', 'page-e', 'once']));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('changes the timing with PUT, switching kinds when a kind is named', async () => {
    await ok('POST', 'schedules', { name: 'changing', interval: { unit: 'hour', count: 1 }, startTime: '2026-12-01T00:00:00Z' });
    clock.advance(60_000);
    const longer = await api.call('PUT', 'schedules/changing', { body: { interval: { unit: 'day', count: 2 }, endTime: '2027-01-01T00:00:00Z' } });
    expect(longer.status).toBe(200);
    expect(longer.body).toMatchObject({ interval: { unit: 'day', count: 2 }, startTime: '2026-12-01T00:00:00.000Z', endTime: '2027-01-01T00:00:00.000Z', createdAt: NOW, updatedAt: '2026-11-25T20:01:00.000Z' });

    const cron = await api.call('PUT', 'schedules/changing', { body: { cron: '0 12 * * *', timeZone: 'America/New_York' } });
    expect(cron.body).toMatchObject({ oneTime: false, interval: null, cron: '0 12 * * *', timeZone: 'America/New_York', endTime: '2027-01-01T00:00:00.000Z' });

    const once = await api.call('PUT', 'schedules/changing', { body: { oneTime: true, endTime: null } });
    expect(once.body).toMatchObject({ oneTime: true, interval: null, cron: null, timeZone: null, startTime: '2026-12-01T00:00:00.000Z', endTime: null });
    clock.set(NOW);
  });

  it.each([
    ['mixing oneTime and interval', { oneTime: true, interval: { unit: 'minute', count: 5 } }, ['body.oneTime', 'body.interval']],
    ['mixing interval and cron', { interval: { unit: 'minute', count: 5 }, cron: '0 * * * *' }, ['body.interval', 'body.cron']],
    ['endTime before startTime', { endTime: '2026-11-30T00:00:00Z' }, ['body.endTime']],
    ['startTime moved after endTime', { startTime: '2028-01-01T00:00:00Z' }, ['body.startTime']],
    ['switching to one-time while an endTime is set', { oneTime: true }, ['body.endTime']],
    ['a time zone on an interval schedule', { timeZone: 'Europe/Berlin' }, ['body.timeZone']],
    ['a cron expression that is not one', { cron: 'every day at noon' }, ['body.cron']],
    ['an unknown time zone with a cron', { cron: '0 12 * * *', timeZone: 'Mars/Olympus' }, ['body.timeZone']],
    ['an unknown field', { colour: 'red' }, ['body.colour']],
    ['a count of zero', { interval: { unit: 'minute', count: 0 } }, ['body.interval.count']],
    ['an endTime already passed (it would never fire again)', { startTime: '2026-10-01T00:00:00Z', endTime: '2026-11-01T00:00:00Z' }, ['body.endTime']],
    ['a switch to one-time at a time already passed', { oneTime: true, startTime: '2026-11-01T00:00:00Z', endTime: null }, ['body.startTime']],
  ])('refuses a PUT %s with 400 and changes nothing', async (_label, body, paths) => {
    await api.call('POST', 'schedules', { body: { name: 'kept', interval: { unit: 'minute', count: 10 }, startTime: '2026-12-01T00:00:00Z', endTime: '2027-12-01T00:00:00Z' } });
    const before = await stored('kept');
    const res = await api.call('PUT', 'schedules/kept', { body });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(paths));
    expect(await stored('kept')).toEqual(before);
  });

  it.each([
    ['malformed JSON', { rawBody: '{"name": "x", ' }, 'body'],
    ['a missing name', { body: { oneTime: true, startTime: '2027-01-01T00:00:00Z' } }, 'body.name'],
    ['an empty name', { body: { name: '', interval: { unit: 'minute', count: 1 } } }, 'body.name'],
    ['a 10,000-character name', { body: { name: 'n'.repeat(10_000), interval: { unit: 'minute', count: 1 } } }, 'body.name'],
    ['SQL in the name', { body: { name: "x'; DROP TABLE jobs;--", interval: { unit: 'minute', count: 1 } } }, 'body.name'],
    ['oneTime and interval together', { body: { name: 'mixed', oneTime: true, startTime: '2027-01-01T00:00:00Z', interval: { unit: 'minute', count: 1 } } }, 'body.interval'],
    ['a one-time schedule without startTime', { body: { name: 'no-start', oneTime: true } }, 'body.startTime'],
    ['an unknown unit', { body: { name: 'fortnightly', interval: { unit: 'fortnight', count: 1 } } }, 'body.interval.unit'],
    ['a count of zero', { body: { name: 'zero', interval: { unit: 'minute', count: 0 } } }, 'body.interval.count'],
    ['endTime before startTime', { body: { name: 'backwards', interval: { unit: 'day', count: 1 }, startTime: '2027-01-02T00:00:00Z', endTime: '2027-01-01T00:00:00Z' } }, 'body.endTime'],
    ['endTime already past when startTime is now', { body: { name: 'past-end', interval: { unit: 'day', count: 1 }, endTime: '2026-01-01T00:00:00Z' } }, 'body.endTime'],
    ['a timestamp that is not one', { body: { name: 'bad-time', oneTime: true, startTime: 'tomorrow' } }, 'body.startTime'],
    ['an invalid cron expression', { body: { name: 'bad-cron', cron: '61 25 * * *' } }, 'body.cron'],
    ['a cron expression that never fires', { body: { name: 'feb-30', cron: '0 0 30 2 *' } }, 'body.cron'],
    ['an unknown time zone', { body: { name: 'bad-zone', cron: '0 6 * * *', timeZone: 'Europe/Atlantis' } }, 'body.timeZone'],
  ])('refuses %s with 400 and writes nothing', async (_label, options, path) => {
    const before = await count();
    const res = await api.call('POST', 'schedules', options);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(await count()).toBe(before);
  });

  it('refuses a duplicate name with 409 and writes nothing more', async () => {
    await ok('POST', 'schedules', { name: 'dup', oneTime: true, startTime: '2027-01-01T00:00:00Z' });
    const before = await count();
    const again = await api.call('POST', 'schedules', { body: { name: 'dup', interval: { unit: 'minute', count: 1 } } });
    expect(again.status).toBe(409);
    expect(await count()).toBe(before);
  });

  it('answers 404 for an unknown or malformed name on GET, PUT and DELETE', async () => {
    expect((await api.call('GET', 'schedules/nothing')).status).toBe(404);
    expect((await api.call('PUT', 'schedules/nothing', { body: { startTime: '2027-01-01T00:00:00Z' } })).status).toBe(404);
    expect((await api.call('DELETE', 'schedules/nothing')).status).toBe(404);
    expect((await api.call('GET', `schedules/${encodeURIComponent("x'; DROP TABLE jobs;--")}`)).status).toBe(404);
  });

  it('refuses to delete a schedule while a trigger uses it, and deletes it once the trigger is gone', async () => {
    await ok('POST', 'schedules', { name: 'in-use', interval: { unit: 'hour', count: 1 } });
    await ok('POST', 'triggers', { jobName: 'nightly', scheduleName: 'in-use' });
    const before = await count();
    const refused = await api.call('DELETE', 'schedules/in-use');
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain("'nightly'");
    expect(await count()).toBe(before);
    expect((await api.call('DELETE', 'triggers/nightly/in-use')).status).toBe(204);
    expect((await api.call('DELETE', 'schedules/in-use')).status).toBe(204);
    expect((await api.call('GET', 'schedules/in-use')).status).toBe(404);
    expect(await count()).toBe(before - 1);
  });
});
