/**
 * The dashboard's way into the API in Azure: one anonymous function that serves the route table
 * to App Service principals only. A function key is not a way in there, a principal header is
 * refused where App Service authentication is off, and app roles decide as on /api.
 */
import { HttpRequest, InvocationContext } from '@azure/functions';
import { CLIENT_PRINCIPAL_HEADER } from '../../../src/api/authorization';
import { loadConfig } from '../../../src/config';
import { dashboardApiHandler, dashboardPageHandler } from '../../../src/dashboard/azureDashboard';
import { silentLogger } from '../../../src/logging';
import type { Services } from '../../../src/services';

function principal(roles: string[]): string {
  const value = { auth_typ: 'aad', claims: roles.map((val) => ({ typ: 'roles', val })), role_typ: 'roles' };
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64');
}

// Authorization ends these requests before any handler reads the control database.
const servicesWith = (env: Record<string, string>) => async () => ({ config: loadConfig({ ELASTIC_JOBS_DATA_DIR: '/tmp/ej-dash', ...env }, 'azure'), logger: silentLogger }) as unknown as Services;

async function call(env: Record<string, string>, method: string, path: string, headers: Record<string, string>) {
  const request = new HttpRequest({ method, url: `https://ej.example/api/dashboard/api/${path}`, headers, params: { path } });
  const response = await dashboardApiHandler(servicesWith(env))(request, new InvocationContext());
  return { status: response.status, body: typeof response.body === 'string' ? JSON.parse(response.body) : undefined };
}

const TRUSTED = { TRUST_CLIENT_PRINCIPAL: 'true' };
const CANCEL = 'executions/3f1a6b3e-0000-4000-8000-000000000001/cancel';

describe('the dashboard API in Azure', () => {
  test('a signed-in reader reads its role and may not cancel', async () => {
    const reader = { [CLIENT_PRINCIPAL_HEADER]: principal(['Jobs.Reader']) };
    expect(await call(TRUSTED, 'GET', 'caller', reader)).toEqual({ status: 200, body: { access: 'read', role: 'reader' } });
    expect((await call(TRUSTED, 'POST', CANCEL, reader)).status).toBe(403);
  });

  test('an operator is an operator', async () => {
    expect((await call(TRUSTED, 'GET', 'caller', { [CLIENT_PRINCIPAL_HEADER]: principal(['Jobs.Operator']) })).body).toEqual({ access: 'operate', role: 'operator' });
  });

  test('a function key alone does not open it: a session is required', async () => {
    const res = await call(TRUSTED, 'GET', 'caller', { 'x-functions-key': 'some-function-key' });
    expect(res.status).toBe(401);
  });

  test('a principal header is refused where App Service authentication is off (it can only be forged)', async () => {
    const res = await call({}, 'GET', 'caller', { [CLIENT_PRINCIPAL_HEADER]: principal(['Jobs.Admin']) });
    expect(res.status).toBe(401);
  });

  test('unknown routes are 404 and wrong methods 405', async () => {
    const admin = { [CLIENT_PRINCIPAL_HEADER]: principal(['Jobs.Admin']) };
    expect((await call(TRUSTED, 'GET', 'no/such/route', admin)).status).toBe(404);
    expect((await call(TRUSTED, 'DELETE', 'caller', admin)).status).toBe(405);
  });

  test('the page tells the browser to use the session and the API behind it, and allows only its own import map inline', async () => {
    const response = await dashboardPageHandler(new HttpRequest({ method: 'GET', url: 'https://ej.example/api/dashboard', params: {} }), new InvocationContext());
    const html = String(response.body);
    expect(html).toContain('{"apiBase":"/api/dashboard/api","auth":"session"}');
    const csp = (response.headers as Record<string, string>)['content-security-policy'];
    expect(csp).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
    const asset = await dashboardPageHandler(new HttpRequest({ method: 'GET', url: 'https://ej.example/api/dashboard/assets/../../package.json', params: { asset: 'assets/../../package.json' } }), new InvocationContext());
    expect(asset.status).toBe(404);
  });
});
