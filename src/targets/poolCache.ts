/**
 * Connection pools kept per key (server, database, login), created on first use and closed once
 * idle for a while: a job over hundreds of databases must not leave hundreds of open pools. A
 * pool that fails to open is forgotten, so the next attempt tries again.
 */

export interface PoolCacheOptions<P> {
  close(pool: P): Promise<void>;
  /** A pool unused for this long is closed at the next use of the cache. */
  idleMs: number;
  now?: () => number;
}

interface Entry<P> {
  pool: Promise<P>;
  lastUsed: number;
  users: number;
}

export interface PoolCache<P> {
  use<T>(key: string, create: () => Promise<P>, work: (pool: P) => Promise<T>): Promise<T>;
  readonly size: number;
  close(): Promise<void>;
}

export function createPoolCache<P>(options: PoolCacheOptions<P>): PoolCache<P> {
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry<P>>();

  const closeQuietly = (pool: Promise<P>) =>
    pool.then(
      (p) => options.close(p).catch(() => undefined),
      () => undefined,
    );

  function sweep(): void {
    const t = now();
    for (const [key, entry] of entries) {
      if (entry.users === 0 && t - entry.lastUsed > options.idleMs) {
        entries.delete(key);
        void closeQuietly(entry.pool);
      }
    }
  }

  return {
    async use(key, create, work) {
      sweep();
      let entry = entries.get(key);
      if (!entry) {
        const fresh: Entry<P> = { pool: create(), lastUsed: now(), users: 0 };
        fresh.pool.catch(() => {
          if (entries.get(key) === fresh) entries.delete(key);
        });
        entries.set(key, fresh);
        entry = fresh;
      }
      entry.users++;
      entry.lastUsed = now();
      try {
        return await work(await entry.pool);
      } finally {
        entry.users--;
        entry.lastUsed = now();
      }
    },
    get size() {
      return entries.size;
    },
    async close() {
      const pools = [...entries.values()].map((e) => e.pool);
      entries.clear();
      await Promise.all(pools.map(closeQuietly));
    },
  };
}
