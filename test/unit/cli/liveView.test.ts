import { describeChanges, formatElapsed, progressBar, renderFrame, renderOutcome, targetLabel, targetsOf, type WatchSnapshot } from '../../../src/cli/liveView';
import type { JobExecution } from '../../../src/domain/schemas/execution';
import { aChild, aParent, withChildren } from './builders';

const NOW = new Date('2026-11-25T20:00:12.000Z');

function snapshotOf(parent: ReturnType<typeof aParent>, attempts: Array<[string, number]> = []): WatchSnapshot {
  return { execution: parent, attempts: new Map(attempts) };
}

describe('live view of an execution', () => {
  const parent = aParent({ jobName: 'add-index', lifecycle: 'WaitingForChildJobExecutions' });
  const a = aChild(parent, 'a.db', 'Succeeded');
  const b = aChild(parent, 'b.db', 'WaitingForRetry', { lastMessage: 'database is locked' });
  const c = aChild(parent, 'c.db', 'InProgress');
  const running = withChildren(parent, [c, a, b]);

  it('draws a header, a progress bar with counts, and one line per target in a stable order with its lifecycle and attempt', () => {
    const frame = renderFrame(snapshotOf(running, [[a.id, 1], [b.id, 2], [c.id, 1]]), { now: NOW, maxTargetLines: 10 });
    expect(frame[0]).toBe(`Job add-index  execution ${parent.id}  WaitingForChildJobExecutions  12s`);
    expect(frame[1]).toBe(`${progressBar(1, 3)} 1/3  Succeeded 1 · InProgress 1 · WaitingForRetry 1`);
    expect(frame.slice(2)).toEqual([
      expect.stringMatching(/^ {2}Succeeded +attempt 1 +tenants\/a\.db$/),
      expect.stringMatching(/^ {2}WaitingForRetry +attempt 2 +tenants\/b\.db {2}database is locked$/),
      expect.stringMatching(/^ {2}InProgress +attempt 1 +tenants\/c\.db$/),
    ]);
  });

  it('fills the bar in proportion to the targets done', () => {
    expect(progressBar(0, 4, 8)).toBe('[░░░░░░░░]');
    expect(progressBar(2, 4, 8)).toBe('[████░░░░]');
    expect(progressBar(4, 4, 8)).toBe('[████████]');
  });

  it('says the targets are being expanded before any child exists', () => {
    const frame = renderFrame(snapshotOf(aParent({ lifecycle: 'InProgress' })), { now: NOW, maxTargetLines: 10 });
    expect(frame).toHaveLength(2);
    expect(frame[1]).toMatch(/expanding targets…$/);
  });

  it('with more targets than fit, shows the ones still moving and counts the rest', () => {
    const many = withChildren(parent, [
      ...Array.from({ length: 8 }, (_, i) => aChild(parent, `done-${i}.db`, 'Succeeded')),
      aChild(parent, 'busy.db', 'InProgress'),
      aChild(parent, 'retrying.db', 'WaitingForRetry'),
    ]);
    const frame = renderFrame(snapshotOf(many), { now: NOW, maxTargetLines: 4 });
    expect(frame).toHaveLength(6);
    expect(frame.join('\n')).toContain('tenants/busy.db');
    expect(frame.join('\n')).toContain('tenants/retrying.db');
    expect(frame[5]).toBe('  … 7 more: Succeeded 7');
  });

  it('for a log, first describes everything, then only what changed', () => {
    const first = snapshotOf(running, [[a.id, 1], [b.id, 2], [c.id, 1]]);
    expect(describeChanges(undefined, first)).toEqual([
      `execution ${parent.id} of job add-index: WaitingForChildJobExecutions`,
      '  tenants/a.db Succeeded (attempt 1)',
      '  tenants/b.db WaitingForRetry (attempt 2): database is locked',
      '  tenants/c.db InProgress (attempt 1)',
      '  progress 1/3: Succeeded 1, InProgress 1, WaitingForRetry 1',
    ]);
    expect(describeChanges(first, first)).toEqual([]);

    const cDone = { ...c, lifecycle: 'Succeeded' as const };
    const second = snapshotOf(withChildren(parent, [a, b, cDone]), [[a.id, 1], [b.id, 2], [c.id, 1]]);
    expect(describeChanges(first, second)).toEqual(['  tenants/c.db Succeeded (attempt 1)', '  progress 2/3: Succeeded 2, WaitingForRetry 1']);

    const third = snapshotOf(withChildren(parent, [a, { ...b, lifecycle: 'InProgress' }, cDone]), [[a.id, 1], [b.id, 3], [c.id, 1]]);
    expect(describeChanges(second, third)).toEqual(['  tenants/b.db InProgress (attempt 3): database is locked', '  progress 2/3: Succeeded 2, InProgress 1']);
  });

  it('for a log, tells the last targets before the execution ends, so the lines read in order', () => {
    const first = snapshotOf(running, [[a.id, 1], [b.id, 2], [c.id, 1]]);
    const ended = withChildren({ ...parent, lifecycle: 'Succeeded' }, [a, { ...b, lifecycle: 'Succeeded' }, { ...c, lifecycle: 'Succeeded' }]);
    const lines = describeChanges(first, snapshotOf(ended, [[a.id, 1], [b.id, 2], [c.id, 1]]));
    expect(lines[lines.length - 1]).toBe(`execution ${parent.id} of job add-index: Succeeded`);
    expect(lines.slice(0, 2)).toEqual(['  tenants/b.db Succeeded (attempt 2)', '  tenants/c.db Succeeded (attempt 1)']);
  });

  it('ends with the outcome and the message of every target that did not succeed', () => {
    const failed = withChildren(
      { ...parent, lifecycle: 'Failed', endTime: '2026-11-25T20:01:05.000Z', lastMessage: '1 succeeded, 1 failed' },
      [a, { ...b, lifecycle: 'Failed', lastMessage: 'near "SELEC": syntax error' }],
    );
    expect(renderOutcome(failed, NOW)).toEqual([
      `Failed: execution ${parent.id} of job add-index after 1m 05s (Succeeded 1, Failed 1)`,
      '  Failed tenants/b.db: near "SELEC": syntax error',
      '  1 succeeded, 1 failed',
    ]);
  });

  it('formats elapsed time in seconds, minutes and hours', () => {
    expect(formatElapsed(12_400)).toBe('12s');
    expect(formatElapsed(65_000)).toBe('1m 05s');
    expect(formatElapsed(2 * 3_600_000 + 3 * 60_000)).toBe('2h 03m');
  });
});

describe('children of a job of several steps', () => {
  const child = (id: string, stepIndex: number, stepName: string, databaseName: string): JobExecution =>
    ({ id, jobName: 'j', parentId: 'p', lifecycle: 'Succeeded', target: { engine: 'postgres', serverName: 's', databaseName }, stepIndex, stepName, contentVersion: 1, scheduleName: null, createdAt: '', startTime: null, endTime: null, lastMessage: null, cancelRequested: false, counts: {} }) as JobExecution;

  it('labels a child of a later step with its step, and lists children by step, then database', () => {
    const parent = { id: 'p', parentId: null, target: null, children: [child('c', 2, 'stamp', 'a'), child('a', 1, 'main', 'b'), child('b', 1, 'main', 'a')] } as unknown as JobExecution;
    expect(targetsOf(parent).map(targetLabel)).toEqual(['s/a', 's/b', 'stamp: s/a']);
  });
});
