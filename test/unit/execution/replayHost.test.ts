import type * as df from 'durable-functions';
import { ManualHostClock } from '../../../src/execution/replay/hostClock';
import { ReplayHost, type ActivityFunction } from '../../../src/execution/replay/replayHost';

const START = '2026-01-05T09:00:00.000Z';
const at = (ms: number) => new Date(new Date(START).getTime() + ms);
const DAY = 86_400_000;

function setUp(orchestrators: Record<string, df.OrchestrationHandler>, activities: Record<string, ActivityFunction> = {}, maxConcurrentActivities?: number) {
  const clock = new ManualHostClock(START);
  const host = new ReplayHost({ orchestrators, activities, clock, maxConcurrentActivities });
  clock.attach((parked) => host.settled(parked));
  return { clock, host };
}

describe('replay host', () => {
  it('counts the events each episode replays: the whole history every time', async () => {
    const { clock, host } = setUp(
      {
        twoSteps: function* (context) {
          const a = yield context.df.callActivity('step', 1);
          const b = yield context.df.callActivity('step', 2);
          return [a, b];
        },
      },
      { step: (n: number) => n * 10 },
    );
    host.startNew('twoSteps', 'i', undefined);
    await clock.settle();
    // [Started, ExecutionStarted] + Completed, [Started, TaskCompleted] + Completed, [Started, TaskCompleted] + Completed
    expect(host.status('i')).toMatchObject({ runtimeStatus: 'Completed', output: [10, 20], episodes: 3, eventsReplayed: 2 + 5 + 8, historyLength: 9 });
    expect(host.stats()).toMatchObject({ instances: 1, episodes: 3, eventsReplayed: 15, activities: 2, byOrchestrator: { twoSteps: { instances: 1, episodes: 3, eventsReplayed: 15 } } });
  });

  it('gives completions that arrive together one episode', async () => {
    const { clock, host } = setUp(
      {
        fanOut: function* (context) {
          return yield context.df.Task.all([1, 2, 3].map((n) => context.df.callActivity('step', n)));
        },
      },
      { step: (n: number) => n },
    );
    host.startNew('fanOut', 'i');
    await clock.settle();
    expect(host.status('i')).toMatchObject({ output: [1, 2, 3], episodes: 2 });
  });

  it('fires a timer when the clock reaches it, and the orchestrator sees that time', async () => {
    const { clock, host } = setUp({
      sleeper: function* (context) {
        yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 60_000));
        return context.df.currentUtcDateTime.toISOString();
      },
    });
    host.startNew('sleeper', 'i');
    await clock.advanceTo(at(59_999));
    expect(host.status('i')?.runtimeStatus).toBe('Running');
    await clock.advanceTo(at(120_000));
    expect(host.status('i')?.output).toBe(at(60_000).toISOString());
  });

  it('chains a timer longer than six days in legs, as the extension does, and fires it on time', async () => {
    const { clock, host } = setUp({
      week: function* (context) {
        yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 7 * DAY));
        return context.df.currentUtcDateTime.toISOString();
      },
    });
    host.startNew('week', 'i');
    await clock.advanceTo(at(3 * DAY));
    expect(clock.pendingTimers()).toEqual([at(7 * DAY)]);
    await clock.advanceTo(at(8 * DAY));
    expect(host.status('i')?.output).toBe(at(7 * DAY).toISOString());
    expect(host.stats().timersFired).toBe(2);
  });

  it('never fires a timer cancelled after it lost a race', async () => {
    const { clock, host } = setUp(
      {
        race: function* (context) {
          const work = context.df.callActivity('quick');
          const timeout = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 60_000));
          const week = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 7 * DAY));
          const winner = yield context.df.Task.any([work, timeout, week]);
          timeout.cancel();
          week.cancel();
          const go = yield context.df.waitForExternalEvent('go');
          return { winner: winner === work ? 'work' : 'timer', go };
        },
      },
      { quick: () => 'done' },
    );
    host.startNew('race', 'i');
    await clock.settle();
    expect(clock.pendingTimers()).toEqual([]);
    const history = host.status('i')!.historyLength;
    await clock.advanceTo(at(30 * DAY));
    expect(host.stats().timersFired).toBe(0);
    expect(host.status('i')).toMatchObject({ runtimeStatus: 'Running', historyLength: history });
    host.raiseEvent('i', 'go', 'now');
    await clock.settle();
    expect(host.status('i')?.output).toEqual({ winner: 'work', go: 'now' });
  });

  it('fails an orchestration that puts a task already yielded into a new Task.any, before it is scheduled again', async () => {
    let calls = 0;
    const { clock, host } = setUp(
      {
        reYield: function* (context) {
          const slow = context.df.callActivity('slow');
          yield context.df.Task.any([slow, context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 1_000))]);
          yield context.df.Task.any([slow, context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 60_000))]);
          return 'unreachable';
        },
      },
      {
        slow: async () => {
          calls++;
          await clock.sleep(10_000);
        },
      },
    );
    host.startNew('reYield', 'i');
    await clock.advanceTo(at(20_000));
    const status = host.status('i');
    expect(status?.runtimeStatus).toBe('Failed');
    expect(status?.error).toMatch(/asked to schedule 2 action\(s\) for 1 new task\(s\): a task already yielded was put into a new Task.any/);
    expect(calls).toBe(1);
  });

  it('lets a task already scheduled be yielded again on its own, which schedules nothing', async () => {
    let calls = 0;
    const { clock, host } = setUp(
      {
        waitAgain: function* (context) {
          const slow = context.df.callActivity('slow');
          const first = yield context.df.Task.any([slow, context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 1_000))]);
          const result = yield slow;
          return { first: first === slow ? 'slow' : 'timer', result };
        },
      },
      {
        slow: async () => {
          calls++;
          await clock.sleep(10_000);
          return 'finally';
        },
      },
    );
    host.startNew('waitAgain', 'i');
    await clock.advanceTo(at(20_000));
    expect(host.status('i')?.output).toEqual({ first: 'timer', result: 'finally' });
    expect(calls).toBe(1);
  });

  it('keeps an event raised before the orchestration waits for it', async () => {
    const { clock, host } = setUp(
      {
        late: function* (context) {
          yield context.df.callActivity('slow');
          return yield context.df.waitForExternalEvent('approve');
        },
      },
      { slow: () => clock.sleep(10_000) },
    );
    host.startNew('late', 'i');
    await clock.advanceTo(at(1_000));
    expect(host.raiseEvent('i', 'approve', { by: 'ops' })).toBe(true);
    await clock.advanceTo(at(20_000));
    expect(host.status('i')?.output).toEqual({ by: 'ops' });
  });

  it('reports an activity that throws to the orchestrator as an error carrying its message', async () => {
    const { clock, host } = setUp(
      {
        tryIt: function* (context) {
          try {
            yield context.df.callActivity('boom');
            return 'no error';
          } catch (e) {
            return (e as Error).message.split('\n')[0].trim();
          }
        },
      },
      {
        boom: () => {
          throw new Error('kaput');
        },
      },
    );
    host.startNew('tryIt', 'i');
    await clock.settle();
    expect(host.status('i')?.output).toBe("Activity function 'boom' failed: kaput");
  });

  it('runs sub-orchestrations as instances of their own and returns their results or failures', async () => {
    const { clock, host } = setUp({
      parent: function* (context) {
        const doubled = yield context.df.callSubOrchestrator('double', 21, 'child-ok');
        try {
          yield context.df.callSubOrchestrator('broken', undefined, 'child-broken');
        } catch (e) {
          return { doubled, failure: (e as Error).message.split('\n')[0] };
        }
        return { doubled };
      },
      double: function* (context) {
        return (context.df.getInput() as number) * 2;
      },
      // eslint-disable-next-line require-yield
      broken: function* () {
        throw new Error('cannot');
      },
    });
    host.startNew('parent', 'p');
    await clock.settle();
    expect(host.status('p')?.output).toEqual({ doubled: 42, failure: expect.stringContaining('cannot') });
    expect(host.status('child-ok')).toMatchObject({ runtimeStatus: 'Completed', parentInstanceId: 'p', output: 42 });
    expect(host.status('child-broken')).toMatchObject({ runtimeStatus: 'Failed', error: 'cannot' });
  });

  it('refuses to start an instance id that is running, and replaces one that has finished', async () => {
    const { clock, host } = setUp({
      wait: function* (context) {
        return yield context.df.waitForExternalEvent('go');
      },
    });
    host.startNew('wait', 'i');
    expect(() => host.startNew('wait', 'i')).toThrow(/already running/);
    host.raiseEvent('i', 'go', 1);
    await clock.settle();
    expect(host.raiseEvent('i', 'go', 2)).toBe(false);
    host.startNew('wait', 'i');
    host.raiseEvent('i', 'go', 3);
    await clock.settle();
    expect(host.status('i')?.output).toBe(3);
    expect(host.raiseEvent('unknown', 'go')).toBe(false);
  });

  it('caps the activities in flight and queues the rest', async () => {
    let running = 0;
    let most = 0;
    const { clock, host } = setUp(
      {
        many: function* (context) {
          return yield context.df.Task.all(Array.from({ length: 10 }, (_, i) => context.df.callActivity('work', i)));
        },
      },
      {
        work: async (i: number) => {
          running++;
          most = Math.max(most, running);
          await clock.sleep(10_000);
          running--;
          return i;
        },
      },
      3,
    );
    host.startNew('many', 'i');
    await clock.advanceTo(at(35_000));
    expect(host.status('i')?.runtimeStatus).toBe('Running');
    await clock.advanceTo(at(40_000));
    expect(host.status('i')?.output).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(most).toBe(3);
  });

  describe('continueAsNew', () => {
    /** Counts up to `until`: one activity per generation, then continues as new with the next count. */
    const counter: df.OrchestrationHandler = function* (context) {
      const { k, until } = context.df.getInput() as { k: number; until: number };
      const seen = (yield context.df.callActivity('step', k)) as number;
      if (k < until) {
        context.df.continueAsNew({ k: k + 1, until });
        return undefined;
      }
      return { k, seen };
    };

    it('restarts the instance with the new input until it returns, keeping only the last generation in its history', async () => {
      const run = async (until: number) => {
        const steps: number[] = [];
        const { clock, host } = setUp({ counter }, { step: (k: number) => (steps.push(k), k * 10) });
        host.startNew('counter', 'c', { k: 0, until });
        await clock.settle();
        return { status: host.status('c')!, stats: host.stats(), steps };
      };
      const short = await run(2);
      const long = await run(30);

      expect(long.status).toMatchObject({ runtimeStatus: 'Completed', output: { k: 30, seen: 300 } });
      expect(long.steps).toEqual(Array.from({ length: 31 }, (_, k) => k));
      expect(long.stats.generations).toBe(30);
      expect(long.stats.instances).toBe(1);
      // Each generation starts from an empty history: the last one's is all that is left, whatever came before.
      expect(long.status.historyLength).toBe(short.status.historyLength);
      expect(long.status.historyLength).toBeLessThan(10);
      // [Started, ExecutionStarted] + Completed, [Started, TaskCompleted] + Completed: 2 + 5 events per generation.
      expect(long.stats.eventsReplayed).toBe(31 * 7);
    });

    it('reports to a parent waiting on it as a sub-orchestration only the output of its last generation', async () => {
      const { clock, host } = setUp(
        {
          counter,
          parent: function* (context) {
            const result = yield context.df.callSubOrchestrator('counter', { k: 0, until: 3 }, 'child');
            return { result };
          },
        },
        { step: (k: number) => k * 10 },
      );
      host.startNew('parent', 'p');
      await clock.settle();

      expect(host.status('p')).toMatchObject({ runtimeStatus: 'Completed', output: { result: { k: 3, seen: 30 } } });
      // The parent ran twice: once to start the child, once when its last generation ended (not at each continueAsNew).
      expect(host.status('p')?.episodes).toBe(2);
      expect(host.status('child')).toMatchObject({ runtimeStatus: 'Completed', parentInstanceId: 'p' });
      expect(host.stats().generations).toBe(3);
    });

    it('drops an event raised before continueAsNew that the generation did not consume', async () => {
      // As the Durable extension does for JavaScript: the library's continueAsNew(input) has no
      // preserveUnprocessedEvents, and the extension's default drops what the old generation did
      // not read. Orchestrations that must not lose an event read its cause from their own store.
      const { clock, host } = setUp(
        {
          waitsNextGeneration: function* (context) {
            const { generation } = context.df.getInput() as { generation: number };
            if (generation === 0) {
              yield context.df.callActivity('slow');
              context.df.continueAsNew({ generation: 1 });
              return undefined;
            }
            return yield context.df.waitForExternalEvent('go');
          },
        },
        { slow: () => clock.sleep(10_000) },
      );
      host.startNew('waitsNextGeneration', 'i', { generation: 0 });
      await clock.advanceTo(at(1_000));
      expect(host.raiseEvent('i', 'go', 'early')).toBe(true);
      await clock.advanceTo(at(60_000));

      expect(host.stats().generations).toBe(1);
      expect(host.status('i')?.runtimeStatus).toBe('Running');
      expect(host.raiseEvent('i', 'go', 'late')).toBe(true);
      await clock.settle();
      expect(host.status('i')).toMatchObject({ runtimeStatus: 'Completed', output: 'late' });
    });

    it('cancels the timers of the generation that continued as new', async () => {
      const { clock, host } = setUp({
        sleepsThenMoves: function* (context) {
          const { generation } = context.df.getInput() as { generation: number };
          if (generation === 0) {
            // The 60 s timer loses the race and is left behind, not cancelled: the next generation must not hear of it.
            const long = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 60_000));
            const short = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 1_000));
            yield context.df.Task.any([long, short]);
            context.df.continueAsNew({ generation: 1 });
            return undefined;
          }
          return yield context.df.waitForExternalEvent('go');
        },
      });
      host.startNew('sleepsThenMoves', 'i', { generation: 0 });
      await clock.settle();
      expect(clock.pendingTimers()).toEqual([at(60_000), at(1_000)]);
      await clock.advanceTo(at(2_000));
      expect(host.stats().generations).toBe(1);
      expect(clock.pendingTimers()).toEqual([]);
      await clock.advanceTo(at(120_000));
      expect(host.stats().timersFired).toBe(1);
      expect(host.status('i')?.runtimeStatus).toBe('Running');
      host.raiseEvent('i', 'go', 'done');
      await clock.settle();
      expect(host.status('i')?.output).toBe('done');
    });
  });

  it('waits for completion and resolves idle once nothing runs', async () => {
    const { clock, host } = setUp(
      {
        one: function* (context) {
          return yield context.df.callActivity('step');
        },
      },
      { step: () => 'ok' },
    );
    host.startNew('one', 'i');
    const done = host.waitForCompletion('i');
    await clock.settle();
    await expect(done).resolves.toMatchObject({ runtimeStatus: 'Completed', output: 'ok' });
    await expect(host.idle()).resolves.toBeUndefined();
    await expect(host.waitForCompletion('unknown')).resolves.toBeUndefined();
  });
});
