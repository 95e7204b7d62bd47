/**
 * The Application Insights seam against a stand-in ingestion endpoint (a local HTTP server that
 * answers as v2.1/track does): one POST of the track envelope with the identity's bearer token
 * for Azure Monitor, and a refusal reported as an error the outbox retries. The real service and
 * the managed identity are not reachable from here; what the envelope looks like follows the
 * schema the Application Insights SDKs send.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApplicationInsightsClient, eventEnvelope, MONITOR_SCOPE } from '../../../src/azure/applicationInsights';
import { loadConfig } from '../../../src/config';
import type { TelemetryEvent } from '../../../src/notifications/telemetry';

const EVENT: TelemetryEvent = {
  name: 'JobExecutionEnded',
  time: '2026-11-25T20:00:05.000Z',
  properties: { executionId: '3f1a6b3e-0000-4000-8000-000000000001', jobName: 'nightly', lifecycle: 'Failed' },
  measurements: { children: 3, childrenFailed: 1, childrenSucceeded: 2, durationMs: 5000 },
};

describe('Application Insights custom events', () => {
  let server: http.Server;
  let endpoint: string;
  const received: { path: string; authorization?: string; body: unknown }[] = [];
  let status = 200;
  let accepted = 1;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let text = '';
      req.on('data', (c) => (text += c));
      req.on('end', () => {
        received.push({ path: req.url ?? '', authorization: req.headers.authorization, body: JSON.parse(text) });
        res.statusCode = status;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ itemsReceived: 1, itemsAccepted: accepted, errors: [] }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const scopes: string[] = [];
  const credential = { getToken: async (scope: string | string[]) => (scopes.push(String(scope)), { token: 'entra-token-for-monitor', expiresOnTimestamp: Date.now() + 3_600_000 }) };

  it('POSTs one envelope to v2.1/track with a bearer token for Azure Monitor', async () => {
    const client = createApplicationInsightsClient({ ingestionEndpoint: endpoint, instrumentationKey: 'ikey-0000', credential });
    await client.trackEvent(EVENT);
    expect(received).toHaveLength(1);
    expect(received[0].path).toBe('/v2.1/track');
    expect(received[0].authorization).toBe('Bearer entra-token-for-monitor');
    expect(scopes).toEqual([MONITOR_SCOPE]);
    expect(received[0].body).toEqual([
      {
        name: 'Microsoft.ApplicationInsights.Event',
        time: EVENT.time,
        iKey: 'ikey-0000',
        tags: {},
        data: { baseType: 'EventData', baseData: { ver: 2, name: 'JobExecutionEnded', properties: EVENT.properties, measurements: EVENT.measurements } },
      },
    ]);
    expect(eventEnvelope(EVENT, 'k', 'func-x').tags).toEqual({ 'ai.cloud.role': 'func-x' });
  });

  it('throws when the endpoint refuses or does not accept the item, naming only the status', async () => {
    const client = createApplicationInsightsClient({ ingestionEndpoint: endpoint, instrumentationKey: 'ikey-0000', credential });
    status = 403;
    await expect(client.trackEvent(EVENT)).rejects.toThrow('the ingestion endpoint answered HTTP 403');
    status = 206;
    accepted = 0;
    await expect(client.trackEvent(EVENT)).rejects.toThrow('HTTP 206');
    status = 200;
    accepted = 1;
  });

  it('reads endpoint, key and identity from the settings the Function App gets', () => {
    const config = loadConfig(
      {
        CONTROL_DB: 'sqlite::memory:',
        APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=0000-ikey;IngestionEndpoint=https://swedencentral-0.in.applicationinsights.azure.com;LiveEndpoint=https://x/',
        APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=11111111-2222-3333-4444-555555555555;Authorization=AAD',
      },
      'azure',
    );
    expect(config.applicationInsights).toEqual({
      ingestionEndpoint: 'https://swedencentral-0.in.applicationinsights.azure.com/',
      instrumentationKey: '0000-ikey',
      clientId: '11111111-2222-3333-4444-555555555555',
    });
    expect(loadConfig({ CONTROL_DB: 'sqlite::memory:' }, 'azure').applicationInsights).toBeUndefined();
    expect(() => loadConfig({ CONTROL_DB: 'sqlite::memory:', APPLICATIONINSIGHTS_CONNECTION_STRING: 'IngestionEndpoint=https://x/' }, 'azure')).toThrow(/APPLICATIONINSIGHTS_CONNECTION_STRING.*InstrumentationKey/);
  });
});
