import { isTerminal, isTerminalTask, rollUp, summarize, taskLifecycleOf } from '../../../src/domain/lifecycle';
import { JobExecutionLifecycle } from '../../../src/domain/schemas/execution';

describe('terminal lifecycles', () => {
  it('are exactly the six final states of API.md', () => {
    const terminal = JobExecutionLifecycle.options.filter(isTerminal);
    expect(terminal.sort()).toEqual(['Canceled', 'Failed', 'Skipped', 'Succeeded', 'SucceededWithSkipped', 'TimedOut']);
  });

  it('leave Created, InProgress, WaitingForRetry and WaitingForChildJobExecutions open', () => {
    for (const l of ['Created', 'InProgress', 'WaitingForRetry', 'WaitingForChildJobExecutions']) expect(isTerminal(l)).toBe(false);
  });

  it('treat a task as finished once it succeeded, failed, timed out or was cancelled', () => {
    expect(['Created', 'InProgress', 'Succeeded', 'Failed', 'TimedOut', 'Canceled'].filter(isTerminalTask)).toEqual(['Succeeded', 'Failed', 'TimedOut', 'Canceled']);
  });
});

describe('roll-up of children into the parent', () => {
  it.each<[string, Record<string, number>, string]>([
    ['every child succeeded', { Succeeded: 12 }, 'Succeeded'],
    ['no children at all', {}, 'Succeeded'],
    ['some skipped, none failed', { Succeeded: 3, Skipped: 1 }, 'SucceededWithSkipped'],
    ['all skipped', { Skipped: 2 }, 'SucceededWithSkipped'],
    ['one failed among successes', { Succeeded: 12, Failed: 1 }, 'Failed'],
    ['failed wins over skipped', { Skipped: 1, Failed: 1 }, 'Failed'],
    ['failed wins over timed out and canceled', { TimedOut: 1, Canceled: 1, Failed: 1 }, 'Failed'],
    ['a child timed out on its own', { Succeeded: 2, TimedOut: 1 }, 'TimedOut'],
    ['a child cancelled alone', { Succeeded: 2, Canceled: 1 }, 'Canceled'],
    ['a child left without an outcome', { Succeeded: 2, WaitingForRetry: 1 }, 'Failed'],
  ])('%s', (_label, counts, expected) => {
    expect(rollUp(counts)).toBe(expected);
  });
});

describe('summary line', () => {
  it('counts outcomes in a fixed order', () => {
    expect(summarize({ Failed: 1, Succeeded: 12 })).toBe('12 succeeded, 1 failed');
    expect(summarize({ Canceled: 4, Skipped: 1, Succeeded: 2 })).toBe('2 succeeded, 1 skipped, 4 canceled');
  });

  it('says so when the target expanded to nothing', () => {
    expect(summarize({})).toBe('no databases to run on');
  });
});

describe('task lifecycle of an attempt outcome', () => {
  it('records a skipped attempt (database gone) as a failed task and keeps the others', () => {
    expect(taskLifecycleOf('Skipped')).toBe('Failed');
    expect(taskLifecycleOf('TimedOut')).toBe('TimedOut');
    expect(taskLifecycleOf('Succeeded')).toBe('Succeeded');
  });
});
