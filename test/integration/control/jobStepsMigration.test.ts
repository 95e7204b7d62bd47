import { sql } from 'kysely';
import { openControlDatabase, type ControlDatabase } from '../../../src/control/connection';
import { CONTROL_DIALECTS, createControlUrl } from '../../support/controlDatabases';
import { CHILD_IDS, DESTINATION, migrateRest, PARENT_ID, preservedRows, rowsOf, seedAt0011, T0, TARGET_ID, type Before0012 } from '../../support/jobStepsMigration';

describe.each(CONTROL_DIALECTS)('migration 0012_job_steps on %s', (dialect) => {
  let control: ControlDatabase;
  let drop: () => Promise<void>;
  let before: Before0012;

  beforeAll(async () => {
    const created = await createControlUrl(dialect);
    drop = created.drop;
    control = openControlDatabase(created.url);
    before = await seedAt0011(control);
    await migrateRest(control);
  });
  afterAll(async () => {
    await control.close();
    await drop();
  });

  // The message, not toThrow: better-sqlite3's error class comes from the first test file of a
  // jest process that loaded it, so in a later file it is no instance of this file's Error.
  const messageOf = (promise: Promise<unknown>) => promise.then(
    () => 'resolved',
    (e: unknown) => String((e as { message?: unknown })?.message ?? e),
  );
  const refused = async (promise: Promise<unknown>) => expect(await messageOf(promise)).toMatch(/foreign key|FOREIGN KEY/i);

  it('keeps every row of jobs, triggers, executions and tasks as it was', async () => {
    expect(before.rows.jobs).toHaveLength(2);
    expect(before.rows.jobExecutions).toHaveLength(3);
    expect(await preservedRows(control)).toEqual(before.rows);
  });

  it('backfills one step "main" per job from its own columns, and one snapshot step per parent', async () => {
    const steps = await rowsOf(control, 'jobSteps', ['jobName']);
    expect(steps).toEqual([
      {
        jobName: 'everything set',
        stepName: 'main',
        stepIndex: 1,
        contentName: 'script',
        contentVersion: 1,
        credentialName: 'runner',
        targetId: TARGET_ID,
        executionPolicyName: 'default',
        maxParallelism: 7,
        resultSetDestination: JSON.stringify(DESTINATION),
        captureOutput: 1,
        onFailure: 'stopJob',
        createdAt: T0,
        updatedAt: T0,
      },
      expect.objectContaining({ jobName: 'plain', stepName: 'main', stepIndex: 1, contentVersion: null, maxParallelism: null, resultSetDestination: null, captureOutput: 0 }),
    ]);
    const snapshots = await rowsOf(control, 'jobExecutionSteps', ['executionId']);
    expect(snapshots).toEqual([
      {
        executionId: PARENT_ID,
        stepIndex: 1,
        stepName: 'main',
        contentName: 'script',
        contentVersion: 1,
        credentialName: 'runner',
        targetId: TARGET_ID,
        executionPolicy: before.rows.jobExecutions[0].executionPolicy,
        maxParallelism: 7,
        resultSetDestination: JSON.stringify(DESTINATION),
        captureOutput: 1,
        onFailure: 'stopJob',
      },
    ]);
    const children = await control.db.selectFrom('jobExecutions').select(['id', 'stepIndex', 'stepName']).where('parentId', 'is not', null).orderBy('id').execute();
    expect(children).toEqual(CHILD_IDS.map((id) => ({ id, stepIndex: 1, stepName: 'main' })));
    const parent = await control.db.selectFrom('jobExecutions').select(['stepIndex', 'stepName']).where('id', '=', PARENT_ID).executeTakeFirstOrThrow();
    expect(parent).toEqual({ stepIndex: null, stepName: null });
  });

  it('keeps every foreign key to and from jobs: a trigger or a step of a missing job, or a job naming a missing content, is refused', async () => {
    if (dialect === 'sqlite') expect((await sql<{ foreign_keys: number }>`PRAGMA foreign_keys`.execute(control.db)).rows[0]).toEqual({ foreignKeys: 1 });
    await refused(control.db.insertInto('triggers').values({ jobName: 'no such job', scheduleName: 'hourly', createdAt: T0 }).execute());
    const job = { contentVersion: null, credentialName: 'runner', targetId: TARGET_ID, executionPolicyName: 'default', maxParallelism: null, resultSetDestination: null, overlap: 'skip', captureOutput: 0, markedForDeletionAt: null, createdAt: T0, updatedAt: T0 };
    await refused(control.db.insertInto('jobs').values({ ...job, name: 'dangling', contentName: 'no such content' } as never).execute());
    await refused(control.db.insertInto('jobs').values({ ...job, name: 'dangling', contentName: 'script', credentialName: 'nobody' } as never).execute());
    await refused(control.db.insertInto('jobs').values({ ...job, name: 'dangling', contentName: 'script', targetId: 'a0000000-0000-4000-8000-0000000000ff' } as never).execute());
    await refused(control.db.insertInto('jobs').values({ ...job, name: 'dangling', contentName: 'script', executionPolicyName: 'nonesuch' } as never).execute());
    await refused(control.db.deleteFrom('contents').where('name', '=', 'script').execute());
    await refused(control.db.deleteFrom('jobs').where('name', '=', 'plain').execute());
    await refused(
      control.db
        .insertInto('jobSteps')
        .values({ jobName: 'no such job', stepName: 's', stepIndex: 1, contentName: 'script', contentVersion: null, credentialName: 'runner', targetId: TARGET_ID, executionPolicyName: 'default', maxParallelism: null, resultSetDestination: null, captureOutput: 0, onFailure: 'stopJob', createdAt: T0, updatedAt: T0 })
        .execute(),
    );
    await refused(control.db.deleteFrom('jobExecutions').where('id', '=', PARENT_ID).execute());
  });

  it('lets a job have no content, credential, target or policy (no steps)', async () => {
    await control.db
      .insertInto('jobs')
      .values({ name: 'empty', contentName: null, contentVersion: null, credentialName: null, targetId: null, executionPolicyName: null, maxParallelism: null, resultSetDestination: null, overlap: 'skip', captureOutput: 0, markedForDeletionAt: null, createdAt: T0, updatedAt: T0, enabled: 1, enabledAt: null, notifyUrl: null, notifyOn: null, notifySince: null })
      .execute();
    const row = await control.db.selectFrom('jobs').selectAll().where('name', '=', 'empty').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ contentName: null, credentialName: null, targetId: null, executionPolicyName: null, enabled: 1 });
  });

  it('lets one database be a child once per step of a parent', async () => {
    const child = { ...before.rows.jobExecutions.find((r) => r.id === CHILD_IDS[0])!, id: 'b0000000-0000-4000-8000-0000000000f1' } as Record<string, unknown>;
    expect(await messageOf(control.db.insertInto('jobExecutions').values({ ...child, stepIndex: 1, stepName: 'main' } as never).execute())).toMatch(/unique|UNIQUE|duplicate/i);
    await control.db.insertInto('jobExecutions').values({ ...child, stepIndex: 2, stepName: 'second' } as never).execute();
    const twice = await control.db.selectFrom('jobExecutions').select('stepIndex').where('targetDatabase', '=', 'db0').orderBy('stepIndex').execute();
    expect(twice).toEqual([{ stepIndex: 1 }, { stepIndex: 2 }]);
  });
});
