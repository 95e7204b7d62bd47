/**
 * The OpenAPI document says what each route really answers: every status a handler returns (read
 * from the handler itself, so a new `status: 2xx` without its declaration fails here) is in the
 * document, /health is anonymous (security: []) and nothing else is, and examples stay within
 * their bounds (a wait's timeout example is at most PT3M).
 */
import { buildOpenApiDocument } from '../../../src/api/openapi';
import { routes } from '../../../src/api/routes';
import { MAX_WAIT_MS } from '../../../src/api/routes/executions';
import { parseDuration } from '../../../src/domain/duration';

type Operation = { responses: Record<string, unknown>; security?: unknown[]; parameters: Array<{ name: string; in: string; schema: Record<string, unknown> }> };
const doc = buildOpenApiDocument(routes) as { paths: Record<string, Record<string, Operation>> };
const operation = (route: (typeof routes)[number]) => doc.paths[`/${route.path}`][route.method.toLowerCase()];

/** Statuses a handler returns by itself: `status: 202`, `status: done ? 200 : 202`, `problem(503, ...)`. */
function statusesInHandler(source: string): number[] {
  const found = new Set<number>();
  for (const m of source.matchAll(/status:\s*([^,}\n]+)/g)) for (const n of m[1].matchAll(/\b([1-5]\d\d)\b/g)) found.add(Number(n[1]));
  for (const m of source.matchAll(/problem\)?\(\s*([1-5]\d\d)/g)) found.add(Number(m[1]));
  return [...found];
}

describe('OpenAPI statuses match the route table', () => {
  it.each(routes.map((r) => [`${r.method} /${r.path}`, r] as const))('%s declares every status its handler returns', (_label, route) => {
    const declared = Object.keys(operation(route).responses).map(Number);
    const returned = statusesInHandler(route.handle.toString());
    expect(returned.length).toBeGreaterThan(0);
    for (const status of [route.success.status, ...(route.otherResponses ?? []).map((o) => o.status), ...returned]) expect(declared).toContain(status);
  });

  it('declares the wait route\'s 202 at its timeout, with the execution as it stands', () => {
    const wait = doc.paths['/executions/{id}/wait'].get;
    expect(Object.keys(wait.responses)).toEqual(expect.arrayContaining(['200', '202']));
    expect(JSON.stringify(wait.responses['202'])).toContain('#/components/schemas/JobExecution');
  });

  it('describes the job webhook the product POSTs, with its signature header and body', () => {
    const hook = (doc as unknown as { webhooks: Record<string, { post: { parameters: { name: string }[]; requestBody: unknown } }> }).webhooks.jobExecutionEnded.post;
    expect(hook.parameters.map((p) => p.name)).toEqual(['X-Elastic-Jobs-Signature', 'X-Elastic-Jobs-Event', 'X-Elastic-Jobs-Delivery']);
    expect(JSON.stringify(hook.requestBody)).toContain('#/components/schemas/JobExecutionEndedEvent');
    const schemas = (doc as unknown as { components: { schemas: Record<string, { properties: Record<string, unknown> }> } }).components.schemas;
    expect(Object.keys(schemas.JobExecutionEndedEvent.properties)).toEqual(['event', 'execution']);
    expect(Object.keys(schemas.Job.properties)).toEqual(expect.arrayContaining(['enabled', 'notify']));
    expect(Object.keys(schemas.UpdateJob.properties)).toEqual(expect.arrayContaining(['enabled', 'notify']));
  });

  it('every route may answer 503 (control database or secret store unreachable) and 500', () => {
    for (const route of routes) expect(Object.keys(operation(route).responses)).toEqual(expect.arrayContaining(['500', '503']));
  });
});

describe('anonymous routes', () => {
  it('marks /health alone as needing no key (security: []) and without 401/403', () => {
    const anonymous = routes.filter((r) => operation(r).security !== undefined).map((r) => r.name);
    expect(anonymous).toEqual(['getHealth']);
    expect(doc.paths['/health'].get.security).toEqual([]);
    expect(doc.paths['/health'].get.responses).not.toHaveProperty('401');
  });
});

describe('examples within their bounds', () => {
  it('the wait timeout\'s examples and default are at most PT3M', () => {
    const timeout = doc.paths['/executions/{id}/wait'].get.parameters.find((p) => p.name === 'timeout')!;
    const values = [...((timeout.schema.examples as string[] | undefined) ?? []), timeout.schema.default as string].filter(Boolean);
    expect(values.length).toBeGreaterThan(0);
    for (const v of values) expect(parseDuration(v)).toBeLessThanOrEqual(MAX_WAIT_MS);
  });
});
