import { randomUUID } from 'node:crypto';
/**
 * A message from a target may hold U+0000 (SQL Server's nvarchar can; a RAISERROR or PRINT with
 * NCHAR(0)). PostgreSQL's text cannot: the write that records the attempt used to fail there,
 * on one dialect only. Every dialect now records it, each NUL as U+FFFD.
 */
import { executionStore } from '../../../src/control/stores/executionStore';
import { taskStore } from '../../../src/control/stores/taskStore';
import { storableText } from '../../../src/control/storableText';
import { CONTROL_DIALECTS } from '../../support/controlDatabases';
import { createExecutionHarness, type ExecutionHarness } from '../../support/executionHarness';

const FROM_TARGET = "Msg 50000, Level 16: bad value 'a\u0000b'";
const STORED = "Msg 50000, Level 16: bad value 'a\uFFFDb'";

test('storableText changes NUL and nothing else', () => {
  expect(storableText('a\u0000b\u0000')).toBe('a\uFFFDb\uFFFD');
  expect(storableText('ünï \t\n')).toBe('ünï \t\n');
  expect(storableText(null)).toBeNull();
});

describe.each(CONTROL_DIALECTS)('a target message holding NUL, on a %s control database', (dialect) => {
  let h: ExecutionHarness;
  beforeAll(async () => {
    h = await createExecutionHarness(dialect);
  });
  afterAll(async () => h.close());

  it('is recorded on the attempt and the child, NUL written as U+FFFD', async () => {
    const targetId = await h.databaseTarget('nul_message_db');
    const parentId = await h.start(await h.job({ name: `nul-${dialect}`, targetId }));
    await h.activities.expandJobExecution({ executionId: parentId });
    const now = h.clock.now().toISOString();
    const executions = executionStore(h.api.services.control);
    const claimed = (await executions.claimNext({ parentId, lane: 0, now, taskId: randomUUID(), claim: true }))!;
    const childId = claimed.child.id;
    const written = await executions.insertFinishedAttempt({
      id: claimed.taskId,
      jobExecutionId: childId,
      attempt: 1,
      lifecycle: 'Failed',
      message: FROM_TARGET,
      output: null,
      startTime: now,
      endTime: now,
      outcome: 'Failed',
      retryable: 0,
    });
    expect(written).toBe(true);
    expect((await taskStore(h.api.services.control).get(claimed.taskId)).message).toBe(STORED);
    await executions.claimNext({
      parentId,
      lane: 0,
      now,
      taskId: randomUUID(),
      previous: { childId, taskId: claimed.taskId, next: { lifecycle: 'WaitingForRetry', notBefore: now, message: `Attempt 1: ${FROM_TARGET}` } },
      claim: false,
    });
    expect((await executions.get(childId)).lastMessage).toBe(`Attempt 1: ${STORED}`);
  });
});
