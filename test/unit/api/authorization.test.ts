import { HttpRequest, InvocationContext } from '@azure/functions';
import { loadConfig, type Config } from '../../../src/config';
import { authorize, CLIENT_PRINCIPAL_HEADER, parseClientPrincipal } from '../../../src/api/authorization';
import { invokeRoute } from '../../../src/api/edge';
import type { AnyRoute } from '../../../src/api/route';
import { routes } from '../../../src/api/routes';
import { ForbiddenError, UnauthorizedError } from '../../../src/domain/errors';
import { silentLogger } from '../../../src/logging';
import type { Services } from '../../../src/services';

const ENTRA_ROLE_TYPE = 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role';

function principalHeader(roles: string[], claimType = 'roles'): string {
  const principal = {
    auth_typ: 'aad',
    claims: [{ typ: 'name', val: 'someone@contoso.example' }, ...roles.map((val) => ({ typ: claimType, val }))],
    name_typ: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
    role_typ: ENTRA_ROLE_TYPE,
  };
  return Buffer.from(JSON.stringify(principal), 'utf8').toString('base64');
}

function requestFor(route: AnyRoute, header?: string): HttpRequest {
  return new HttpRequest({
    method: route.method,
    url: `https://ej.example/api/${route.path}`,
    headers: header === undefined ? {} : { [CLIENT_PRINCIPAL_HEADER]: header },
  });
}

const trusting: Config = loadConfig({ ELASTIC_JOBS_DATA_DIR: '/tmp/ej-authz', TRUST_CLIENT_PRINCIPAL: 'true' }, 'azure');
const untrusting: Config = loadConfig({ ELASTIC_JOBS_DATA_DIR: '/tmp/ej-authz' }, 'azure');

const outcome = (route: AnyRoute, header: string | undefined, config: Config = trusting): 'allowed' | 'forbidden' | 'unauthorized' => {
  try {
    authorize(route, requestFor(route, header), config);
    return 'allowed';
  } catch (e) {
    if (e instanceof ForbiddenError) return 'forbidden';
    if (e instanceof UnauthorizedError) return 'unauthorized';
    throw e;
  }
};

const writeRoutes = routes.filter((r) => r.method !== 'GET');
const readRoutes = routes.filter((r) => r.method === 'GET');
const credentialWriteRoutes = routes.filter((r) => r.path.startsWith('credentials') && r.method !== 'GET');

describe('authorize with App Service authentication on', () => {
  it('has write routes and credential write routes to check', () => {
    expect(writeRoutes.length).toBeGreaterThan(0);
    expect(credentialWriteRoutes.map((r) => r.name)).toEqual(expect.arrayContaining(['createCredential', 'updateCredential', 'deleteCredential']));
  });

  it('refuses a Jobs.Reader with 403 on every write route of the route table', () => {
    const header = principalHeader(['Jobs.Reader']);
    const admitted = writeRoutes.filter((r) => outcome(r, header) !== 'forbidden').map((r) => `${r.method} ${r.path}`);
    expect(admitted).toEqual([]);
  });

  it('lets a Jobs.Reader call every GET route', () => {
    const header = principalHeader(['Jobs.Reader']);
    expect(readRoutes.filter((r) => outcome(r, header) !== 'allowed').map((r) => r.name)).toEqual([]);
  });

  it('refuses a Jobs.Operator with 403 on the credential write routes and admits the other routes', () => {
    const header = principalHeader(['Jobs.Operator']);
    for (const route of credentialWriteRoutes) expect(outcome(route, header)).toBe('forbidden');
    const adminOnly = routes.filter((r) => r.access === 'admin');
    for (const route of routes) expect(outcome(route, header)).toBe(adminOnly.includes(route) ? 'forbidden' : 'allowed');
  });

  it('admits a Jobs.Admin everywhere', () => {
    const header = principalHeader(['Jobs.Admin']);
    expect(routes.filter((r) => outcome(r, header) !== 'allowed').map((r) => r.name)).toEqual([]);
  });

  it('reads roles under the principal role_typ as well as under roles', () => {
    const route = credentialWriteRoutes[0];
    expect(outcome(route, principalHeader(['Jobs.Admin'], ENTRA_ROLE_TYPE))).toBe('allowed');
    expect(outcome(route, principalHeader(['Jobs.Admin'], 'roles'))).toBe('allowed');
  });

  it('does not take a role from a claim of another type', () => {
    const forged = principalHeader(['Jobs.Admin'], 'name');
    expect(outcome(credentialWriteRoutes[0], forged)).toBe('forbidden');
  });

  it('refuses a principal without any app role, even on GET routes', () => {
    expect(outcome(readRoutes[0], principalHeader([]))).toBe('forbidden');
  });

  it('treats a request without a principal as the function key holder: admin', () => {
    expect(routes.filter((r) => outcome(r, undefined) !== 'allowed').map((r) => r.name)).toEqual([]);
  });

  it.each([
    ['not base64', '%%% not base64 %%%'],
    ['empty', ''],
    ['base64 of text that is not JSON', Buffer.from('{"auth_typ": "aad", claims: [', 'utf8').toString('base64')],
    ['JSON that is not an object', Buffer.from('"Jobs.Admin"', 'utf8').toString('base64')],
    ['claims that are not a list', Buffer.from(JSON.stringify({ auth_typ: 'aad', claims: { typ: 'roles', val: 'Jobs.Admin' } }), 'utf8').toString('base64')],
    ['a claim without a value', Buffer.from(JSON.stringify({ auth_typ: 'aad', claims: [{ typ: 'roles' }] }), 'utf8').toString('base64')],
    ['no auth_typ', Buffer.from(JSON.stringify({ claims: [{ typ: 'roles', val: 'Jobs.Admin' }] }), 'utf8').toString('base64')],
  ])('rejects a malformed principal header (%s) with 401', (_label, header) => {
    expect(outcome(credentialWriteRoutes[0], header)).toBe('unauthorized');
    expect(() => parseClientPrincipal(header)).toThrow(UnauthorizedError);
  });
});

