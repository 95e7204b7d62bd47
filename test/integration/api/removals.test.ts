/**
 * Removing things, on every control database dialect: a job with nothing running is gone (with
 * its history) when DELETE answers, so its name is free at once, while one with an active
 * execution waits and a create under its name says why and until when; a content (every
 * version) and an execution policy can be deleted unless a job uses them, and `default` never;
 * and the execution list filters by lifecycle and creation time window.
 */
import { CONTROL_DIALECTS } from '../../support/controlDatabases';
import { countOf, createSchedulerHarness, insertHistory, type SchedulerHarness } from '../scheduler/schedulerHarness';

describe.each(CONTROL_DIALECTS)('removals and execution filters on %s', (dialect) => {
  let h: SchedulerHarness;
  const daysAgo = (n: number) => new Date(h.clock.now().getTime() - n * 86_400_000).toISOString();

  beforeAll(async () => {
    h = await createSchedulerHarness(dialect);
  });
  afterAll(async () => h?.close());

  it('removes a job with nothing active, and its history, before answering 202: the name is free at once', async () => {
    await h.job('audit');
    await insertHistory(h.api, 'audit', { parents: 2, createdAt: daysAgo(1), childrenEach: 2 });
    const res = await h.api.call('DELETE', 'jobs/audit');
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ name: 'audit', markedForDeletion: true });
    expect(res.headers.location).toBeUndefined();
    expect((await h.api.call('GET', 'jobs/audit')).status).toBe(404);
    expect(await h.executionsOf('audit')).toEqual([]);
    await h.job('audit');
    expect((await h.api.call('GET', 'jobs/audit')).body.markedForDeletion).toBe(false);
  });

  it('keeps a job with an active execution until it ends; a create under its name is 409 saying it is being deleted and when it goes', async () => {
    await h.job('busy');
    const running = await h.api.ok('POST', 'jobs/busy/executions');
    expect((await h.api.call('DELETE', 'jobs/busy')).status).toBe(202);
    expect((await h.api.call('GET', 'jobs/busy')).body.markedForDeletion).toBe(true);

    const jobs = await countOf(h.api, 'jobs');
    const again = await h.api.call('POST', 'jobs', { body: { name: 'busy', contentName: 'script', credentialName: 'runner', targetId: (await h.api.ok('GET', 'jobs/busy')).targetId } });
    expect(again.status).toBe(409);
    expect(again.body.detail).toContain("Job 'busy' is being deleted");
    expect(again.body.detail).toContain('within 5 minutes of that execution ending');
    expect(await countOf(h.api, 'jobs')).toBe(jobs);

    await h.finish(running.id);
    expect((await h.housekeeping()).removedJobs).toEqual(['busy']);
    expect((await h.api.call('GET', 'jobs/busy')).status).toBe(404);
  });

  it('deletes a content with every version, unless a job uses it (409, nothing deleted)', async () => {
    await h.api.ok('POST', 'contents', { name: 'old-script', type: 'script', commandText: 'SELECT 1' });
    await h.api.ok('POST', 'contents/old-script/versions', { commandText: 'SELECT 2' });
    expect((await h.api.call('DELETE', 'contents/old-script')).status).toBe(204);
    expect((await h.api.call('GET', 'contents/old-script')).status).toBe(404);
    expect((await h.api.call('GET', 'contents/old-script/versions/1')).status).toBe(404);
    expect((await h.api.call('DELETE', 'contents/old-script')).status).toBe(404);
    // A new content may take the name again, from version 1.
    expect((await h.api.ok('POST', 'contents', { name: 'old-script', type: 'script', commandText: 'SELECT 3' })).version).toBe(1);

    await h.job('uses-script');
    const used = await h.api.call('DELETE', 'contents/script');
    expect(used.status).toBe(409);
    expect(used.body.detail).toBe("Content 'script' is used by job 'audit' (step 'main'); change or remove that job first.");
    expect((await h.api.call('GET', 'contents/script')).status).toBe(200);
  });

  it('deletes an execution policy unless a job uses it; default cannot be deleted', async () => {
    const policy = { jobTimeout: 'PT10M', initialRetryInterval: 'PT1S', maximumRetryInterval: 'PT30S', retryIntervalBackoffCoefficient: 2, maximumAttempts: 3 };
    await h.api.ok('POST', 'execution-policies', { name: 'spare', ...policy });
    expect((await h.api.call('DELETE', 'execution-policies/spare')).status).toBe(204);
    expect((await h.api.call('GET', 'execution-policies/spare')).status).toBe(404);

    await h.api.ok('POST', 'execution-policies', { name: 'quick', ...policy });
    await h.api.ok('PUT', 'jobs/audit', { executionPolicyName: 'quick' });
    const used = await h.api.call('DELETE', 'execution-policies/quick');
    expect(used.status).toBe(409);
    expect(used.body.detail).toBe("Execution policy 'quick' is used by job 'audit' (step 'main'); change or remove that job first.");

    const fallback = await h.api.call('DELETE', 'execution-policies/default');
    expect(fallback.status).toBe(409);
    expect(fallback.body.detail).toContain('cannot be deleted');
    expect((await h.api.call('GET', 'execution-policies/default')).status).toBe(200);
  });

  it('filters executions by lifecycle and by a creation time window, finished ones included', async () => {
    await h.job('filtered');
    await insertHistory(h.api, 'filtered', { parents: 2, createdAt: daysAgo(3), lifecycle: 'Failed' });
    await insertHistory(h.api, 'filtered', { parents: 1, createdAt: daysAgo(1), lifecycle: 'Failed' });
    await insertHistory(h.api, 'filtered', { parents: 1, createdAt: daysAgo(1), lifecycle: 'Succeeded' });
    const list = async (query: string) => (await h.api.ok('GET', `executions?jobName=filtered&${query}`)).items.map((e: { lifecycle: string }) => e.lifecycle);

    expect(await list('lifecycle=Failed')).toEqual(['Failed', 'Failed', 'Failed']);
    expect((await list('lifecycle=Failed,Succeeded')).sort()).toEqual(['Failed', 'Failed', 'Failed', 'Succeeded']);
    expect(await list(`lifecycle=Failed&createdAfter=${daysAgo(2)}`)).toEqual(['Failed']);
    // A zone offset is the same instant as its UTC form.
    const until = new Date(Date.parse(daysAgo(2)));
    const plusOne = new Date(until.getTime() + 3_600_000).toISOString().replace('Z', '+01:00').replace(/\.\d{3}/, '');
    expect(await list(`lifecycle=Failed&createdBefore=${encodeURIComponent(plusOne)}`)).toEqual(['Failed', 'Failed']);

    const bad = await h.api.call('GET', 'executions?lifecycle=Broken');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toMatch(/^query\.lifecycle/);
    const noZone = await h.api.call('GET', 'executions?createdAfter=2026-11-01T00:00:00');
    expect(noZone.status).toBe(400);
    const empty = await h.api.call('GET', `executions?createdAfter=${daysAgo(1)}&createdBefore=${daysAgo(2)}`);
    expect(empty.status).toBe(400);
    expect(empty.body.errors).toEqual([{ path: 'query.createdBefore', message: 'must be after createdAfter' }]);
  });
});
