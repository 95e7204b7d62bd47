/**
 * Services of a Functions host process: built once, on first use, from the app settings.
 * Every registration in functions/ shares this one instance (one control-database pool, one
 * set of target driver pools per worker process).
 */
import { loadConfig } from '../config';
import { createDurableOrchestrationClient } from '../execution/durableOrchestrationClient';
import { createServices, type Services } from '../services';

let services: Promise<Services> | undefined;

export function azureServices(): Promise<Services> {
  services ??= createServices(loadConfig(process.env, 'azure'), { orchestrations: () => createDurableOrchestrationClient }).catch((e: unknown) => {
    // Let the next invocation try again (a control database that was briefly unreachable).
    services = undefined;
    throw e;
  });
  return services;
}
