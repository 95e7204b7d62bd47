/**
 * Target drivers for tests whose targets are all PostgreSQL databases: the real driver, with a
 * clear error if a test reaches another engine by mistake.
 */
import { createPostgresDriver } from '../../src/targets/postgresDriver';
import type { TargetDrivers } from '../../src/targets/registry';

export function postgresOnlyDrivers(): TargetDrivers {
  const postgres = createPostgresDriver({ connectTimeoutMs: 5_000, cancelGraceMs: 2_000 });
  return {
    driverFor: (engine) => {
      if (engine !== 'postgres') throw new Error(`no ${engine} here`);
      return postgres;
    },
    close: () => postgres.close(),
  };
}
