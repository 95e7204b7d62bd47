import { createApiHarness, type ApiHarness } from '../../support/apiHarness';
import { ManualClock } from '../../support/clock';
import { CONTROL_DIALECTS } from '../../support/controlDatabases';
import { insertHistory } from '../scheduler/schedulerHarness';

const NOW = '2026-11-25T20:00:00.000Z';
const _omit = <T extends object, K extends keyof T>(o: T, key: K): Omit<T, K> => Object.fromEntries(Object.entries(o).filter(([k]) => k !== key)) as Omit<T, K>;
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

describe.each(CONTROL_DIALECTS)('jobs API on %s', (dialect) => {
  let api: ApiHarness;
  const clock = new ManualClock(NOW);
  const ids: Record<string, string> = {};

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await api.call(method, path, body === undefined ? {} : { body });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
    return res.body;
  };
  const target = async (key: string, body: object) => {
    ids[key] = (await call('POST', 'targets', body)).id;
  };
  const member = (collection: string, m: string, membership = 'include') => call('POST', `targets/${ids[collection]}/members`, { targetId: ids[m], membership });

  beforeAll(async () => {
    api = await createApiHarness(dialect, { clock });
    await call('POST', 'credentials', { name: 'runner', username: 'job_runner', password: 'runner-p4ss', allowedServers: ['*.corp.example', 'sql-?.example'] });
    await call('POST', 'credentials', { name: 'anywhere', username: 'u', password: 'any-p4ss', allowedServers: ['*'] });
    await call('POST', 'credentials', { name: 'results', username: 'writer', password: 'results-p4ss', allowedServers: ['results.corp.example'] });
    await call('POST', 'contents', { name: 'script', type: 'script', commandText: 'SELECT 1' });
    await call('POST', 'contents/script/versions', { commandText: 'SELECT 2' });
    await call('POST', 'execution-policies', { name: 'patient', jobTimeout: 'P1D', initialRetryInterval: 'PT1S', maximumRetryInterval: 'PT1M', retryIntervalBackoffCoefficient: 2, maximumAttempts: 10 });
    await target('db', { type: 'database', serverName: 'a.corp.example', databaseName: 'orders' });
    await target('otherDb', { type: 'database', serverName: 'sql-1.example', databaseName: 'orders' });
    await target('evilDb', { type: 'database', serverName: 'evil.attacker.net', databaseName: 'harvest' });
    await target('evilServer', { type: 'server', serverName: 'evil.attacker.net', credentialName: 'anywhere' });
    await target('shardMap', { type: 'shardMap', serverName: 'evil.attacker.net', databaseName: 'smm', shardMapName: 'm', credentialName: 'anywhere' });
    await target('clean', { type: 'customCollection', name: 'clean' });
    await target('nested', { type: 'customCollection', name: 'nested' });
    await target('dirty', { type: 'customCollection', name: 'dirty' });
    await target('excluding', { type: 'customCollection', name: 'excluding' });
    await member('clean', 'db');
    await member('clean', 'otherDb');
    await member('nested', 'evilDb');
    await member('dirty', 'db');
    await member('dirty', 'nested');
    await member('excluding', 'db');
    await member('excluding', 'nested', 'exclude');
  });
  afterAll(async () => api.close());

  const count = async () => Number((await api.services.control.db.selectFrom('jobs').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const row = (name: string) => api.services.control.db.selectFrom('jobs').selectAll().where('name', '=', name).executeTakeFirst();
  const minimal = (name: string, extra: object = {}) => ({ name, contentName: 'script', credentialName: 'runner', targetId: ids.db, ...extra });
  /** The one step a job created with content, credential and target has, as the API shows it. */
  const stepOf = (jobName: string, fields: object, at = NOW) => ({
    jobName,
    name: 'main',
    stepIndex: 1,
    contentName: 'script',
    contentVersion: null,
    credentialName: 'runner',
    targetId: ids.db,
    executionPolicyName: 'default',
    maxParallelism: null,
    resultSetDestination: null,
    captureOutput: false,
    onFailure: 'stopJob',
    createdAt: NOW,
    updatedAt: at,
    ...fields,
  });
  const noRails = { canary: null, failureThreshold: null, maxParallelismPerServer: null };

  it('creates a job with the defaults and reads it back', async () => {
    const res = await api.call('POST', 'jobs', { body: minimal('nightly') });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe('/api/jobs/nightly');
    const expected = {
      name: 'nightly',
      contentName: 'script',
      contentVersion: null,
      credentialName: 'runner',
      targetId: ids.db,
      executionPolicyName: 'default',
      maxParallelism: null,
      resultSetDestination: null,
      overlap: 'skip',
      captureOutput: false,
      enabled: true,
      notify: null,
      ...noRails,
      markedForDeletion: false,
      steps: [stepOf('nightly', {})],
      createdAt: NOW,
      updatedAt: NOW,
    };
    expect(res.body).toEqual(expected);
    expect((await api.call('GET', 'jobs/nightly')).body).toEqual(expected);
  });

  it('creates a job with every field set', async () => {
    const destination = { engine: 'postgres', serverName: 'results.corp.example', databaseName: 'results', schemaName: 'public', tableName: 'order_counts', credentialName: 'results' };
    const body = {
      name: 'full',
      stepName: 'collect',
      contentName: 'script',
      contentVersion: 1,
      credentialName: 'runner',
      targetId: ids.clean.toUpperCase(),
      executionPolicyName: 'patient',
      maxParallelism: 4,
      resultSetDestination: destination,
      overlap: 'queue',
      captureOutput: true,
    };
    const res = await api.call('POST', 'jobs', { body });
    expect(res.status).toBe(201);
    const { stepName: _stepName, overlap: _overlap, name: _name, ...stepFields } = body;
    expect(res.body).toEqual({
      ..._omit(body, 'stepName'),
      targetId: ids.clean,
      enabled: true,
      notify: null,
      ...noRails,
      markedForDeletion: false,
      steps: [stepOf('full', { ...stepFields, name: 'collect', targetId: ids.clean })],
      createdAt: NOW,
      updatedAt: NOW,
    });
    expect(JSON.parse((await row('full'))!.resultSetDestination!)).toEqual(destination);
  });

  it.each([
    ['content', { contentName: 'nothing' }, 'body.contentName'],
    ['content version', { contentVersion: 3 }, 'body.contentVersion'],
    ['credential', { credentialName: 'nobody' }, 'body.credentialName'],
    ['target', { targetId: UNKNOWN_ID }, 'body.targetId'],
    ['execution policy', { executionPolicyName: 'nonesuch' }, 'body.executionPolicyName'],
    [
      'result destination credential',
      { resultSetDestination: { serverName: 'results.corp.example', databaseName: 'r', schemaName: 'dbo', tableName: 't', credentialName: 'nobody' } },
      'body.resultSetDestination.credentialName',
    ],
  ])('answers 404 naming the field when the %s does not exist, writing nothing', async (_label, change, path) => {
    const before = await count();
    const res = await api.call('POST', 'jobs', { body: minimal('dangling', change) });
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual([path]);
    expect(await count()).toBe(before);
  });

  it('names every missing reference at once', async () => {
    const res = await api.call('POST', 'jobs', { body: minimal('dangling', { contentName: 'nothing', credentialName: 'nobody', targetId: UNKNOWN_ID }) });
    expect(res.status).toBe(404);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.contentName', 'body.credentialName', 'body.targetId']);
  });

  it.each([
    ['a database on a server outside the patterns', 'evilDb', 'evil.attacker.net'],
    ['a server outside the patterns', 'evilServer', 'evil.attacker.net'],
    ['a shard map manager outside the patterns', 'shardMap', 'evil.attacker.net'],
    ['a collection with a nested member outside the patterns', 'dirty', 'evil.attacker.net'],
  ])('refuses with 403 a target that is %s, writing nothing', async (_label, key, server) => {
    const before = await count();
    const res = await api.call('POST', 'jobs', { body: minimal('harvest', { targetId: ids[key] }) });
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.body.detail).toContain(`'${server}'`);
    expect(res.body.detail).toContain("'*.corp.example', 'sql-?.example'");
    expect(res.body.detail).not.toContain('runner-p4ss');
    expect(await count()).toBe(before);
  });

  it('admits a collection whose outside member is excluded', async () => {
    expect((await api.call('POST', 'jobs', { body: minimal('excluding-job', { targetId: ids.excluding }) })).status).toBe(201);
  });

  it('refuses with 403 a result destination its credential may not be sent to', async () => {
    const before = await count();
    const res = await api.call('POST', 'jobs', {
      body: minimal('leaky', { resultSetDestination: { serverName: 'evil.attacker.net', databaseName: 'r', schemaName: 'dbo', tableName: 't', credentialName: 'results' } }),
    });
    expect(res.status).toBe(403);
    expect(res.body.detail).toContain("'evil.attacker.net'");
    expect(res.body.detail).toContain("'results.corp.example'");
    expect(await count()).toBe(before);
  });

  it.each([
    ['a .. escape', '../x'],
    ['an absolute path outside the root', '/etc'],
  ])('refuses a sqlite result destination with %s', async (_label, serverName) => {
    const before = await count();
    const res = await api.call('POST', 'jobs', {
      body: minimal('sqlite-out', { resultSetDestination: { engine: 'sqlite', serverName, databaseName: 'r.db', schemaName: 'main', tableName: 't', credentialName: 'anywhere' } }),
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.resultSetDestination.serverName']);
    expect(await count()).toBe(before);
  });

  it('changes any field but the name, clears with null, and checks references and scope again', async () => {
    await call('POST', 'jobs', minimal('changing', { maxParallelism: 8, contentVersion: 2 }));
    clock.advance(60_000);
    const changed = await api.call('PUT', 'jobs/changing', { body: { maxParallelism: null, contentVersion: null, targetId: ids.clean, captureOutput: true, overlap: 'allow' } });
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({
      name: 'changing',
      contentName: 'script',
      contentVersion: null,
      credentialName: 'runner',
      targetId: ids.clean,
      executionPolicyName: 'default',
      maxParallelism: null,
      resultSetDestination: null,
      overlap: 'allow',
      captureOutput: true,
      enabled: true,
      notify: null,
      ...noRails,
      markedForDeletion: false,
      steps: [stepOf('changing', { targetId: ids.clean, captureOutput: true }, clock.now().toISOString())],
      createdAt: NOW,
      updatedAt: clock.now().toISOString(),
    });
    const stored = await row('changing');
    const storedSteps = await api.services.control.db.selectFrom('jobSteps').selectAll().where('jobName', '=', 'changing').execute();

    const toEvil = await api.call('PUT', 'jobs/changing', { body: { targetId: ids.evilDb } });
    expect(toEvil.status).toBe(403);
    const widerCredential = await api.call('PUT', 'jobs/changing', { body: { credentialName: 'results' } });
    expect(widerCredential.status).toBe(403);
    expect(widerCredential.body.detail).toContain("Credential 'results'");
    const missing = await api.call('PUT', 'jobs/changing', { body: { executionPolicyName: 'nonesuch' } });
    expect(missing.status).toBe(404);
    expect(missing.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.executionPolicyName']);
    const missingVersion = await api.call('PUT', 'jobs/changing', { body: { contentVersion: 9 } });
    expect(missingVersion.status).toBe(404);
    expect(missingVersion.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.contentVersion']);
    for (const body of [{ name: 'renamed' }, { maxParallelism: 0 }, { overlap: 'sometimes' }, { captureOutput: 'yes' }, { targetId: 'not-a-uuid' }, { enabled: 'no' }, { enabled: null }]) {
      expect((await api.call('PUT', 'jobs/changing', { body })).status).toBe(400);
    }
    expect((await api.call('PUT', 'jobs/changing', { rawBody: '{"maxParallelism": ' })).status).toBe(400);
    expect(await row('changing')).toEqual(stored);
    expect(await api.services.control.db.selectFrom('jobSteps').selectAll().where('jobName', '=', 'changing').execute()).toEqual(storedSteps);
  });

  it('marks a job with an active execution for deletion: 202, still readable and listed with the flag, no longer changeable', async () => {
    await call('POST', 'jobs', minimal('doomed'));
    // An execution still running keeps the job until it ends (with nothing running, DELETE removes it at once).
    await insertHistory(api, 'doomed', { parents: 1, createdAt: NOW, lifecycle: 'InProgress' });
    clock.advance(60_000);
    const deleted = await api.call('DELETE', 'jobs/doomed');
    expect(deleted.status).toBe(202);
    expect(deleted.body).toMatchObject({ name: 'doomed', markedForDeletion: true, updatedAt: clock.now().toISOString() });
    const markedAt = (await row('doomed'))!.markedForDeletionAt;
    expect(markedAt).toBe(clock.now().toISOString());

    expect((await api.call('GET', 'jobs/doomed')).body.markedForDeletion).toBe(true);
    const listed = (await api.call('GET', 'jobs?limit=1000')).body.items.find((j: { name: string }) => j.name === 'doomed');
    expect(listed.markedForDeletion).toBe(true);

    const change = await api.call('PUT', 'jobs/doomed', { body: { maxParallelism: 2 } });
    expect(change.status).toBe(409);
    expect(change.body.detail).toBe("Job 'doomed' is marked for deletion and can no longer be changed.");

    clock.advance(60_000);
    expect((await api.call('DELETE', 'jobs/doomed')).status).toBe(202);
    expect((await row('doomed'))!.markedForDeletionAt).toBe(markedAt);
  });

  it.each([
    ['malformed JSON', { rawBody: '{"name": "j", ' }, 'body'],
    ['a missing contentName', { body: { name: 'j', credentialName: 'runner', targetId: UNKNOWN_ID } }, 'body.contentName'],
    ['a missing targetId', { body: { name: 'j', contentName: 'script', credentialName: 'runner' } }, 'body.targetId'],
    ['an unknown field', { body: { name: 'j', contentName: 'script', credentialName: 'runner', targetId: UNKNOWN_ID, schedule: 'daily' } }, 'body.schedule'],
    ['a wrong type', { body: { name: 'j', contentName: 'script', credentialName: 'runner', targetId: UNKNOWN_ID, maxParallelism: '4' } }, 'body.maxParallelism'],
    ['a target id that is not a UUID', { body: { name: 'j', contentName: 'script', credentialName: 'runner', targetId: 'db1' } }, 'body.targetId'],
    ['a version below 1', { body: { name: 'j', contentName: 'script', credentialName: 'runner', targetId: UNKNOWN_ID, contentVersion: 0 } }, 'body.contentVersion'],
    [
      'a destination table that is not an identifier',
      { body: { name: 'j', contentName: 'script', credentialName: 'runner', targetId: UNKNOWN_ID, resultSetDestination: { serverName: 's', databaseName: 'd', schemaName: 'dbo', tableName: 't; DROP TABLE jobs', credentialName: 'results' } } },
      'body.resultSetDestination.tableName',
    ],
    ['an empty name', { body: { name: '', contentName: 'script', credentialName: 'runner', targetId: UNKNOWN_ID } }, 'body.name'],
    ['a 10,000-character name', { body: { name: 'n'.repeat(10_000), contentName: 'script', credentialName: 'runner', targetId: UNKNOWN_ID } }, 'body.name'],
    ['SQL in the name', { body: { name: "x'; DROP TABLE jobs;--", contentName: 'script', credentialName: 'runner', targetId: UNKNOWN_ID } }, 'body.name'],
  ])('refuses a job with %s: 400, nothing written', async (_label, options, path) => {
    const before = await count();
    const res = await api.call('POST', 'jobs', options);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(await count()).toBe(before);
  });

  it('refuses a duplicate name with 409 and keeps the first job', async () => {
    const before = await count();
    const res = await api.call('POST', 'jobs', { body: minimal('nightly', { targetId: ids.otherDb }) });
    expect(res.status).toBe(409);
    expect(res.body.detail).toBe("Job 'nightly' already exists.");
    expect(await count()).toBe(before);
    expect((await row('nightly'))!.targetId).toBe(ids.db);
  });

  it('answers 404 for unknown or malformed names', async () => {
    const before = await count();
    expect((await api.call('GET', 'jobs/none')).status).toBe(404);
    expect((await api.call('PUT', 'jobs/none', { body: { maxParallelism: 2 } })).status).toBe(404);
    expect((await api.call('DELETE', 'jobs/none')).status).toBe(404);
    expect((await api.call('GET', `jobs/${encodeURIComponent("x'; DROP TABLE jobs;--")}`)).status).toBe(404);
    expect((await api.call('DELETE', `jobs/${'n'.repeat(10_000)}`)).status).toBe(404);
    expect(await count()).toBe(before);
  });

  it('pages through jobs across 3 pages', async () => {
    const total = (await api.call('GET', 'jobs?limit=1000')).body.items.length;
    const limit = Math.ceil(total / 3);
    const p1 = await api.call('GET', `jobs?limit=${limit}`);
    const p2 = await api.call('GET', `jobs?limit=${limit}&cursor=${p1.body.nextCursor}`);
    const p3 = await api.call('GET', `jobs?limit=${limit}&cursor=${p2.body.nextCursor}`);
    const names = [p1, p2, p3].flatMap((p) => p.body.items.map((j: { name: string }) => j.name));
    expect(p3.body.nextCursor).toBeNull();
    expect(names).toEqual([...names].sort());
    expect(new Set(names).size).toBe(total);
    expect(total).toBeGreaterThanOrEqual(5);
  });
});
