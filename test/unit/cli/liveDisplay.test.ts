import { LogLiveDisplay, TerminalLiveDisplay } from '../../../src/cli/liveDisplay';
import type { WatchSnapshot } from '../../../src/cli/liveView';
import { aChild, aParent, withChildren } from './builders';
import { MemoryOutput } from './cliHarness';

const parent = aParent({ lifecycle: 'WaitingForChildJobExecutions' });
const a = aChild(parent, 'a.db', 'InProgress');
const b = aChild(parent, 'b.db', 'InProgress');
const snap = (lifecycleA: string, lifecycleB: string): WatchSnapshot => ({
  execution: withChildren(parent, [{ ...a, lifecycle: lifecycleA as never }, { ...b, lifecycle: lifecycleB as never }]),
  attempts: new Map(),
});

describe('terminal live display', () => {
  it('redraws the frame in place: cursor up over the previous frame, then clear to the end of the screen', () => {
    const tty = new MemoryOutput(true, 120, 30);
    let now = 0;
    const display = new TerminalLiveDisplay(tty, { throttleMs: 100, now: () => new Date(Date.parse('2026-11-25T20:00:00Z') + now) });
    display.update(snap('InProgress', 'InProgress'));
    const first = tty.text;
    expect(first.startsWith('\u001b[?25l\r\u001b[J')).toBe(true);
    expect(first.split('\n')).toHaveLength(5);
    now = 500;
    display.finish(snap('Succeeded', 'Succeeded'));
    const second = tty.text.slice(first.length);
    expect(second.startsWith('\u001b[4A\r\u001b[J')).toBe(true);
    expect(second).toContain('2/2');
    expect(second.endsWith('\u001b[?25h')).toBe(true);
  });

  it('throttles: updates inside the interval draw once, with the latest snapshot', async () => {
    const tty = new MemoryOutput(true);
    const display = new TerminalLiveDisplay(tty, { throttleMs: 50, now: () => new Date() });
    display.update(snap('InProgress', 'InProgress'));
    display.update(snap('Succeeded', 'InProgress'));
    display.update(snap('Succeeded', 'Failed'));
    const drawsBefore = tty.text.split('\r\u001b[J').length - 1;
    expect(drawsBefore).toBe(1);
    await new Promise((r) => setTimeout(r, 120));
    const frames = tty.text.split('\r\u001b[J');
    expect(frames).toHaveLength(3);
    expect(frames[2]).toContain('Failed 1');
    display.abandon();
  });

  it('cuts lines to the terminal width so a wrapped line cannot break the redraw', () => {
    const tty = new MemoryOutput(true, 40, 30);
    const display = new TerminalLiveDisplay(tty, { throttleMs: 0, now: () => new Date('2026-11-25T20:00:00Z') });
    display.finish(snap('InProgress', 'InProgress'));
    const lines = tty.text.replace(/\u001b\[[?\d]*[A-Za-z]/g, '').replace(/\r/g, '').split('\n');
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(39);
  });
});

describe('log live display', () => {
  it('writes plain lines, with no escape codes, only when something changed', () => {
    const log = new MemoryOutput(false);
    const display = new LogLiveDisplay(log);
    display.update(snap('InProgress', 'InProgress'));
    const first = log.text;
    display.update(snap('InProgress', 'InProgress'));
    expect(log.text).toBe(first);
    display.finish(snap('Succeeded', 'InProgress'));
    expect(log.text.slice(first.length)).toBe('  tenants/a.db Succeeded\n  progress 1/2: Succeeded 1, InProgress 1\n');
    expect(log.text).not.toContain('\u001b');
  });
});
