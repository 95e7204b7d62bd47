import { randomUUID } from 'node:crypto';
import { executionStore } from '../../../src/control/stores/executionStore';
import { INTERRUPTED_ATTEMPT_MESSAGE } from '../../../src/domain/attemptRecord';
import { taskStore } from '../../../src/control/stores/taskStore';
import { CONTROL_DIALECTS } from '../../support/controlDatabases';
import { createExecutionHarness, type ExecutionHarness } from '../../support/executionHarness';

describe.each(CONTROL_DIALECTS)('marking executions and completeJobExecution on %s', (dialect) => {
  let h: ExecutionHarness;
  let jobs = 0;

  beforeAll(async () => {
    h = await createExecutionHarness(dialect);
  });
  afterAll(async () => h.close());

  const row = (id: string) => h.api.services.control.db.selectFrom('jobExecutions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  /** A started and expanded job over `n` databases (never connected to here); children in database order. */
  async function expanded(n: number) {
    const job = `job-${++jobs}`;
    const ids = [];
    for (let i = 0; i < n; i++) ids.push(await h.databaseTarget(`${job}_db${i}`));
    const collection = await h.collection(`${job}-targets`, ids.map((id) => ({ id })));
    const parentId = await h.start(await h.job({ name: job, targetId: collection }));
    await h.activities.expandJobExecution({ executionId: parentId });
    const children = await h.api.services.control.db.selectFrom('jobExecutions').select('id').where('parentId', '=', parentId).orderBy('targetDatabase').execute();
    return { parentId, childIds: children.map((c) => c.id) };
  }

  it('sets lifecycle and message, start time on the first InProgress, end time on a terminal one; never moves a terminal row', async () => {
    const { childIds } = await expanded(1);
    const [id] = childIds;
    expect(await h.mark(id, 'InProgress')).toEqual({ lifecycle: 'InProgress' });
    const started = await row(id);
    expect(started.lifecycle).toBe('InProgress');
    expect(started.startTime).toBe(h.clock.now().toISOString());
    h.clock.advance(1_000);
    await h.mark(id, 'WaitingForRetry', 'Attempt 1 failed');
    await h.mark(id, 'InProgress');
    expect((await row(id)).startTime).toBe(started.startTime);
    expect((await row(id)).lastMessage).toBe('Attempt 1 failed');

    h.clock.advance(1_000);
    await h.mark(id, 'Succeeded', null);
    const done = await row(id);
    expect(done).toMatchObject({ lifecycle: 'Succeeded', lastMessage: null, endTime: h.clock.now().toISOString() });

    h.clock.advance(1_000);
    expect(await h.mark(id, 'Failed', 'late')).toEqual({ lifecycle: 'Succeeded' });
    expect(await h.mark(id, 'InProgress')).toEqual({ lifecycle: 'Succeeded' });
    expect(await row(id)).toEqual(done);
  });

  it('rolls the children up into the parent with a one-line summary, once', async () => {
    const { parentId, childIds } = await expanded(3);
    await h.mark(childIds[0], 'Succeeded');
    await h.mark(childIds[1], 'Succeeded');
    await h.mark(childIds[2], 'Skipped', 'database gone');
    expect(await h.activities.completeJobExecution({ executionId: parentId })).toEqual({ lifecycle: 'SucceededWithSkipped' });
    const parent = await row(parentId);
    expect(parent).toMatchObject({ lifecycle: 'SucceededWithSkipped', lastMessage: '2 succeeded, 1 skipped', endTime: h.clock.now().toISOString() });

    h.clock.advance(5_000);
    expect(await h.activities.completeJobExecution({ executionId: parentId, reason: 'Canceled' })).toEqual({ lifecycle: 'SucceededWithSkipped' });
    expect(await row(parentId)).toEqual(parent);
  });

  it('fails the parent when one child failed', async () => {
    const { parentId, childIds } = await expanded(2);
    await h.mark(childIds[0], 'Succeeded');
    await h.mark(childIds[1], 'Failed', 'syntax error');
    expect(await h.activities.completeJobExecution({ executionId: parentId })).toEqual({ lifecycle: 'Failed' });
    expect((await row(parentId)).lastMessage).toBe('1 succeeded, 1 failed');
  });

  it.each(['Canceled', 'TimedOut'] as const)('on %s ends every open child that way, an attempt left claimed written as interrupted, leaving finished ones alone', async (reason) => {
    const { parentId, childIds } = await expanded(3);
    await h.mark(childIds[0], 'Succeeded');
    // A lane whose activity failed for good left childIds[1] claimed (the first still queued, by database name).
    const claimed = (await executionStore(h.api.services.control).claimNext({ parentId, lane: 0, now: h.clock.now().toISOString(), taskId: randomUUID(), claim: true }))!;
    expect(claimed.child.id).toBe(childIds[1]);
    const open = { id: claimed.taskId };
    await h.mark(childIds[2], 'WaitingForRetry');
    h.clock.advance(2_000);

    expect(await h.activities.completeJobExecution({ executionId: parentId, reason })).toEqual({ lifecycle: reason });
    const now = h.clock.now().toISOString();
    expect(await row(childIds[0])).toMatchObject({ lifecycle: 'Succeeded' });
    expect((await row(childIds[0])).endTime).not.toBe(now);
    for (const id of childIds.slice(1)) expect(await row(id)).toMatchObject({ lifecycle: reason, endTime: now });
    expect(await taskStore(h.api.services.control).get(open.id)).toMatchObject({ lifecycle: 'Failed', message: INTERRUPTED_ATTEMPT_MESSAGE, endTime: now });
    const parent = await row(parentId);
    expect(parent.lifecycle).toBe(reason);
    expect(parent.lastMessage).toBe(`${reason === 'Canceled' ? 'Canceled' : 'Timed out'}: 1 succeeded, 2 ${reason === 'Canceled' ? 'canceled' : 'timed out'}`);
  });

  it('ends a job whose target expanded to no database Succeeded', async () => {
    const empty = await h.collection('empty-collection', []);
    const parentId = await h.start(await h.job({ name: 'nothing-to-do', targetId: empty }));
    const plan = await h.activities.expandJobExecution({ executionId: parentId });
    expect(plan.lanes).toEqual([]);
    expect(await h.activities.completeJobExecution({ executionId: parentId })).toEqual({ lifecycle: 'Succeeded' });
    expect((await row(parentId)).lastMessage).toBe('no databases to run on');
  });

  it('fails a child left without an outcome when the job ends, and the parent with it', async () => {
    const { parentId, childIds } = await expanded(2);
    await h.mark(childIds[0], 'Succeeded');
    expect(await h.activities.completeJobExecution({ executionId: parentId })).toEqual({ lifecycle: 'Failed' });
    expect(await row(childIds[1])).toMatchObject({ lifecycle: 'Failed', lastMessage: 'The job ended before this database got an outcome.' });
  });
});
