/**
 * The composition root: every dependency of the handlers, activities and scheduler, built once
 * per process from the configuration and handed in (no module-level singletons below here).
 */
import type { InvocationContext } from '@azure/functions';
import type { Config } from './config';
import { openControlDatabase, type ControlDatabase } from './control/connection';
import { migrateToLatest } from './control/migrate';
import { contentStore } from './control/stores/contentStore';
import { dacpacQuerySecretName } from './domain/dacpacUriQuery';
import { systemClock, type Clock } from './domain/clock';
import type { OrchestrationClient } from './execution/orchestrationClient';
import { createLogger, type Logger } from './logging';
import type { TelemetryClient } from './notifications/telemetry';
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
  /** Application Insights custom events (Azure); undefined where there is none (the local host). */
  telemetry?: TelemetryClient;
  close(): Promise<void>;
}

export interface ServiceOverrides {
  clock?: Clock;
  logger?: Logger;
  protector?: PasswordProtector;
  drivers?: TargetDrivers;
  /** Built after the rest, because the local replay host's activities need the other services. */
  orchestrations?: (services: Services) => (invocation?: InvocationContext) => OrchestrationClient;
  telemetry?: TelemetryClient;
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

/**
 * SAS tokens stored in clear before migration 0008 are protected here, after the migrations
 * (which run without a protector). A failure (Key Vault not reachable yet) does not stop the
 * start: those rows still work and are shown without their query; the next start tries again.
 */
async function protectClearDacpacQueries(services: Services): Promise<void> {
  try {
    const moved = await contentStore(services.control).protectClearDacpacQueries((name, query) => services.protector.protect(dacpacQuerySecretName(name), query));
    if (moved > 0) services.logger.info(`Protected the SAS token of ${moved} DACPAC content version(s) stored in clear before this version.`);
  } catch (e) {
    services.logger.warn(`The SAS tokens of DACPAC contents stored in clear could not be protected yet (${(e as Error).name}); the next start tries again.`);
  }
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
    telemetry: overrides.telemetry,
    async close() {
      await services.drivers.close();
      await control.close();
    },
  };
  if (overrides.orchestrations) services.orchestrations = overrides.orchestrations(services);
  await protectClearDacpacQueries(services);
  if (config.sqlServer.encrypt === false) {
    services.logger.warn('SQLSERVER_ENCRYPT=false: logins to SQL Server targets are sent unencrypted unless the server demands TLS; use it for local test servers only.');
  }
  return services;
}
