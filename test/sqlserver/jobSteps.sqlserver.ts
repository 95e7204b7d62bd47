/**
 * Multi-step jobs on a TDS server as the control database: migration 0012 over a database that
 * holds rows (its columns made nullable by replacement, since ALTER COLUMN ... NULL is not
 * served everywhere), then step changes through the stores.
 */
import { openControlDatabase, type ControlDatabase } from '../../src/control/connection';
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
});
