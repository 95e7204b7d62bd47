/**
 * The target drivers of this process, one per engine, built from the configuration. The sqlite
 * engine exists only where it is enabled, and only under its root folder.
 */
import type { Engine } from '../domain/schemas/common';
import type { TargetDriver } from './driver';
import { PermanentTargetError } from './errors';
import { createPostgresDriver, type PostgresDriverOptions } from './postgresDriver';
import type { SqlServerSettings } from './sqlServerConnection';
import { createSqlServerDriver } from './sqlServerDriver';
import { createSqliteDriver } from './sqliteDriver';

export interface TargetDrivers {
  driverFor(engine: Engine): TargetDriver;
  close(): Promise<void>;
}

/** What the drivers take of the configuration: src/config.ts's Config has these shapes and is handed down whole (this layer does not import it). */
export interface TargetDriverSettings {
  sqliteTargets: { enabled: boolean; root: string };
  sqlServer: SqlServerSettings;
  postgres?: Pick<PostgresDriverOptions, 'sslMode'>;
}

export function createTargetDrivers(config: TargetDriverSettings): TargetDrivers {
  const drivers = new Map<Engine, TargetDriver>([
    ['sqlserver', createSqlServerDriver(config.sqlServer)],
    ['postgres', createPostgresDriver({ sslMode: config.postgres?.sslMode })],
  ]);
  if (config.sqliteTargets.enabled) drivers.set('sqlite', createSqliteDriver({ root: config.sqliteTargets.root }));
  return {
    driverFor(engine) {
      const driver = drivers.get(engine);
      if (driver) return driver;
      if (engine === 'sqlite') throw new PermanentTargetError('SQLite targets are not enabled on this host (setting SQLITE_TARGETS_ENABLED).');
      throw new PermanentTargetError(`No driver for engine '${engine}'.`);
    },
    async close() {
      await Promise.all([...drivers.values()].map((d) => d.close()));
    },
  };
}
