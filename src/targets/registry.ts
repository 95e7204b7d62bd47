/**
 * The target drivers of this process, one per engine, built from the configuration. The sqlite
 * engine exists only where it is enabled, and only under its root folder.
 */
import type { Config } from '../config';
import type { Engine } from '../domain/schemas/common';
import type { TargetDriver } from './driver';

export interface TargetDrivers {
  driverFor(engine: Engine): TargetDriver;
  close(): Promise<void>;
}

export function createTargetDrivers(_config: Config): TargetDrivers {
  return {
    driverFor(engine) {
      throw new Error(`No driver for engine '${engine}' yet.`);
    },
    async close() {},
  };
}
