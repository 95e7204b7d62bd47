/**
 * Calls the real route handlers with real @azure/functions HttpRequest and InvocationContext
 * objects, against a real control database, capturing every log line so tests can search them
 * for secrets.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { loadConfig, type HostKind } from '../../src/config';
import { invokeRoute, toHttpResponse } from '../../src/api/edge';
import { createRouter } from '../../src/api/router';
import { routes } from '../../src/api/routes';
import { createServices, type ServiceOverrides, type Services } from '../../src/services';
import { createLogger } from '../../src/logging';
import { createControlUrl, type TestDialect } from './controlDatabases';

export interface CallResult {
  status: number;
  headers: Record<string, string>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  text: string;
}

export interface CallOptions {
  body?: unknown;
  /** Sent as is (for malformed JSON and oversize bodies). */
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface ApiHarness {
  services: Services;
  logs: string[];
  dataDir: string;
  call(method: string, pathAndQuery: string, options?: CallOptions): Promise<CallResult>;
  /** A call that must succeed (below 300): its body; otherwise it throws with the answer. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  ok(method: string, pathAndQuery: string, body?: unknown): Promise<any>;
  close(): Promise<void>;
}

export async function createApiHarness(dialect: TestDialect = 'sqlite', overrides: ServiceOverrides = {}, env: Record<string, string> = {}, host: HostKind = 'local'): Promise<ApiHarness> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ej-api-'));
  const { url, drop } = await createControlUrl(dialect);
  const logs: string[] = [];
  const config = loadConfig({ ELASTIC_JOBS_DATA_DIR: dataDir, CONTROL_DB: url, ELASTIC_JOBS_MASTER_KEY: crypto.randomBytes(32).toString('hex'), LOG_LEVEL: 'debug', ...env }, host);
  const services = await createServices(config, { logger: createLogger('debug', (l) => logs.push(l)), ...overrides });
  const router = createRouter(routes);

  const harness: ApiHarness = {
    services,
    logs,
    dataDir,
    async ok(method, pathAndQuery, body) {
      const res = await harness.call(method, pathAndQuery, body === undefined ? {} : { body });
      if (res.status >= 300) throw new Error(`${method} ${pathAndQuery}: ${res.status} ${res.text}`);
      return res.body;
    },
    async call(method, pathAndQuery, options = {}) {
      const url = new URL(`http://127.0.0.1:7071/api/${pathAndQuery.replace(/^\//, '')}`);
      const matched = router.match(method, url.pathname.slice('/api/'.length));
      if (!matched) return { status: 404, headers: {}, body: undefined, text: '' };
      if ('allowed' in matched) return { status: 405, headers: {}, body: undefined, text: '' };
      const text = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
      const request = new HttpRequest({
        method,
        url: url.toString(),
        headers: { 'content-type': 'application/json', ...(options.headers ?? {}) },
        params: matched.params,
        body: text === undefined ? undefined : { string: text },
      });
      const invocation = new InvocationContext({ functionName: matched.route.name, invocationId: crypto.randomUUID() });
      const response = toHttpResponse(await invokeRoute(matched.route, request, invocation, services));
      const bodyText = typeof response.body === 'string' ? response.body : '';
      logs.push(`RESPONSE ${response.status} ${bodyText}`);
      return {
        status: response.status ?? 200,
        headers: (response.headers ?? {}) as Record<string, string>,
        body: bodyText ? JSON.parse(bodyText) : undefined,
        text: bodyText,
      };
    },
    async close() {
      await services.close();
      await drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}
