import { createPoolCache } from '../../../src/targets/poolCache';

interface FakePool {
  id: number;
  closed: boolean;
}

function setup(idleMs = 1_000) {
  let clock = 0;
  let created = 0;
  const cache = createPoolCache<FakePool>({ close: async (p) => void (p.closed = true), idleMs, now: () => clock });
  const create = async () => ({ id: ++created, closed: false });
  return { cache, create, advance: (ms: number) => (clock += ms), created: () => created };
}

describe('createPoolCache', () => {
  it('creates one pool per key and reuses it', async () => {
    const { cache, create, created } = setup();
    const a1 = await cache.use('a', create, async (p) => p);
    const a2 = await cache.use('a', create, async (p) => p);
    const b = await cache.use('b', create, async (p) => p);
    expect(a1).toBe(a2);
    expect(b).not.toBe(a1);
    expect(created()).toBe(2);
  });

  it('creates the pool once when several users arrive together', async () => {
    const { cache, create, created } = setup();
    await Promise.all([1, 2, 3].map(() => cache.use('a', create, async (p) => p)));
    expect(created()).toBe(1);
  });

  it('closes a pool left idle past idleMs at the next use, and never one in use', async () => {
    const { cache, create, advance } = setup(1_000);
    let release!: () => void;
    const busy = cache.use('busy', create, (p) => new Promise<FakePool>((r) => (release = () => r(p))));
    const idle = await cache.use('idle', create, async (p) => p);
    advance(5_000);
    await cache.use('other', create, async (p) => p);
    expect(idle.closed).toBe(true);
    release();
    expect((await busy).closed).toBe(false);
    expect(cache.size).toBe(2);
  });

  it('forgets a pool that failed to open, so the next use tries again', async () => {
    const { cache } = setup();
    let attempts = 0;
    const failingThenOk = async () => {
      attempts++;
      if (attempts === 1) throw new Error('login failed');
      return { id: attempts, closed: false };
    };
    await expect(cache.use('a', failingThenOk, async (p) => p)).rejects.toThrow('login failed');
    await expect(cache.use('a', failingThenOk, async (p) => p.id)).resolves.toBe(2);
  });

  it('closes every pool on close', async () => {
    const { cache, create } = setup();
    const pools = await Promise.all(['a', 'b'].map((k) => cache.use(k, create, async (p) => p)));
    await cache.close();
    expect(pools.every((p) => p.closed)).toBe(true);
    expect(cache.size).toBe(0);
  });
});
