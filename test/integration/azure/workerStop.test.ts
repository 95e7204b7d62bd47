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
import type { RunLaneInput } from '../../../src/execution/contracts';
import { createHostStop } from '../../../src/execution/hostStop';
import { createExecutionHarness, type ExecutionHarness } from '../../support/executionHarness';
import { adminQuery, sleepersIn, createTestDatabase } from '../../support/postgres';
import { until } from '../../support/until';



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

  /** Starts and expands a job; returns its child and the input of its one lane. */
  async function lane(name: string, script: string): Promise<{ childId: string; input: RunLaneInput }> {
    const parentId = await h.start(await h.job({ name, targetId, script }));
    const plan = await h.activities.expandJobExecution({ executionId: parentId });
    const [child] = await h.api.services.control.db.selectFrom('jobExecutions').select('id').where('parentId', '=', parentId).execute();
    return { childId: child.id, input: { parentId, lane: 0, slots: plan.lanes[0].slots, policy: plan.policy, deadline: plan.deadline } };
  }
  const childOf = (id: string) => h.api.services.control.db.selectFrom('jobExecutions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('cancels the running statement, records the attempt Failed and retryable, queues its child again at once, and claims nothing more', async () => {
    const stop = createHostStop();
    const activities = workerActivities(h.api.services, stop);
    const running = await lane('stopped-mid-attempt', 'SELECT pg_sleep(30); INSERT INTO runs VALUES (1);');
    const call = activities.runLane(running.input);
    await until(async () => (await sleepersIn(db.name)) > 0, 'the statement to run');
    const waiting = await lane('asked-after-stop', 'INSERT INTO runs VALUES (2);');

    const t0 = Date.now();
    await expect(stopWorker(stop, 4_000)).resolves.toBe(true);
    expect(Date.now() - t0).toBeLessThan(4_000);
    await expect(call).resolves.toMatchObject({ attempts: 1 });
    expect(await tasksOf(running.childId)).toMatchObject([{ attempt: 1, lifecycle: 'Failed', message: HOST_STOPPED_ATTEMPT_MESSAGE, retryable: 1 }]);
    expect(await childOf(running.childId)).toMatchObject({ lifecycle: 'WaitingForRetry', notBefore: h.clock.now().toISOString(), runningTaskId: null });
    expect(await sleepersIn(db.name)).toBe(0);

    // Asked for on the stopping worker: no answer (Durable delivers it again elsewhere), no claim, no row, no run.
    const late = activities.runLane(waiting.input).then(() => 'answered');
    await expect(Promise.race([late, sleep(500).then(() => 'unanswered')])).resolves.toBe('unanswered');
    expect(await tasksOf(waiting.childId)).toEqual([]);
    expect(await childOf(waiting.childId)).toMatchObject({ lifecycle: 'Created', runningTaskId: null });
    const target = new Client({ connectionString: db.url });
    await target.connect();
    try {
      expect((await target.query('SELECT count(*)::int AS n FROM runs')).rows[0].n).toBe(0);
    } finally {
      await target.end();
    }
  });

  it('a worker that is not stopping runs lanes as usual', async () => {
    const activities = workerActivities(h.api.services, createHostStop());
    const { childId, input } = await lane('not-stopping', 'INSERT INTO runs VALUES (3);');
    await expect(activities.runLane(input)).resolves.toEqual({ attempts: 1, more: false, nextNotBefore: null });
    expect((await childOf(childId)).lifecycle).toBe('Succeeded');
  });
});
