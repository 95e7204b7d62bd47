/**
 * Multi-step jobs on a TDS server as the control database: migration 0012 over a database that
 * holds rows (its columns made nullable by replacement, since ALTER COLUMN ... NULL is not
 * served everywhere), then step changes through the stores.
 */
import { openControlDatabase, type ControlDatabase } from '../../src/control/connection';
import { executionStepStore } from '../../src/control/stores/executionStepStore';
import { executionStore } from '../../src/control/stores/executionStore';
import { jobStepStore } from '../../src/control/stores/jobStepStore';
import { jobStore } from '../../src/control/stores/jobStore';
import { newParentExecution } from '../support/parentExecution';
import type { StepSettings } from '../../src/domain/schemas/step';
import { CHILD_IDS, migrateRest, preservedRows, seedAt0011, T0, TARGET_ID, type Before0012 } from '../support/jobStepsMigration';
import { controlUrl, createDatabases, dropDatabases, query, RUN, serverName } from './serverUnderTest';

describe(`job steps on a control database at ${serverName}`, () => {
  const database = `${RUN}_steps`;
  let control: ControlDatabase;
  let before: Before0012;

  beforeAll(async () => {
    await createDatabases([database]);
    control = openControlDatabase(controlUrl(database));
    before = await seedAt0011(control);
    await migrateRest(control);
  });
  afterAll(async () => {
    await control?.close();
    await dropDatabases();
  });

  const refused = (promise: Promise<unknown>) => expect(promise).rejects.toThrow(/FOREIGN KEY|foreign key/);

  it('migration 0012 keeps every row and every foreign key, and makes the step 1 columns of jobs nullable', async () => {
    expect(await preservedRows(control)).toEqual(before.rows);
    const nullable = await query<{ name: string; allows: number }>(
      database,
      "SELECT c.name AS name, c.is_nullable AS allows FROM sys.columns c WHERE c.object_id = OBJECT_ID('jobs') AND c.name IN ('content_name', 'credential_name', 'target_id', 'execution_policy_name') ORDER BY c.name",
    );
    expect(nullable.map((c) => [c.name, Number(c.allows)])).toEqual([
      ['content_name', 1],
      ['credential_name', 1],
      ['execution_policy_name', 1],
      ['target_id', 1],
    ]);
    await refused(control.db.insertInto('triggers').values({ jobName: 'no such job', scheduleName: 'hourly', createdAt: T0 }).execute());
    const job = { contentVersion: null, credentialName: 'runner', targetId: TARGET_ID, executionPolicyName: 'default', maxParallelism: null, resultSetDestination: null, overlap: 'skip', captureOutput: 0, markedForDeletionAt: null, createdAt: T0, updatedAt: T0 };
    await refused(control.db.insertInto('jobs').values({ ...job, name: 'dangling', contentName: 'no such content' } as never).execute());
    await refused(control.db.insertInto('jobs').values({ ...job, name: 'dangling', contentName: 'script', credentialName: 'nobody' } as never).execute());
    await refused(control.db.insertInto('jobs').values({ ...job, name: 'dangling', contentName: 'script', targetId: 'a0000000-0000-4000-8000-0000000000ff' } as never).execute());
    await refused(control.db.insertInto('jobs').values({ ...job, name: 'dangling', contentName: 'script', executionPolicyName: 'nonesuch' } as never).execute());
    await control.db.insertInto('jobs').values({ ...job, name: 'empty', contentName: null, credentialName: null, targetId: null, executionPolicyName: null } as never).execute();
    const children = await control.db.selectFrom('jobExecutions').select(['id', 'stepIndex', 'stepName']).where('parentId', 'is not', null).orderBy('id').execute();
    expect(children.map((c) => ({ ...c, id: c.id.toLowerCase() }))).toEqual(CHILD_IDS.map((id) => ({ id, stepIndex: 1, stepName: 'main' })));
    expect(await control.db.selectFrom('jobSteps').select(['jobName', 'stepName', 'stepIndex']).orderBy('jobName').execute()).toEqual([
      { jobName: 'everything set', stepName: 'main', stepIndex: 1 },
      { jobName: 'plain', stepName: 'main', stepIndex: 1 },
    ]);
  });

  const settings = (contentName: string, extra: Partial<StepSettings> = {}): StepSettings => ({
    contentName,
    contentVersion: null,
    credentialName: 'runner',
    targetId: TARGET_ID.toUpperCase(),
    executionPolicyName: 'default',
    maxParallelism: null,
    resultSetDestination: null,
    captureOutput: false,
    onFailure: 'stopJob',
    ...extra,
  });
  const jobSettings = { overlap: 'skip' as const, enabled: true, notify: null, canary: null, failureThreshold: null, maxParallelismPerServer: null };

  it('adds, moves and removes steps through the stores, renumbering in one transaction and mirroring step 1 on the job row', async () => {
    const jobs = jobStore(control);
    const steps = jobStepStore(control);
    await jobs.create('pipeline', jobSettings, { name: 'main', settings: settings('script') }, T0);
    await steps.add('pipeline', { name: 'second', settings: settings('script', { contentVersion: 2, onFailure: 'continue' }) }, T0);
    await steps.add('pipeline', { name: 'first', settings: settings('script', { maxParallelism: 3 }), stepIndex: 1 }, T0);
    const names = async () => (await steps.list('pipeline')).map((s) => `${s.stepIndex}:${s.name}`);
    expect(await names()).toEqual(['1:first', '2:main', '3:second']);
    expect((await control.db.selectFrom('jobs').select(['maxParallelism', 'targetId']).where('name', '=', 'pipeline').executeTakeFirstOrThrow()).maxParallelism).toBe(3);
    await steps.update('pipeline', 'first', settings('script', { maxParallelism: 4 }), 3, T0);
    expect(await names()).toEqual(['1:main', '2:second', '3:first']);
    expect((await jobs.get('pipeline')).maxParallelism).toBeNull();
    await steps.update('pipeline', 'first', settings('script'), 1, T0);
    expect(await names()).toEqual(['1:first', '2:main', '3:second']);
    await steps.remove('pipeline', 'main', T0);
    expect(await names()).toEqual(['1:first', '2:second']);
    await expect(steps.add('pipeline', { name: 'second', settings: settings('script') }, T0)).rejects.toThrow("already has a step named 'second'");
    await expect(steps.add('pipeline', { name: 'late', settings: settings('script'), stepIndex: 4 }, T0)).rejects.toThrow('stepIndex 4 is beyond the end');
    const job = await jobs.get('pipeline');
    expect(job.steps.map((s) => [s.name, s.targetId, s.onFailure])).toEqual([
      ['first', TARGET_ID, 'stopJob'],
      ['second', TARGET_ID, 'continue'],
    ]);
    await steps.remove('pipeline', 'first', T0);
    await steps.remove('pipeline', 'second', T0);
    expect(await control.db.selectFrom('jobs').select(['contentName', 'credentialName', 'targetId', 'executionPolicyName']).where('name', '=', 'pipeline').executeTakeFirstOrThrow()).toEqual({
      contentName: null,
      credentialName: null,
      targetId: null,
      executionPolicyName: null,
    });
  });

  it('writes a parent with its step snapshots and reads them back in order, ids lower-case', async () => {
    const policy = { name: 'default', jobTimeout: 'P7D', initialRetryInterval: 'PT1S', maximumRetryInterval: 'PT1M', retryIntervalBackoffCoefficient: 2, maximumAttempts: 3, taskTimeout: null };
    const step = (stepIndex: number, stepName: string) => ({ stepIndex, stepName, contentName: 'script', contentVersion: stepIndex, credentialName: 'runner', targetId: TARGET_ID.toUpperCase(), executionPolicy: policy, maxParallelism: 10, resultSetDestination: null, captureOutput: false, onFailure: 'stopJob' as const });
    const parent = await executionStore(control).insertParent(
      newParentExecution({ id: 'D0000000-0000-4000-8000-000000000001', jobName: 'pipeline', targetId: TARGET_ID, executionPolicy: policy, steps: [step(2, 'second'), step(1, 'first')], now: T0 }),
    );
    const read = await executionStepStore(control).list(parent.id.toUpperCase());
    expect(read.map((s) => [s.stepIndex, s.stepName, s.contentVersion, s.targetId])).toEqual([
      [1, 'first', 1, TARGET_ID],
      [2, 'second', 2, TARGET_ID],
    ]);
    expect(read[0].executionPolicy).toEqual(policy);
  });
});

