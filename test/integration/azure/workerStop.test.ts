/**
 * What a Functions worker does when the host terminates it (the appTerminate hook hands over to
 * stopWorker): the running attempt's statement is cancelled on a real PostgreSQL server and the
 * attempt recorded Failed and retryable, within the bound; an attempt asked for afterwards opens
 * no task row and is left unanswered for Durable to deliver again elsewhere. The Functions host
 * itself cannot run here: the hook is called as the worker would call it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { stopWorker, workerActivities } from '../../../src/azure/workerStop';
import { HOST_STOPPED_ATTEMPT_MESSAGE } from '../../../src/domain/attemptRecord';
import { createHostStop } from '../../../src/execution/hostStop';
import { createExecutionHarness, type ExecutionHarness } from '../../support/executionHarness';
import { adminQuery, createTestDatabase } from '../../support/postgres';

async function sleepersIn(database: string): Promise<number> {
  const { rows } = await adminQuery(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND query ILIKE '%pg_sleep%' AND pid <> pg_backend_pid()`, [database]);
  return rows[0].n as number;
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('a Functions worker terminated by its host', () => {
  let h: ExecutionHarness;
  let db: { name: string; url: string; drop: () => Promise<void> };
  let targetId: string;

  beforeAll(async () => {
    h = await createExecutionHarness('sqlite');
    db = await createTestDatabase('workerstop');
    targetId = await h.databaseTarget(db.name);
    const target = new Client({ connectionString: db.url });
    await target.connect();
    await target.query('CREATE TABLE runs (n int)');
    await target.end();
  });
  afterAll(async () => {
    await h.close();
    await db.drop();
  });

  const tasksOf = (childId: string) => h.api.services.control.db.selectFrom('taskExecutions').selectAll().where('jobExecutionId', '=', childId).execute();

  async function child(name: string, script: string): Promise<string> {
    const parentId = await h.start(await h.job({ name, targetId, script }));
    return (await h.activities.expandJobExecution({ executionId: parentId })).children[0].executionId;
  }

  it('cancels the running statement, records the attempt Failed and retryable, and starts no further attempt', async () => {
    const stop = createHostStop();
    const activities = workerActivities(h.api.services, stop);
    const running = await child('stopped-mid-attempt', 'SELECT pg_sleep(30); INSERT INTO runs VALUES (1);');
    const attempt = activities.runTaskAttempt({ executionId: running, attempt: 1, timeoutMs: null });
    await until(async () => (await sleepersIn(db.name)) > 0, 'the statement to run');
    const waiting = await child('asked-after-stop', 'INSERT INTO runs VALUES (2);');

    const t0 = Date.now();
    await expect(stopWorker(stop, 4_000)).resolves.toBe(true);
    expect(Date.now() - t0).toBeLessThan(4_000);
    await expect(attempt).resolves.toEqual({ lifecycle: 'Failed', retryable: true, message: HOST_STOPPED_ATTEMPT_MESSAGE });
    expect(await tasksOf(running)).toMatchObject([{ attempt: 1, lifecycle: 'Failed', message: HOST_STOPPED_ATTEMPT_MESSAGE }]);
    expect(await sleepersIn(db.name)).toBe(0);

    // Asked for on the stopping worker: no answer (Durable delivers it again elsewhere), no row, no run.
    const late = activities.runTaskAttempt({ executionId: waiting, attempt: 1, timeoutMs: null }).then(() => 'answered');
    await expect(Promise.race([late, sleep(500).then(() => 'unanswered')])).resolves.toBe('unanswered');
    expect(await tasksOf(waiting)).toEqual([]);
    const target = new Client({ connectionString: db.url });
    await target.connect();
    try {
      expect((await target.query('SELECT count(*)::int AS n FROM runs')).rows[0].n).toBe(0);
    } finally {
      await target.end();
    }
  });

  it('a worker that is not stopping runs attempts as usual', async () => {
    const activities = workerActivities(h.api.services, createHostStop());
    const id = await child('not-stopping', 'INSERT INTO runs VALUES (3);');
    await expect(activities.runTaskAttempt({ executionId: id, attempt: 1, timeoutMs: null })).resolves.toEqual({ lifecycle: 'Succeeded', retryable: false, message: null });
  });
});
