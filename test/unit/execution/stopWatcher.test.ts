/**
 * The stop watcher judges only the children its poll asked about: an attempt that registers
 * while a slow poll is out is not in that poll's answer and must not be taken for cancelled; a
 * child missing from an answer is read again before its absence stops anything.
 */
import type { ExecutionStore, StopSignal } from '../../../src/control/stores/executionStore';
import { createStopWatcher, type StopReason } from '../../../src/execution/stopWatcher';
import { silentLogger } from '../../../src/logging';

/** A control database whose stop-signal query answers only when the test lets it, for the ids it was asked. */
function slowStore(rows: Map<string, StopSignal>) {
  const asked: string[][] = [];
  let release: (() => void) | undefined;
  let hold = true;
  const store = {
    async stopSignals(ids: string[]): Promise<Map<string, StopSignal>> {
      asked.push([...ids]);
      if (hold) await new Promise<void>((resolve) => (release = resolve));
      return new Map(ids.filter((id) => rows.has(id)).map((id) => [id, rows.get(id)!]));
    },
  };
  return {
    store: store as unknown as ExecutionStore,
    asked,
    answer() {
      hold = false;
      release?.();
    },
  };
}

const running: StopSignal = { lifecycle: 'InProgress', cancelRequested: false };
const waitFor = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
};

describe('stop watcher', () => {
  it('stops none of the attempts that registered while a slow poll was in flight', async () => {
    const rows = new Map<string, StopSignal>([['a', running]]);
    const { store, asked, answer } = slowStore(rows);
    const watcher = createStopWatcher(store, 10, silentLogger);
    const stops: Record<string, StopReason> = {};
    const unwatch = [watcher.watch('a', (r) => (stops.a = r))];
    await waitFor(() => asked.length === 1);
    // Twenty attempts start while the query is out; their rows exist, but not in that answer.
    for (let i = 0; i < 20; i++) {
      rows.set(`late${i}`, running);
      unwatch.push(watcher.watch(`late${i}`, (r) => (stops[`late${i}`] = r)));
    }
    answer();
    await waitFor(() => asked.length >= 3);
    expect(asked[0]).toEqual(['a']);
    expect(stops).toEqual({});
    unwatch.forEach((u) => u());
  });

  it('cancels a child whose row is gone only after reading it again', async () => {
    const rows = new Map<string, StopSignal>([['kept', running]]);
    const { store, asked, answer } = slowStore(rows);
    answer();
    const watcher = createStopWatcher(store, 10, silentLogger);
    const stops: Record<string, StopReason> = {};
    const unwatch = [watcher.watch('kept', (r) => (stops.kept = r)), watcher.watch('gone', (r) => (stops.gone = r))];
    await waitFor(() => stops.gone !== undefined);
    expect(stops).toEqual({ gone: 'Canceled' });
    // The first read asked for both; the second only for the missing one.
    expect(asked[0].sort()).toEqual(['gone', 'kept']);
    expect(asked[1]).toEqual(['gone']);
    unwatch.forEach((u) => u());
  });

  it('reports a cancel flag and a child ended by the job timeout', async () => {
    const rows = new Map<string, StopSignal>([
      ['c', { lifecycle: 'InProgress', cancelRequested: true }],
      ['t', { lifecycle: 'TimedOut', cancelRequested: false }],
    ]);
    const { store, answer } = slowStore(rows);
    answer();
    const watcher = createStopWatcher(store, 10, silentLogger);
    const stops: Record<string, StopReason> = {};
    const unwatch = [watcher.watch('c', (r) => (stops.c = r)), watcher.watch('t', (r) => (stops.t = r))];
    await waitFor(() => Object.keys(stops).length === 2);
    expect(stops).toEqual({ c: 'Canceled', t: 'TimedOut' });
    unwatch.forEach((u) => u());
  });
});
