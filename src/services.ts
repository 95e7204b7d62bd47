/**
 * The composition root: every dependency of the handlers, activities and scheduler, built once
 * per process from the configuration and handed in (no module-level singletons below here).
 */
import type { InvocationContext } from '@azure/functions';
import type { Config } from './config';
import { openControlDatabase, type ControlDatabase } from './control/connection';
import { migrateToLatest } from './control/migrate';
import { systemClock, type Clock } from './domain/clock';
import type { OrchestrationClient } from './execution/orchestrationClient';
import { createLogger, type Logger } from './logging';
import { createLocalKeyProtector, loadOrCreateKeyFile, parseMasterKey } from './secrets/localKeyProtector';
import type { PasswordProtector } from './secrets/passwordProtector';
import { createTargetDrivers, type TargetDrivers } from './targets/registry';

export interface Services {
  config: Config;
  control: ControlDatabase;
  protector: PasswordProtector;
  clock: Clock;
  logger: Logger;
  /** One driver per target engine. */
  drivers: TargetDrivers;
  /** The orchestration runtime; in Azure it needs the current invocation (its durable client binding). */
  orchestrations(invocation?: InvocationContext): OrchestrationClient;
  close(): Promise<void>;
}

export interface ServiceOverrides {
  clock?: Clock;
  logger?: Logger;
  protector?: PasswordProtector;
  drivers?: TargetDrivers;
  /** Built after the rest, because the local replay host's activities need the other services. */
  orchestrations?: (services: Services) => (invocation?: InvocationContext) => OrchestrationClient;
}

export function createPasswordProtector(config: Config): PasswordProtector {
  if (config.secretsProvider === 'keyvault') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createKeyVaultProtector } = require('./secrets/keyVaultProtector') as typeof import('./secrets/keyVaultProtector');
    return createKeyVaultProtector({ vaultUrl: config.keyVaultUrl! });
  }
  const key = config.masterKey ? parseMasterKey(config.masterKey) : loadOrCreateKeyFile(config.masterKeyFile);
  return createLocalKeyProtector(key);
}

const noOrchestrations = (): OrchestrationClient => {
  throw new Error('No orchestration runtime is configured for this host.');
};

export async function createServices(config: Config, overrides: ServiceOverrides = {}): Promise<Services> {
  const control = openControlDatabase(config.controlDb);
  try {
    await migrateToLatest(control);
  } catch (e) {
    await control.close();
    throw e;
  }
  const services: Services = {
    config,
    control,
    protector: overrides.protector ?? createPasswordProtector(config),
    clock: overrides.clock ?? systemClock,
    logger: overrides.logger ?? createLogger(config.logLevel),
    drivers: overrides.drivers ?? createTargetDrivers(config),
    orchestrations: noOrchestrations,
    async close() {
      await services.drivers.close();
      await control.close();
    },
  };
  if (overrides.orchestrations) services.orchestrations = overrides.orchestrations(services);
  if (config.sqlServer.encrypt === false) {
    services.logger.warn('SQLSERVER_ENCRYPT=false: logins to SQL Server targets are sent unencrypted unless the server demands TLS; use it for local test servers only.');
  }
  return services;
}
