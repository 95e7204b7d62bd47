/**
 * The dashboard in Azure. Pipelines call the API with a function key; people sign in with
 * Microsoft Entra ID through App Service authentication, whose session cookie a browser sends
 * but which carries no function key. So the dashboard's page calls the same route table under
 * `/api/dashboard/api/...`, through ONE anonymous function that accepts nothing but an App
 * Service principal (`x-ms-client-principal`, believed only where App Service authentication
 * is on and strips a caller's copy: TRUST_CLIENT_PRINCIPAL / WEBSITE_AUTH_ENABLED), and applies
 * the principal's app roles. Function keys keep working on `/api/...` as before; a forged
 * principal is refused on both.
 */
import { HttpRequest, type HttpHandler, type HttpResponseInit } from '@azure/functions';
import { invokeRoute, toHttpResponse } from '../api/edge';
import { problem } from '../api/problem';
import { createRouter } from '../api/router';
import { routes } from '../api/routes';
import type { Services } from '../services';
import type { DashboardSettings } from './dashboardPage';
import { serveDashboard } from './serveDashboard';

/** Route templates of the two dashboard functions (under /api). The API one is the more specific, so it wins. */
export const DASHBOARD_PAGE_ROUTE = 'dashboard/{*asset}';
export const DASHBOARD_API_ROUTE = 'dashboard/api/{*path}';

const AZURE_DASHBOARD: DashboardSettings = { apiBase: '/api/dashboard/api', auth: 'session' };

/** Serves the page (`/api/dashboard`) and its files (`/api/dashboard/assets/...`). */
export const dashboardPageHandler: HttpHandler = async (request) => {
  const asset = request.params.asset ?? '';
  return toHttpResponse(serveDashboard(asset ? `/${asset}` : '', AZURE_DASHBOARD));
};

/** The route table behind App Service authentication: a principal is required, a key is not accepted. */
export function dashboardApiHandler(getServices: () => Promise<Services>): HttpHandler {
  const router = createRouter(routes);
  return async (request, invocation): Promise<HttpResponseInit> => {
    const matched = router.match(request.method, request.params.path ?? '');
    if (!matched) return toHttpResponse(problem(404, 'Not Found', `No route ${request.method} ${request.params.path ?? ''}.`));
    if ('allowed' in matched) return toHttpResponse(problem(405, 'Method Not Allowed', `${request.method} is not allowed here.`));
    const bytes = Buffer.from(await request.arrayBuffer());
    const routed = new HttpRequest({
      method: request.method,
      url: request.url,
      headers: Object.fromEntries(request.headers.entries()),
      params: matched.params,
      body: bytes.length ? { bytes } : undefined,
    });
    return toHttpResponse(await invokeRoute(matched.route, routed, invocation, await getServices(), { principalRequired: true }));
  };
}
