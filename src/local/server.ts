/**
 * The local host's HTTP server: the same route table and edge as Azure Functions, on
 * 127.0.0.1 under /api. Where Azure checks the function key, this server checks
 * ELASTIC_JOBS_API_KEY (when configured) in `x-functions-key` or `?code=`. Before either, the
 * host boundary (./hostBoundary) refuses what a web page on another origin could send.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { MAX_BODY_BYTES, invokeRoute, toHttpResponse } from '../api/edge';
import { problem } from '../api/problem';
import type { Access, ApiResponse } from '../api/route';
import { createRouter } from '../api/router';
import { routes } from '../api/routes';
import { getHealth } from '../api/routes/health';
import { DASHBOARD_PATH, serveDashboard } from '../dashboard/serveDashboard';
import type { DashboardSettings } from '../dashboard/dashboardPage';
import type { Services } from '../services';
import { boundaryRefusal } from './hostBoundary';

const API_PREFIX = '/api/';

/** The local dashboard calls the API beside it with the API key the user types in. */
const LOCAL_DASHBOARD: DashboardSettings = { apiBase: '/api', auth: 'key' };

function keyMatches(expected: string, given: string | null): boolean {
  if (given === null) return false;
  const a = crypto.createHash('sha256').update(expected).digest();
  const b = crypto.createHash('sha256').update(given).digest();
  return crypto.timingSafeEqual(a, b);
}

function send(res: http.ServerResponse, response: ApiResponse): void {
  const init = toHttpResponse(response);
  const body = typeof init.body === 'string' ? init.body : '';
  res.writeHead(init.status ?? 200, { ...(init.headers as Record<string, string>), 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Reads the body, refusing (413) past the limit without buffering the rest. */
function readBody(req: http.IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) over = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function headersOf(req: http.IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Answers without reading the body, and closes the connection (an unread body cannot be skipped). */
function refuse(res: http.ServerResponse, response: ApiResponse): void {
  res.setHeader('connection', 'close');
  send(res, response);
}

/**
 * The request's URL, or undefined when its target is not an origin-form path (`/api/...`):
 * `//other/x` or an absolute URL would otherwise pick another authority.
 */
function requestUrl(req: http.IncomingMessage, port: number): URL | undefined {
  const target = req.url ?? '/';
  if (!target.startsWith('/') || target.startsWith('//')) return undefined;
  try {
    // The Host was checked by boundaryRefusal; without one (HTTP/1.0) the listening address stands in.
    return new URL(target, `http://${req.headers.host ?? `127.0.0.1:${port}`}`);
  } catch {
    return undefined;
  }
}

export function createLocalServer(services: Services): http.Server {
  const router = createRouter(routes);
  const { apiKey, readerApiKey } = services.config;
  /** What a key grants: the API key everything, the reader key GET routes; no key configured, everything. */
  const accessOfKey = (given: string | null): Access | undefined => {
    if (!apiKey) return 'admin';
    if (keyMatches(apiKey, given)) return 'admin';
    if (readerApiKey && keyMatches(readerApiKey, given)) return 'read';
    return undefined;
  };

  return http.createServer((req, res) => {
    void (async () => {
      const port = req.socket.localPort ?? 0;
      const refusal = boundaryRefusal(
        {
          method: req.method ?? 'GET',
          host: req.headers.host,
          origin: req.headers.origin,
          secFetchSite: header(req, 'sec-fetch-site'),
          secFetchMode: header(req, 'sec-fetch-mode'),
        },
        port,
      );
      if (refusal) return refuse(res, problem(refusal.status, refusal.title, refusal.detail));
      const url = requestUrl(req, port);
      if (!url) return refuse(res, problem(400, 'Bad Request', 'The request target is not a path.'));
      if (url.pathname === '/' && (req.method === 'GET' || req.method === 'HEAD')) return send(res, { status: 302, headers: { location: DASHBOARD_PATH } });
      // The dashboard's page and files hold no data: the page asks for the key and calls the API with it.
      if (url.pathname === DASHBOARD_PATH || url.pathname.startsWith(`${DASHBOARD_PATH}/`)) {
        if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, problem(405, 'Method Not Allowed', 'The dashboard is read with GET.'));
        return send(res, serveDashboard(url.pathname.slice(DASHBOARD_PATH.length), LOCAL_DASHBOARD));
      }
      if (!url.pathname.startsWith(API_PREFIX)) return send(res, problem(404, 'Not Found', 'The API is served under /api/ and the dashboard at /api/dashboard.'));
      const keyAccess = accessOfKey(req.headers['x-functions-key']?.toString() ?? url.searchParams.get('code'));
      // GET /health needs no key, as in Azure (its function is anonymous): a probe holds no secret.
      const anonymousHealth = req.method === 'GET' && url.pathname === `${API_PREFIX}${getHealth.path}`;
      if (!keyAccess && !anonymousHealth) {
        return send(res, problem(401, 'Unauthorized', 'A valid API key is required in the x-functions-key header.'));
      }
      const matched = router.match(req.method ?? 'GET', url.pathname.slice(API_PREFIX.length));
      if (!matched) return send(res, problem(404, 'Not Found', `No route ${req.method} ${url.pathname}.`));
      if ('allowed' in matched) {
        const response = problem(405, 'Method Not Allowed', `${req.method} is not allowed on ${url.pathname}.`);
        return send(res, { ...response, headers: { ...response.headers, allow: matched.allowed.join(', ') } });
      }
      const body = await readBody(req);
      if (body === 'too-large') {
        res.setHeader('connection', 'close');
        return send(res, problem(413, 'Payload Too Large', `The request body is over ${MAX_BODY_BYTES} bytes.`));
      }
      const request = new HttpRequest({
        method: req.method ?? 'GET',
        url: url.toString(),
        headers: headersOf(req),
        params: matched.params,
        body: body.length ? { bytes: body } : undefined,
      });
      const invocation = new InvocationContext({ functionName: matched.route.name, invocationId: crypto.randomUUID() });
      send(res, await invokeRoute(matched.route, request, invocation, services, { keyAccess: keyAccess ?? 'read' }));
    })().catch((error: unknown) => {
      services.logger.error('Local host request failed', { error: error instanceof Error ? error.message : String(error) });
      if (!res.headersSent) send(res, problem(500, 'Internal Server Error', 'An unexpected error occurred; it has been logged.'));
      else res.destroy();
    });
  });
}

export function listen(server: http.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    // Loopback only: the local host is for one machine; Azure is the way to share it.
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}
