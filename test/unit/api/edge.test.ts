import crypto from 'node:crypto';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { isJsonContentType, invokeRoute, toHttpResponse } from '../../../src/api/edge';
import { createCredential } from '../../../src/api/routes/credentials';
import { loadConfig } from '../../../src/config';
import type { Services } from '../../../src/services';

describe('which request bodies are JSON', () => {
  it.each(['application/json', 'application/json; charset=utf-8', 'Application/JSON;charset=UTF-8', 'application/json; charset="utf-8"', 'application/merge-patch+json', 'application/problem+json'])(
    'accepts %s',
    (type) => {
      expect(isJsonContentType(type)).toBe(true);
    },
  );

  it.each([
    null,
    '',
    'text/plain',
    'text/plain;charset=UTF-8',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/json; charset=latin1',
    'application/jsonx',
    'text/json',
    'application/json; boundary=x',
  ])('refuses %j', (type) => {
    expect(isJsonContentType(type)).toBe(false);
  });
});

describe('the shared edge (the Azure Functions path too)', () => {
  // The checks run before the handler: a services object the handler would need is never touched.
  const services = { config: loadConfig({ ELASTIC_JOBS_DATA_DIR: '/tmp/ej-edge-unit' }, 'azure'), logger: { error() {} } } as unknown as Services;
  const call = async (headers: Record<string, string>, body: string) => {
    const request = new HttpRequest({ method: 'POST', url: 'https://app.azurewebsites.net/api/credentials', headers, body: { string: body } });
    const invocation = new InvocationContext({ functionName: 'createCredential', invocationId: crypto.randomUUID() });
    return toHttpResponse(await invokeRoute(createCredential, request, invocation, services));
  };

  it('answers a text/plain body with 415 before the handler runs', async () => {
    const response = await call({ 'content-type': 'text/plain;charset=UTF-8' }, JSON.stringify({ name: 'x', username: 'u', password: 'p', allowedServers: ['*'] }));
    expect(response.status).toBe(415);
    expect(response.headers).toMatchObject({ 'content-type': 'application/problem+json' });
    expect(JSON.parse(response.body as string)).toMatchObject({ status: 415, title: 'Unsupported Media Type' });
  });

  it('keeps a 60,000-key body\'s error document small, listing the first 20 and how many more', async () => {
    const body = JSON.stringify(Object.fromEntries(Array.from({ length: 60_000 }, (_, i) => [`u${i}`, 1])));
    const response = await call({ 'content-type': 'application/json' }, body);
    expect(response.status).toBe(400);
    const text = response.body as string;
    expect(Buffer.byteLength(text)).toBeLessThan(16 * 1024);
    const problem = JSON.parse(text) as { errors: { path: string; message: string }[]; detail: string };
    expect(problem.errors).toHaveLength(21);
    expect(problem.errors).toContainEqual({ path: 'body.u0', message: 'is not a known field' });
    // The required fields missing (4) and the unknown keys: all but 20 summarised.
    expect(problem.errors[20].message).toMatch(/^and \d+ more$/);
    expect(Number(/\d+/.exec(problem.errors[20].message)![0]) + 20).toBeGreaterThanOrEqual(60_000);
  });

  it('clips one megabyte-long unknown key in the path it reports', async () => {
    const response = await call({ 'content-type': 'application/json' }, JSON.stringify({ ['k'.repeat(1_000_000)]: 1 }));
    expect(response.status).toBe(400);
    expect(Buffer.byteLength(response.body as string)).toBeLessThan(16 * 1024);
  });
});