describe('authorize with App Service authentication off', () => {
  it('rejects a principal header with 401 instead of believing it: nothing stripped a forged copy', () => {
    const forged = principalHeader(['Jobs.Admin']);
    for (const route of routes) expect(outcome(route, forged, untrusting)).toBe('unauthorized');
  });

  it('leaves requests without a principal to the function key', () => {
    expect(routes.filter((r) => outcome(r, undefined, untrusting) !== 'allowed')).toEqual([]);
  });
});

describe('trust in the principal header comes from the host settings', () => {
  it.each([
    [{ WEBSITE_AUTH_ENABLED: 'True' }, true],
    [{ WEBSITE_AUTH_ENABLED: 'False' }, false],
    [{}, false],
    [{ TRUST_CLIENT_PRINCIPAL: 'true' }, true],
    [{ WEBSITE_AUTH_ENABLED: 'True', TRUST_CLIENT_PRINCIPAL: 'false' }, false],
  ])('%j -> %s', (env, trusted) => {
    expect(loadConfig({ ELASTIC_JOBS_DATA_DIR: '/tmp/ej-authz', ...env }, 'azure').trustClientPrincipal).toBe(trusted);
  });
});

describe('the edge maps authorization failures to problem details before any handler runs', () => {
  // No control database: a handler that ran would fail with 500, so a 403/401 proves it never started.
  const services = { config: trusting, logger: silentLogger } as unknown as Services;
  const invocation = new InvocationContext({ functionName: 'test', invocationId: 'authz' });

  it('answers 403 to a reader creating a credential', async () => {
    const route = routes.find((r) => r.name === 'createCredential')!;
    const request = new HttpRequest({
      method: 'POST',
      url: 'https://ej.example/api/credentials',
      headers: { [CLIENT_PRINCIPAL_HEADER]: principalHeader(['Jobs.Reader']), 'content-type': 'application/json' },
      body: { string: JSON.stringify({ name: 'c', username: 'u', password: 'secret-password-1', allowedServers: ['*'] }) },
    });
    const response = await invokeRoute(route, request, invocation, services);
    expect(response.status).toBe(403);
    expect(response.headers?.['content-type']).toBe('application/problem+json');
    expect(JSON.stringify(response.body)).not.toContain('secret-password-1');
  });

  it('answers 401 to a malformed principal', async () => {
    const route = routes.find((r) => r.name === 'listCredentials')!;
    const request = new HttpRequest({ method: 'GET', url: 'https://ej.example/api/credentials', headers: { [CLIENT_PRINCIPAL_HEADER]: 'bm90IGpzb24=' } });
    expect((await invokeRoute(route, request, invocation, services)).status).toBe(401);
  });
});
