import { createApiHarness, type ApiHarness } from '../../support/apiHarness';
import { ManualClock } from '../../support/clock';
import { CONTROL_DIALECTS } from '../../support/controlDatabases';

const NOW = '2026-11-25T20:00:00.000Z';
const LATER = '2026-11-25T21:00:00.000Z';

const valid = {
  name: 'fast-retry',
  jobTimeout: 'PT2H',
  initialRetryInterval: 'PT1S',
  maximumRetryInterval: 'PT1M',
  retryIntervalBackoffCoefficient: 1.5,
  maximumAttempts: 5,
};

describe.each(CONTROL_DIALECTS)('execution policies API on %s', (dialect) => {
  let api: ApiHarness;
  const clock = new ManualClock(NOW);
  beforeAll(async () => {
    api = await createApiHarness(dialect, { clock });
  });
  afterAll(async () => api.close());

  const count = async () => Number((await api.services.control.db.selectFrom('executionPolicies').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const row = (name: string) => api.services.control.db.selectFrom('executionPolicies').selectAll().where('name', '=', name).executeTakeFirst();

  it('has the default policy with the seed values', async () => {
    const res = await api.call('GET', 'execution-policies/default');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      name: 'default',
      jobTimeout: 'P7D',
      initialRetryInterval: 'PT0.1S',
      maximumRetryInterval: 'PT30M',
      retryIntervalBackoffCoefficient: 2,
      maximumAttempts: 2147483647,
      taskTimeout: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
  });

  it('creates, reads, lists and changes a policy; taskTimeout null clears it', async () => {
    const created = await api.call('POST', 'execution-policies', { body: { ...valid, taskTimeout: 'PT5M' } });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe('/api/execution-policies/fast-retry');
    const expected = { ...valid, taskTimeout: 'PT5M', createdAt: NOW, updatedAt: NOW };
    expect(created.body).toEqual(expected);
    expect((await api.call('GET', 'execution-policies/fast-retry')).body).toEqual(expected);
    expect((await api.call('GET', 'execution-policies')).body).toEqual({ items: [expect.objectContaining({ name: 'default' }), expected], nextCursor: null });

    clock.set(LATER);
    const changed = await api.call('PUT', 'execution-policies/fast-retry', { body: { maximumAttempts: 9, taskTimeout: null } });
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({ ...expected, maximumAttempts: 9, taskTimeout: null, updatedAt: LATER });
    const kept = await api.call('PUT', 'execution-policies/fast-retry', { body: { jobTimeout: 'P1D' } });
    expect(kept.body).toEqual({ ...expected, maximumAttempts: 9, taskTimeout: null, jobTimeout: 'P1D', updatedAt: LATER });
    expect((await row('fast-retry'))!.taskTimeout).toBeNull();
  });

  it('lets the default policy change but not be created again', async () => {
    const before = await count();
    const again = await api.call('POST', 'execution-policies', { body: { ...valid, name: 'default' } });
    expect(again.status).toBe(409);
    expect(again.headers['content-type']).toBe('application/problem+json');
    expect(again.body.detail).toBe("Execution policy 'default' already exists.");
    expect(await count()).toBe(before);
    const changed = await api.call('PUT', 'execution-policies/default', { body: { maximumAttempts: 3 } });
    expect(changed.status).toBe(200);
    expect(changed.body.maximumAttempts).toBe(3);
    expect((await api.call('PUT', 'execution-policies/default', { body: { maximumAttempts: 2147483647 } })).body.maximumAttempts).toBe(2147483647);
  });

  it('refuses a maximum retry interval shorter than the initial one, on create and on a change of either', async () => {
    const before = await count();
    const create = await api.call('POST', 'execution-policies', { body: { ...valid, name: 'inverted', initialRetryInterval: 'PT10M', maximumRetryInterval: 'PT1M' } });
    expect(create.status).toBe(400);
    expect(create.body.errors).toEqual([{ path: 'body.maximumRetryInterval', message: 'must be at least initialRetryInterval (PT1M is shorter than PT10M)' }]);
    expect(await count()).toBe(before);

    const stored = await row('fast-retry');
    const raiseInitial = await api.call('PUT', 'execution-policies/fast-retry', { body: { initialRetryInterval: 'PT2M' } });
    expect(raiseInitial.status).toBe(400);
    expect(raiseInitial.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.maximumRetryInterval']);
    const lowerMaximum = await api.call('PUT', 'execution-policies/fast-retry', { body: { maximumRetryInterval: 'PT0.5S' } });
    expect(lowerMaximum.status).toBe(400);
    expect(await row('fast-retry')).toEqual(stored);
  });

  it.each([
    ['malformed JSON', { rawBody: '{"name": "p",' }, 'body'],
    ['a missing field', { body: { ...valid, name: 'p', jobTimeout: undefined } }, 'body.jobTimeout'],
    ['an unknown field', { body: { ...valid, name: 'p', retries: 3 } }, 'body.retries'],
    ['a wrong type', { body: { ...valid, name: 'p', maximumAttempts: '5' } }, 'body.maximumAttempts'],
    ['a fractional attempt count', { body: { ...valid, name: 'p', maximumAttempts: 1.5 } }, 'body.maximumAttempts'],
    ['zero attempts', { body: { ...valid, name: 'p', maximumAttempts: 0 } }, 'body.maximumAttempts'],
    ['a coefficient below 1', { body: { ...valid, name: 'p', retryIntervalBackoffCoefficient: 0.5 } }, 'body.retryIntervalBackoffCoefficient'],
    ['a duration in months', { body: { ...valid, name: 'p', jobTimeout: 'P1M' } }, 'body.jobTimeout'],
    ['a duration that is not one', { body: { ...valid, name: 'p', initialRetryInterval: '10 seconds' } }, 'body.initialRetryInterval'],
    ['a zero job timeout', { body: { ...valid, name: 'p', jobTimeout: 'PT0S' } }, 'body.jobTimeout'],
    ['an empty name', { body: { ...valid, name: '' } }, 'body.name'],
    ['a 10,000-character name', { body: { ...valid, name: 'n'.repeat(10_000) } }, 'body.name'],
    ['SQL in the name', { body: { ...valid, name: "x'; DROP TABLE jobs;--" } }, 'body.name'],
  ])('refuses a policy with %s: 400, nothing written', async (_label, options, path) => {
    const before = await count();
    const res = await api.call('POST', 'execution-policies', options);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(await count()).toBe(before);
  });

  it.each([
    ['malformed JSON', { rawBody: '{' }, 'body'],
    ['the name', { body: { name: 'renamed' } }, 'body.name'],
    ['an unknown field', { body: { retries: 1 } }, 'body.retries'],
    ['a wrong type', { body: { jobTimeout: 7 } }, 'body.jobTimeout'],
    ['a null that cannot clear', { body: { jobTimeout: null } }, 'body.jobTimeout'],
  ])('refuses a change with %s: 400, nothing written', async (_label, options, path) => {
    const stored = await row('fast-retry');
    const res = await api.call('PUT', 'execution-policies/fast-retry', options);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(await row('fast-retry')).toEqual(stored);
  });

  it('answers 404 for unknown or malformed names', async () => {
    const before = await count();
    expect((await api.call('GET', 'execution-policies/none')).status).toBe(404);
    expect((await api.call('PUT', 'execution-policies/none', { body: { maximumAttempts: 2 } })).status).toBe(404);
    expect((await api.call('GET', `execution-policies/${encodeURIComponent("x'; DROP TABLE jobs;--")}`)).status).toBe(404);
    expect((await api.call('GET', `execution-policies/${'n'.repeat(10_000)}`)).status).toBe(404);
    expect(await count()).toBe(before);
  });

  it('pages through policies across 3 pages', async () => {
    for (const name of ['pol-1', 'pol-2', 'pol-3']) await api.call('POST', 'execution-policies', { body: { ...valid, name } });
    // default, fast-retry, pol-1, pol-2, pol-3
    const p1 = await api.call('GET', 'execution-policies?limit=2');
    const p2 = await api.call('GET', `execution-policies?limit=2&cursor=${p1.body.nextCursor}`);
    const p3 = await api.call('GET', `execution-policies?limit=2&cursor=${p2.body.nextCursor}`);
    expect([p1, p2, p3].map((p) => p.body.items.map((x: { name: string }) => x.name))).toEqual([['default', 'fast-retry'], ['pol-1', 'pol-2'], ['pol-3']]);
    expect(p3.body.nextCursor).toBeNull();
    expect((await api.call('GET', 'execution-policies?limit=1001')).status).toBe(400);
  });
});
