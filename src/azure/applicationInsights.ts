/**
 * Application Insights custom events without an SDK: one POST of the track envelope to the
 * component's ingestion endpoint (`<IngestionEndpoint>v2.1/track`, the endpoint and the
 * instrumentation key come from APPLICATIONINSIGHTS_CONNECTION_STRING). The component has local
 * authentication off (infra/main.bicep), so every POST carries an Entra token of the app's
 * managed identity for `https://monitor.azure.com//.default` (the identity has Monitoring Metrics
 * Publisher on the component, infra/modules/roles.bicep).
 *
 * Tested against a stand-in endpoint (test/integration/azure/applicationInsights.test.ts);
 * not against the real service from here.
 */
import type { TokenCredential } from '@azure/core-auth';
import type { TelemetryClient, TelemetryEvent } from '../notifications/telemetry';

export const MONITOR_SCOPE = 'https://monitor.azure.com//.default';

export interface ApplicationInsightsOptions {
  /** With a trailing slash, as in the connection string. */
  ingestionEndpoint: string;
  instrumentationKey: string;
  /** The managed identity that sends; by default @azure/identity's ManagedIdentityCredential for `clientId`. */
  credential?: TokenCredential;
  clientId?: string;
  /** `ai.cloud.role` of every event: how the app is named in Application Insights. */
  roleName?: string;
  timeoutMs?: number;
}

/** The track envelope of one custom event (the schema the Application Insights SDKs send). */
export function eventEnvelope(event: TelemetryEvent, instrumentationKey: string, roleName?: string): Record<string, unknown> {
  return {
    name: 'Microsoft.ApplicationInsights.Event',
    time: event.time,
    iKey: instrumentationKey,
    tags: roleName ? { 'ai.cloud.role': roleName } : {},
    data: { baseType: 'EventData', baseData: { ver: 2, name: event.name, properties: event.properties, measurements: event.measurements } },
  };
}

function managedIdentity(clientId: string | undefined): TokenCredential {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { ManagedIdentityCredential } = require('@azure/identity') as typeof import('@azure/identity');
  return clientId ? new ManagedIdentityCredential({ clientId }) : new ManagedIdentityCredential();
}

export function createApplicationInsightsClient(options: ApplicationInsightsOptions): TelemetryClient {
  let credential: TokenCredential | undefined;
  const url = `${options.ingestionEndpoint.replace(/\/?$/, '/')}v2.1/track`;
  return {
    async trackEvent(event) {
      // Built on first use: composing services must not need a token.
      credential ??= options.credential ?? managedIdentity(options.clientId);
      const token = await credential.getToken(MONITOR_SCOPE);
      if (!token) throw new Error('no Entra token for Azure Monitor');
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token.token}` },
        body: JSON.stringify([eventEnvelope(event, options.instrumentationKey, options.roleName)]),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      // 200 with every item accepted; 206 means some were not (ours is one item: it was not).
      const answer = (await response.json().catch(() => ({}))) as { itemsAccepted?: number };
      if (response.status !== 200 || answer.itemsAccepted === 0) throw new Error(`the ingestion endpoint answered HTTP ${response.status}`);
    },
  };
}
