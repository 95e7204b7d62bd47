/**
 * sqlcmd runs every batch of a script in one session, so SET options, #temp tables and open
 * transactions carry across GO. mssql lends a pool connection per request; its Request accepts
 * any parent that lends it a connection (the contract its own Transaction implements:
 * `connected`, `config`, `acquire`, `release`), so this parent lends the same one every time.
 * After the script, the session is reset (sp_reset_connection) before the connection goes back
 * to the pool, and closed when the reset fails, so no state leaks into the next job.
 */
import type { ConnectionPool } from 'mssql';

/** The tedious connection mssql keeps in its pool (only what this module uses). */
export interface PooledTediousConnection {
  reset(callback: (error?: Error | null) => void): void;
  close(): void;
}

interface PoolInternals {
  config: unknown;
  collation?: unknown;
  acquire(requester: object): Promise<PooledTediousConnection>;
  release(connection: PooledTediousConnection): void;
}

export class PinnedConnection {
  readonly connected = true;

  constructor(
    private readonly pool: ConnectionPool,
    private readonly connection: PooledTediousConnection,
  ) {}

  get config(): unknown {
    return (this.pool as unknown as PoolInternals).config;
  }

  get collation(): unknown {
    return (this.pool as unknown as PoolInternals).collation;
  }

  acquire(_request: unknown, callback: (error: Error | null, connection?: PooledTediousConnection, config?: unknown) => void): this {
    setImmediate(callback, null, this.connection, this.config);
    return this;
  }

  release(): this {
    return this;
  }

  /** For `new sql.Request(...)`, whose typings know only pools, transactions and prepared statements. */
  asParent(): ConnectionPool {
    return this as unknown as ConnectionPool;
  }
}

/** Borrows one connection of the pool for `work`, then resets and returns it. */
export async function withPinnedConnection<T>(pool: ConnectionPool, work: (pinned: PinnedConnection) => Promise<T>): Promise<T> {
  const internals = pool as unknown as PoolInternals;
  const connection = await internals.acquire({});
  try {
    return await work(new PinnedConnection(pool, connection));
  } finally {
    const reset = await new Promise<boolean>((resolve) => connection.reset((error) => resolve(!error)));
    // A closed connection fails the pool's validation and is replaced, not lent again.
    if (!reset) connection.close();
    internals.release(connection);
  }
}
