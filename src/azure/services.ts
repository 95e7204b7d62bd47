/**
 * Services of a Functions host process: built once, on first use, from the app settings.
 * Every registration in functions/ shares this one instance (one control-database pool, one
 * set of target driver pools per worker process).
 */
import { loadConfig } from '../config';
import { createDurableOrchestrationClient } from '../execution/durableOrchestrationClient';
import { createServices, type Services } from '../services';
import { createApplicationInsightsClient } from './applicationInsights';

let services: Promise<Services> | undefined;

async function build(): Promise<Services> {
  const config = loadConfig(process.env, 'azure');
  const insights = config.applicationInsights;
  return createServices(config, {
    orchestrations: () => createDurableOrchestrationClient,
    // One custom event per ended execution, through the notification outbox.
    telemetry: insights ? createApplicationInsightsClient(insights) : undefined,
  });
}

export function azureServices(): Promise<Services> {
  services ??= build().catch((e: unknown) => {
    // Let the next invocation try again (a control database that was briefly unreachable).
    services = undefined;
    throw e;
  });
  return services;
}
