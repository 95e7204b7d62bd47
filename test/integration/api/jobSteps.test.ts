/**
 * A job's steps over HTTP (issue 14), on SQLite and PostgreSQL control databases: a job without
 * steps, steps added at a position, moved and removed with the others renumbered, the job's
 * top-level fields and row mirroring step 1, bad input refused writing nothing, and a start that
 * snapshots every step.
 */
import { executionStepStore } from '../../../src/control/stores/executionStepStore';
import type { OrchestrationClient } from '../../../src/execution/orchestrationClient';
import { runSchedulerTick } from '../../../src/scheduler/schedulerTick';
import { createApiHarness, type ApiHarness } from '../../support/apiHarness';
import { ManualClock } from '../../support/clock';
import { CONTROL_DIALECTS } from '../../support/controlDatabases';
import { insertHistory } from '../scheduler/schedulerHarness';

const NOW = '2026-11-25T20:00:00.000Z';
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

describe.each(CONTROL_DIALECTS)('job steps API on %s', (dialect) => {
  let api: ApiHarness;
  const clock = new ManualClock(NOW);
  const started: string[] = [];
  const ids: Record<string, string> = {};

  const ok = (method: string, path: string, body?: unknown) => api.ok(method, path, body);
  const db = () => api.services.control.db;
  /** Everything a rejected request must leave as it was. */
  const snapshot = async () => ({
    jobs: await db().selectFrom('jobs').selectAll().orderBy('name').execute(),
    steps: await db().selectFrom('jobSteps').selectAll().orderBy('jobName').orderBy('stepName').execute(),
    executions: await db().selectFrom('jobExecutions').select('id').execute(),
    executionSteps: await db().selectFrom('jobExecutionSteps').select(['executionId', 'stepIndex']).execute(),
  });
  const order = async (job: string) => (await ok('GET', `jobs/${encodeURIComponent(job)}/steps`)).items.map((s: { name: string; stepIndex: number }) => `${s.stepIndex}:${s.name}`);
  const step = (name: string, extra: object = {}) => ({ name, contentName: name, credentialName: 'runner', targetId: ids.db, ...extra });

  beforeAll(async () => {
    const client: OrchestrationClient = {
      async startJobExecution(id) {
        started.push(id);
      },
      async raiseCancel() {},
    };
    api = await createApiHarness(dialect, { clock, orchestrations: () => () => client });
    await ok('POST', 'credentials', { name: 'runner', username: 'job_runner', password: 'runner-p4ss', allowedServers: ['*.corp.example'] });
    await ok('POST', 'credentials', { name: 'results', username: 'writer', password: 'results-p4ss', allowedServers: ['results.corp.example'] });
    for (const name of ['create', 'backfill', 'report', 'first']) await ok('POST', 'contents', { name, type: 'script', commandText: `-- ${name} v1` });
    await ok('POST', 'contents/backfill/versions', { commandText: '-- backfill v2' });
    await ok('POST', 'execution-policies', { name: 'patient', jobTimeout: 'P1D', initialRetryInterval: 'PT1S', maximumRetryInterval: 'PT1M', retryIntervalBackoffCoefficient: 2, maximumAttempts: 10 });
    ids.db = (await ok('POST', 'targets', { type: 'database', serverName: 'a.corp.example', databaseName: 'orders' })).id;
    ids.other = (await ok('POST', 'targets', { type: 'database', serverName: 'b.corp.example', databaseName: 'orders' })).id;
    ids.evil = (await ok('POST', 'targets', { type: 'database', serverName: 'evil.attacker.net', databaseName: 'harvest' })).id;
  });
  afterAll(async () => api.close());

  it('creates a job without steps, shows empty step 1 fields, and refuses to start it (409, nothing written)', async () => {
    const res = await api.call('POST', 'jobs', { body: { name: 'empty' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: 'empty',
      contentName: null,
      contentVersion: null,
      credentialName: null,
      targetId: null,
      executionPolicyName: null,
      maxParallelism: null,
      resultSetDestination: null,
      captureOutput: false,
      steps: [],
    });
    expect((await ok('GET', 'jobs/empty')).steps).toEqual([]);
    expect((await ok('GET', 'jobs/empty/steps')).items).toEqual([]);
    const row = await db().selectFrom('jobs').selectAll().where('name', '=', 'empty').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ contentName: null, credentialName: null, targetId: null, executionPolicyName: null, captureOutput: 0 });

    const before = await snapshot();
    const start = await api.call('POST', 'jobs/empty/executions');
    expect(start.status).toBe(409);
    expect(start.body.detail).toBe("Job 'empty' has no steps: add one with POST /jobs/empty/steps (elastic-jobs step add empty ...).");
    expect(await snapshot()).toEqual(before);
    expect(started).toEqual([]);
  });

  it('fails a scheduled fire of a job without steps with the same reason, starting nothing', async () => {
    await ok('POST', 'schedules', { name: 'minutely', interval: { unit: 'minute', count: 1 }, startTime: NOW });
    await ok('POST', 'triggers', { jobName: 'empty', scheduleName: 'minutely' });
    clock.advance(61_000);
    const report = await runSchedulerTick(api.services, { now: clock.now() });
    expect(report).toMatchObject({ started: [], failed: 1 });
    const fires = await db().selectFrom('triggerFires').select(['status', 'executionId', 'message']).where('jobName', '=', 'empty').execute();
    expect(fires).toEqual([{ status: 'failed', executionId: null, message: "The scheduled fire could not start: Job 'empty' has no steps: add one with POST /jobs/empty/steps (elastic-jobs step add empty ...)." }]);
    expect(await db().selectFrom('jobExecutions').select('id').where('jobName', '=', 'empty').execute()).toEqual([]);
    expect(started).toEqual([]);
    await api.call('DELETE', 'triggers/empty/minutely');
  });

  it.each([
    ['only contentName', { contentName: 'create' }, ['body.credentialName', 'body.targetId']],
    ['only credentialName and targetId', { credentialName: 'runner', targetIdKey: 'db' }, ['body.contentName']],
    ['only a step name', { stepName: 'main' }, ['body.contentName', 'body.credentialName', 'body.targetId']],
    ['only a policy', { executionPolicyName: 'patient' }, ['body.contentName', 'body.credentialName', 'body.targetId']],
  ])('refuses POST /jobs with %s: 400 naming the missing step fields, nothing written', async (_label, given, paths) => {
    const { targetIdKey, ...rest } = given as Record<string, string>;
    const body = { name: 'partial', ...rest, ...(targetIdKey ? { targetId: ids[targetIdKey] } : {}) };
    const before = await snapshot();
    const res = await api.call('POST', 'jobs', { body });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(paths);
    expect(res.body.detail).toContain('contentName, credentialName and targetId');
    expect(await snapshot()).toEqual(before);
  });

  it('adds steps after the last or at a position, shifting the later ones; the job shows them in order with step 1 at the top level', async () => {
    await ok('POST', 'jobs', { name: 'pipeline' });
    clock.advance(1_000);
    const created = await api.call('POST', 'jobs/pipeline/steps', { body: step('create', { executionPolicyName: 'patient', maxParallelism: 5 }) });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe('/api/jobs/pipeline/steps/create');
    expect(created.body).toEqual({
      jobName: 'pipeline',
      name: 'create',
      stepIndex: 1,
      contentName: 'create',
      contentVersion: null,
      credentialName: 'runner',
      targetId: ids.db,
      executionPolicyName: 'patient',
      maxParallelism: 5,
      resultSetDestination: null,
      captureOutput: false,
      onFailure: 'stopJob',
      createdAt: clock.now().toISOString(),
      updatedAt: clock.now().toISOString(),
    });
    await ok('POST', 'jobs/pipeline/steps', step('report', { onFailure: 'continue', targetId: ids.other.toUpperCase() }));
    expect(await order('pipeline')).toEqual(['1:create', '2:report']);
    await ok('POST', 'jobs/pipeline/steps', step('backfill', { stepIndex: 2, contentVersion: 1 }));
    expect(await order('pipeline')).toEqual(['1:create', '2:backfill', '3:report']);
    const report = await ok('GET', 'jobs/pipeline/steps/report');
    expect(report).toMatchObject({ stepIndex: 3, onFailure: 'continue', targetId: ids.other });

    const job = await ok('GET', 'jobs/pipeline');
    expect(job.steps.map((s: { name: string }) => s.name)).toEqual(['create', 'backfill', 'report']);
    expect(job).toMatchObject({ contentName: 'create', credentialName: 'runner', targetId: ids.db, executionPolicyName: 'patient', maxParallelism: 5 });
    const listed = (await ok('GET', 'jobs?limit=1000')).items.find((j: { name: string }) => j.name === 'pipeline');
    expect(listed.steps).toEqual(job.steps);

    // A step at position 1 becomes step 1 everywhere, the job row too.
    await ok('POST', 'jobs/pipeline/steps', step('first', { stepIndex: 1, captureOutput: true, maxParallelism: 2 }));
    expect(await order('pipeline')).toEqual(['1:first', '2:create', '3:backfill', '4:report']);
    expect(await ok('GET', 'jobs/pipeline')).toMatchObject({ contentName: 'first', executionPolicyName: 'default', maxParallelism: 2, captureOutput: true });
    const row = await db().selectFrom('jobs').selectAll().where('name', '=', 'pipeline').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ contentName: 'first', credentialName: 'runner', targetId: ids.db, executionPolicyName: 'default', maxParallelism: 2, captureOutput: 1 });
    const page1 = await ok('GET', 'jobs/pipeline/steps?limit=3');
    const page2 = await ok('GET', `jobs/pipeline/steps?limit=3&cursor=${page1.nextCursor}`);
    expect([...page1.items, ...page2.items].map((s: { name: string }) => s.name)).toEqual(['first', 'create', 'backfill', 'report']);
    expect(page2.nextCursor).toBeNull();
  });

  it('changes a step and moves it with stepIndex, the steps between closing up; the job row follows step 1', async () => {
    clock.advance(1_000);
    const moved = await ok('PUT', 'jobs/pipeline/steps/first', { stepIndex: 4, maxParallelism: null });
    expect(moved).toMatchObject({ name: 'first', stepIndex: 4, maxParallelism: null, captureOutput: true, updatedAt: clock.now().toISOString() });
    expect(await order('pipeline')).toEqual(['1:create', '2:backfill', '3:report', '4:first']);
    expect(await ok('GET', 'jobs/pipeline')).toMatchObject({ contentName: 'create', maxParallelism: 5, captureOutput: false });
    expect(await db().selectFrom('jobs').select(['contentName', 'maxParallelism']).where('name', '=', 'pipeline').executeTakeFirstOrThrow()).toEqual({ contentName: 'create', maxParallelism: 5 });

    await ok('PUT', 'jobs/pipeline/steps/report', { stepIndex: 1 });
    expect(await order('pipeline')).toEqual(['1:report', '2:create', '3:backfill', '4:first']);
    await ok('PUT', 'jobs/pipeline/steps/report', { stepIndex: 3, onFailure: 'stopJob' });
    expect(await order('pipeline')).toEqual(['1:create', '2:backfill', '3:report', '4:first']);
    expect(await ok('GET', 'jobs/pipeline/steps/report')).toMatchObject({ onFailure: 'stopJob', targetId: ids.other });
    // Unchanged position, changed settings.
    await ok('PUT', 'jobs/pipeline/steps/backfill', { contentVersion: null, stepIndex: 2 });
    expect(await ok('GET', 'jobs/pipeline/steps/backfill')).toMatchObject({ stepIndex: 2, contentVersion: null });
  });

  it.each([
    ['a duplicate step name', 'POST', 'jobs/pipeline/steps', () => step('create'), 409, []],
    ['a position past one after the last', 'POST', 'jobs/pipeline/steps', () => step('late', { contentName: 'create', stepIndex: 6 }), 400, ['body.stepIndex']],
    ['position 0', 'POST', 'jobs/pipeline/steps', () => step('zero', { stepIndex: 0 }), 400, ['body.stepIndex']],
    ['a missing content', 'POST', 'jobs/pipeline/steps', () => step('nothing'), 404, ['body.contentName']],
    ['a missing content version', 'POST', 'jobs/pipeline/steps', () => step('late', { contentName: 'create', contentVersion: 9 }), 404, ['body.contentVersion']],
    ['a missing target', 'POST', 'jobs/pipeline/steps', () => step('late', { contentName: 'create', targetId: UNKNOWN_ID }), 404, ['body.targetId']],
    ['a missing policy', 'POST', 'jobs/pipeline/steps', () => step('late', { contentName: 'create', executionPolicyName: 'nonesuch' }), 404, ['body.executionPolicyName']],
    ['a target outside the credential', 'POST', 'jobs/pipeline/steps', () => step('late', { contentName: 'create', targetId: ids.evil }), 403, []],
    [
      'a destination outside its credential',
      'POST',
      'jobs/pipeline/steps',
      () => step('late', { contentName: 'create', resultSetDestination: { serverName: 'evil.attacker.net', databaseName: 'r', schemaName: 'dbo', tableName: 't', credentialName: 'results' } }),
      403,
      [],
    ],
    ['an unknown field', 'POST', 'jobs/pipeline/steps', () => step('late', { contentName: 'create', colour: 'red' }), 400, ['body.colour']],
    ['a missing credential field', 'POST', 'jobs/pipeline/steps', () => ({ name: 'late', contentName: 'create', targetId: ids.db }), 400, ['body.credentialName']],
    ['a bad onFailure', 'POST', 'jobs/pipeline/steps', () => step('late', { contentName: 'create', onFailure: 'retry' }), 400, ['body.onFailure']],
    ['a malformed step name', 'POST', 'jobs/pipeline/steps', () => step("x'; DROP TABLE job_steps;--", { contentName: 'create' }), 400, ['body.name']],
    ['an unknown job', 'POST', 'jobs/no-such-job/steps', () => step('create'), 404, []],
    ['a move past the last', 'PUT', 'jobs/pipeline/steps/report', () => ({ stepIndex: 5 }), 400, ['body.stepIndex']],
    ['a rename', 'PUT', 'jobs/pipeline/steps/report', () => ({ name: 'renamed' }), 400, ['body.name']],
    ['a changed target outside the credential', 'PUT', 'jobs/pipeline/steps/report', () => ({ targetId: ids.evil }), 403, []],
    ['a changed credential that does not exist', 'PUT', 'jobs/pipeline/steps/report', () => ({ credentialName: 'nobody' }), 404, ['body.credentialName']],
    ['an unknown step (PUT)', 'PUT', 'jobs/pipeline/steps/nonesuch', () => ({ maxParallelism: 2 }), 404, []],
    ['an unknown step (GET)', 'GET', 'jobs/pipeline/steps/nonesuch', () => undefined, 404, []],
    ['an unknown step (DELETE)', 'DELETE', 'jobs/pipeline/steps/nonesuch', () => undefined, 404, []],
    ['an unknown job (list)', 'GET', 'jobs/no-such-job/steps', () => undefined, 404, []],
  ])('refuses %s, writing nothing', async (_label, method, path, body, status, paths) => {
    const before = await snapshot();
    const res = await api.call(method, path, { body: body() });
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toBe('application/problem+json');
    if (paths.length) expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(paths);
    expect(res.text).not.toContain('p4ss');
    expect(await snapshot()).toEqual(before);
  });

  it('says which step is in the way when a content, policy, target or credential is deleted', async () => {
    const content = await api.call('DELETE', 'contents/backfill');
    expect(content.status).toBe(409);
    expect(content.body.detail).toBe("Content 'backfill' is used by job 'pipeline' (step 'backfill'); change or remove that job first.");
    const policy = await api.call('DELETE', 'execution-policies/patient');
    expect(policy.body.detail).toBe("Execution policy 'patient' is used by job 'pipeline' (step 'create'); change or remove that job first.");
    const target = await api.call('DELETE', `targets/${ids.other}`);
    expect(target.status).toBe(409);
    expect(target.body.detail).toBe(`Target ${ids.other} is used by job 'pipeline' (step 'report'); change or delete the job first.`);
    const credential = await api.call('DELETE', 'credentials/runner');
    expect(credential.status).toBe(409);
    expect(credential.body.detail).toBe("Credential 'runner' is used by job 'pipeline' (step 'create'); change or remove that job first.");
  });

  it('PUT /jobs changes step 1 only; on a job without steps it adds step "main" with all three, and names what is missing otherwise', async () => {
    const before = (await ok('GET', 'jobs/pipeline')).steps;
    const changed = await ok('PUT', 'jobs/pipeline', { contentVersion: 1, maxParallelism: 3, overlap: 'queue' });
    expect(changed).toMatchObject({ contentName: 'create', contentVersion: 1, maxParallelism: 3, overlap: 'queue' });
    expect(changed.steps[0]).toMatchObject({ name: 'create', stepIndex: 1, contentVersion: 1, maxParallelism: 3, executionPolicyName: 'patient' });
    expect(changed.steps.slice(1)).toEqual(before.slice(1));

    const snap = await snapshot();
    const partial = await api.call('PUT', 'jobs/empty', { body: { contentName: 'create', enabled: false } });
    expect(partial.status).toBe(400);
    expect(partial.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.credentialName', 'body.targetId']);
    expect(await snapshot()).toEqual(snap);

    const added = await ok('PUT', 'jobs/empty', { contentName: 'create', credentialName: 'runner', targetId: ids.db });
    expect(added.steps).toEqual([expect.objectContaining({ name: 'main', stepIndex: 1, contentName: 'create', executionPolicyName: 'default', onFailure: 'stopJob' })]);
    expect(added.contentName).toBe('create');
  });

  it('makes the old POST /jobs a job with one step "main" (or stepName), and removing every step empties the step 1 fields', async () => {
    const job = await ok('POST', 'jobs', { name: 'classic', contentName: 'report', credentialName: 'runner', targetId: ids.db, captureOutput: true });
    expect(job.steps).toEqual([expect.objectContaining({ name: 'main', stepIndex: 1, contentName: 'report', captureOutput: true })]);
    const named = await ok('POST', 'jobs', { name: 'named', contentName: 'report', credentialName: 'runner', targetId: ids.db, stepName: 'collect' });
    expect(named.steps.map((s: { name: string }) => s.name)).toEqual(['collect']);

    await ok('POST', 'jobs/classic/steps', step('create'));
    await ok('POST', 'jobs/classic/steps', step('backfill'));
    expect((await api.call('DELETE', 'jobs/classic/steps/main')).status).toBe(204);
    expect(await order('classic')).toEqual(['1:create', '2:backfill']);
    expect(await ok('GET', 'jobs/classic')).toMatchObject({ contentName: 'create', captureOutput: false });
    await api.call('DELETE', 'jobs/classic/steps/create');
    await api.call('DELETE', 'jobs/classic/steps/backfill');
    expect(await ok('GET', 'jobs/classic')).toMatchObject({ steps: [], contentName: null, credentialName: null, targetId: null, executionPolicyName: null, captureOutput: false });
    expect(await db().selectFrom('jobs').select(['contentName', 'targetId', 'captureOutput']).where('name', '=', 'classic').executeTakeFirstOrThrow()).toEqual({
      contentName: null,
      targetId: null,
      captureOutput: 0,
    });
  });

  it('snapshots every step at start, content versions resolved then; a later version does not change the snapshot', async () => {
    await ok('POST', 'jobs', { name: 'snap', contentName: 'create', credentialName: 'runner', targetId: ids.db, contentVersion: 1, stepName: 'create' });
    await ok('POST', 'jobs/snap/steps', step('backfill', { maxParallelism: 7, onFailure: 'continue', resultSetDestination: { engine: 'postgres', serverName: 'results.corp.example', databaseName: 'r', schemaName: 'public', tableName: 't', credentialName: 'results' } }));
    await ok('POST', 'jobs/snap/steps', step('report', { targetId: ids.other, executionPolicyName: 'patient' }));
    const execution = await ok('POST', 'jobs/snap/executions');
    expect(started).toContain(execution.id);
    const policyOf = async (name: string) => {
      const { createdAt: _c, updatedAt: _u, ...policy } = await ok('GET', `execution-policies/${name}`);
      return policy;
    };

    const snapshots = await executionStepStore(api.services.control).list(execution.id.toUpperCase());
    expect(snapshots).toEqual([
      {
        stepIndex: 1,
        stepName: 'create',
        contentName: 'create',
        contentVersion: 1,
        credentialName: 'runner',
        targetId: ids.db,
        executionPolicy: await policyOf('default'),
        maxParallelism: 100,
        resultSetDestination: null,
        captureOutput: false,
        onFailure: 'stopJob',
      },
      {
        stepIndex: 2,
        stepName: 'backfill',
        contentName: 'backfill',
        contentVersion: 2,
        credentialName: 'runner',
        targetId: ids.db,
        executionPolicy: await policyOf('default'),
        maxParallelism: 7,
        resultSetDestination: { engine: 'postgres', serverName: 'results.corp.example', databaseName: 'r', schemaName: 'public', tableName: 't', credentialName: 'results' },
        captureOutput: false,
        onFailure: 'continue',
      },
      expect.objectContaining({ stepIndex: 3, stepName: 'report', contentVersion: 1, targetId: ids.other, executionPolicy: await policyOf('patient'), maxParallelism: 100 }),
    ]);
    const destination = await api.call('DELETE', 'credentials/results');
    expect(destination.status).toBe(409);
    expect(destination.body.detail).toBe("Credential 'results' is used by the result destination of job 'snap' (step 'backfill'); change that job first.");
    // The parent's own columns describe step 1, as before steps.
    const parent = await db().selectFrom('jobExecutions').selectAll().where('id', '=', execution.id).executeTakeFirstOrThrow();
    expect(parent).toMatchObject({ contentName: 'create', contentVersion: 1, targetId: ids.db, maxParallelism: 100 });

    await ok('POST', 'contents/backfill/versions', { commandText: '-- backfill v3' });
    await ok('PUT', 'jobs/snap/steps/report', { stepIndex: 1 });
    expect(await executionStepStore(api.services.control).list(execution.id)).toEqual(snapshots);
    const next = await ok('POST', 'jobs/snap/executions');
    expect((await executionStepStore(api.services.control).list(next.id)).map((s) => `${s.stepName}@${s.contentVersion}`)).toEqual(['report@1', 'create@1', 'backfill@3']);
  });

  it('checks every step at start: a later step outside its credential refuses the start (403), writing nothing', async () => {
    await ok('POST', 'jobs', { name: 'narrowing', contentName: 'create', credentialName: 'runner', targetId: ids.db });
    await ok('POST', 'credentials', { name: 'narrow', username: 'u', password: 'narrow-p4ss', allowedServers: ['b.corp.example'] });
    await ok('POST', 'jobs/narrowing/steps', step('second', { contentName: 'report', credentialName: 'narrow', targetId: ids.other }));
    await ok('PUT', 'credentials/narrow', { allowedServers: ['c.corp.example'] });
    const before = await snapshot();
    const res = await api.call('POST', 'jobs/narrowing/executions');
    expect(res.status).toBe(403);
    expect(res.body.detail).toMatch(/^Step 'second': /);
    expect(res.body.detail).toContain("'b.corp.example'");
    expect(await snapshot()).toEqual(before);
  });

  it('refuses every step change of a job marked for deletion (409, nothing written)', async () => {
    await ok('POST', 'jobs', { name: 'doomed', contentName: 'create', credentialName: 'runner', targetId: ids.db });
    await insertHistory(api, 'doomed', { parents: 1, createdAt: NOW, lifecycle: 'InProgress' });
    expect((await api.call('DELETE', 'jobs/doomed')).status).toBe(202);
    const before = await snapshot();
    for (const [method, path, body] of [
      ['POST', 'jobs/doomed/steps', step('more')],
      ['PUT', 'jobs/doomed/steps/main', { maxParallelism: 2 }],
      ['DELETE', 'jobs/doomed/steps/main', undefined],
    ] as const) {
      const res = await api.call(method, path, { body });
      expect(res.status).toBe(409);
      expect(res.body.detail).toBe("Job 'doomed' is marked for deletion and can no longer be changed.");
    }
    expect(await snapshot()).toEqual(before);
    expect((await ok('GET', 'jobs/doomed/steps')).items).toHaveLength(1);
  });

  it('removes a deleted job with its steps and its executions with their step snapshots', async () => {
    await ok('POST', 'jobs', { name: 'gone', contentName: 'create', credentialName: 'runner', targetId: ids.db });
    await ok('POST', 'jobs/gone/steps', step('second', { contentName: 'report' }));
    const execution = await ok('POST', 'jobs/gone/executions');
    await db().updateTable('jobExecutions').set({ lifecycle: 'Succeeded', endTime: NOW }).where('id', '=', execution.id).execute();
    expect((await api.call('DELETE', 'jobs/gone')).status).toBe(202);
    expect((await api.call('GET', 'jobs/gone')).status).toBe(404);
    expect(await db().selectFrom('jobSteps').select('stepName').where('jobName', '=', 'gone').execute()).toEqual([]);
    expect(await executionStepStore(api.services.control).list(execution.id)).toEqual([]);
  });
});
