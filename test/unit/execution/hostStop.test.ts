import { createHostStop } from '../../../src/execution/hostStop';

const deferred = <T>() => {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
};

describe('a host stop', () => {
  it('aborts its signal once, however often it is stopped', () => {
    const stop = createHostStop();
    const aborts = jest.fn();
    stop.signal.addEventListener('abort', aborts);
    expect(stop.stopping).toBe(false);
    stop.stop();
    stop.stop();
    expect(stop.stopping).toBe(true);
    expect(stop.signal.aborted).toBe(true);
    expect(aborts).toHaveBeenCalledTimes(1);
  });

  it('waits for tracked work, failed work included, and says it settled', async () => {
    const stop = createHostStop();
    const a = deferred<string>();
    const b = deferred<string>();
    const tracked = stop.track(() => a.promise);
    const failing = stop.track(() => b.promise).catch((e: Error) => e.message);
    stop.stop();
    let settled: boolean | undefined;
    const waiting = stop.settled(5_000).then((s) => (settled = s));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBeUndefined();
    a.resolve('done');
    b.reject(new Error('statement cancelled'));
    await waiting;
    expect(settled).toBe(true);
    await expect(tracked).resolves.toBe('done');
    await expect(failing).resolves.toBe('statement cancelled');
  });

  it('gives up after its bound when work does not settle', async () => {
    const stop = createHostStop();
    void stop.track(() => new Promise(() => undefined));
    stop.stop();
    const t0 = Date.now();
    await expect(stop.settled(100)).resolves.toBe(false);
    expect(Date.now() - t0).toBeLessThan(1_000);
  });

  it('settles at once with nothing in flight', async () => {
    await expect(createHostStop().settled(10_000)).resolves.toBe(true);
  });

  it('starts no work after the stop: the refusal answers instead (a rejection by default)', async () => {
    const stop = createHostStop();
    stop.stop();
    const work = jest.fn(async () => 'ran');
    await expect(stop.track(work)).rejects.toThrow('The host is stopping; this work was not started.');
    await expect(stop.track(work, async () => 'refused')).resolves.toBe('refused');
    expect(work).not.toHaveBeenCalled();
    await expect(stop.settled(1_000)).resolves.toBe(true);
  });
});
