/**
 * runTaskAttempt invoked for (child, attempt k) whose task row exists without an outcome: what
 * Durable does when it runs an activity again after the worker that started it was recycled
 * (or the local host resumes after a crash). The row is the licence to send the script, so the
 * script must not run under it again: the attempt is closed Failed and retryable as interrupted,
 * and the retry is the next attempt number. Proven on a real PostgreSQL target whose script
 * inserts a row.
 */
import { Client } from 'pg';
import { taskStore } from '../../../src/control/stores/taskStore';
import { INTERRUPTED_ATTEMPT_MESSAGE } from '../../../src/domain/attemptRecord';
import { CONTROL_DIALECTS } from '../../support/controlDatabases';
import { createExecutionHarness, type ExecutionHarness } from '../../support/executionHarness';
import { createTestDatabase } from '../../support/postgres';

describe.each(CONTROL_DIALECTS)('runTaskAttempt finding its attempt open, on %s', (dialect) => {
  let h: ExecutionHarness;
  let db: { name: string; url: string; drop: () => Promise<void> };
  let targetId: string;
  let target: Client;

  beforeAll(async () => {
    h = await createExecutionHarness(dialect);
    db = await createTestDatabase('foundopen');
    targetId = await h.databaseTarget(db.name);
    target = new Client({ connectionString: db.url });
    await target.connect();
    await target.query('CREATE TABLE runs (id serial PRIMARY KEY, job text)');
  });
  afterAll(async () => {
    await target.end();
    await h.close();
    await db.drop();
  });

  const rowsOf = async (job: string) => (await target.query('SELECT count(*)::int AS n FROM runs WHERE job = $1', [job])).rows[0].n as number;
  const tasksOf = (childId: string) =>
    h.api.services.control.db.selectFrom('taskExecutions').selectAll().where('jobExecutionId', '=', childId).orderBy('attempt').execute();

  it('closes the open row Failed and retryable as interrupted, does not run the script, and the next attempt runs it once', async () => {
    const job = `found-open-${dialect}`;
    const parentId = await h.start(await h.job({ name: job, targetId, script: `INSERT INTO runs (job) VALUES ('${job}');` }));
    const childId = (await h.activities.expandJobExecution({ executionId: parentId })).children[0].executionId;
    // A worker opened attempt 1 (its licence to send the script) and was recycled before it recorded an outcome.
    const opened = await taskStore(h.api.services.control).openAttempt(childId, 1, h.clock.now().toISOString());
    expect(opened.opened).toBe(true);
    const runsBefore = h.driverCalls.filter((c) => c.method === 'run').length;

    const out = await h.activities.runTaskAttempt({ executionId: childId, attempt: 1, timeoutMs: null });

    expect(out).toEqual({ lifecycle: 'Failed', retryable: true, message: INTERRUPTED_ATTEMPT_MESSAGE });
    expect(out.message).toMatch(/^The host stopped during this attempt/);
    expect(h.driverCalls.filter((c) => c.method === 'run').length).toBe(runsBefore);
    expect(await rowsOf(job)).toBe(0);
    const [task] = await tasksOf(childId);
    expect(task).toMatchObject({ id: opened.id, attempt: 1, lifecycle: 'Failed', message: INTERRUPTED_ATTEMPT_MESSAGE });
    expect(task.endTime).not.toBeNull();
    const child = await h.api.services.control.db.selectFrom('jobExecutions').selectAll().where('id', '=', childId).executeTakeFirstOrThrow();
    expect(child.lastMessage).toBe(`Attempt 1: ${INTERRUPTED_ATTEMPT_MESSAGE}`);

    // Durable may deliver it once more: the recorded outcome again, still no run.
    await expect(h.activities.runTaskAttempt({ executionId: childId, attempt: 1, timeoutMs: null })).resolves.toEqual(out);
    expect(await rowsOf(job)).toBe(0);
    expect(await tasksOf(childId)).toHaveLength(1);

    // The orchestrator's retry is attempt 2, a row of its own, and it runs the script once.
    await expect(h.activities.runTaskAttempt({ executionId: childId, attempt: 2, timeoutMs: null })).resolves.toEqual({ lifecycle: 'Succeeded', retryable: false, message: null });
    expect(await rowsOf(job)).toBe(1);
    expect((await tasksOf(childId)).map((t) => [t.attempt, t.lifecycle])).toEqual([
      [1, 'Failed'],
      [2, 'Succeeded'],
    ]);
  });
});
