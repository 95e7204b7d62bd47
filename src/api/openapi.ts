/**
 * The OpenAPI 3.1 document, generated from the route table and the same zod schemas that
 * validate requests, so the document cannot drift from the code. Schemas with a zod `id`
 * become components; everything else is inlined.
 */
import { z } from 'zod';
import { JobExecutionEndedEvent } from '../domain/schemas/execution';
import { version } from '../version';
import type { AnyRoute } from './route';

type JsonSchema = Record<string, unknown>;

const COMPONENT_PREFIX = '#/components/schemas/';

/** Points `#/$defs/X` at the component X, and drops the per-schema keywords OpenAPI keeps elsewhere. */
function asComponentRefs(schema: JsonSchema): JsonSchema {
  const text = JSON.stringify(schema).replaceAll('"#/$defs/', `"${COMPONENT_PREFIX}`);
  const out = JSON.parse(text) as JsonSchema;
  delete out.$schema;
  delete out.$id;
  delete out.$defs;
  return out;
}

function toSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const id = z.globalRegistry.get(schema)?.id;
  if (id) return { $ref: `${COMPONENT_PREFIX}${id}` };
  return asComponentRefs(z.toJSONSchema(schema, { target: 'draft-2020-12', unrepresentable: 'any', io }) as JsonSchema);
}

function components(): Record<string, JsonSchema> {
  const all = z.toJSONSchema(z.globalRegistry, { target: 'draft-2020-12', unrepresentable: 'any', io: 'input', uri: (id) => `${COMPONENT_PREFIX}${id}` });
  return Object.fromEntries(Object.entries(all.schemas).map(([id, s]) => [id, asComponentRefs(s as JsonSchema)]));
}

const problem = {
  description: 'Problem details (RFC 9457)',
  content: { 'application/problem+json': { schema: { $ref: `${COMPONENT_PREFIX}ProblemDetails` } } },
};

function parameters(route: AnyRoute): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const [where, schema] of [['path', route.params], ['query', route.query]] as const) {
    if (!schema) continue;
    const json = z.toJSONSchema(schema as z.ZodType, { target: 'draft-2020-12', unrepresentable: 'any', io: 'input' }) as JsonSchema;
    const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((json.required as string[] | undefined) ?? []);
    for (const [name, s] of Object.entries(properties)) {
      out.push({ name, in: where, required: where === 'path' || (required.has(name) && !('default' in s)), schema: asComponentRefs(s) });
    }
  }
  // A path parameter the route declares without a schema is still a string.
  for (const m of route.path.matchAll(/\{(\w+)\}/g)) {
    if (!out.some((p) => p.in === 'path' && p.name === m[1])) out.push({ name: m[1], in: 'path', required: true, schema: { type: 'string' } });
  }
  return out;
}

export function buildOpenApiDocument(routes: AnyRoute[]): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const key = `/${route.path}`;
    const responses: Record<string, JsonSchema> = {
      [String(route.success.status)]: route.success.schema
        ? { description: 'Success', content: { 'application/json': { schema: toSchema(route.success.schema, 'output') } } }
        : { description: 'Success' },
      '400': problem,
      // Every route may meet an unreachable control database or secret store (src/api/problem.ts).
      '500': problem,
      '503': problem,
    };
    if (!route.anonymous) {
      responses['401'] = problem;
      responses['403'] = problem;
    }
    if (route.path.includes('{')) responses['404'] = problem;
    if (route.method !== 'GET') responses['409'] = problem;
    if (route.body) {
      responses['413'] = problem;
      responses['415'] = problem;
    }
    for (const other of route.otherResponses ?? []) {
      responses[String(other.status)] = other.schema
        ? { description: other.description, content: { 'application/json': { schema: toSchema(other.schema, 'output') } } }
        : { ...problem, description: other.description };
    }
    // A body in any other content type than JSON (src/api/edge.ts isJsonContentType).
    if (route.body) responses['415'] = problem;
    paths[key] ??= {};
    paths[key][route.method.toLowerCase()] = {
      operationId: route.name,
      summary: route.summary,
      tags: [route.tag],
      'x-access': route.access,
      // An anonymous route overrides the document's key requirement (OpenAPI 3.1: an empty list).
      ...(route.anonymous ? { security: [] } : {}),
      parameters: parameters(route),
      ...(route.body ? { requestBody: { required: !route.bodyOptional, content: { 'application/json': { schema: toSchema(route.body, 'input') } } } } : {}),
      responses,
    };
  }
  // Not a route of the table: the dashboard's page is served by each host beside the API (src/dashboard).
  paths['/dashboard'] = {
    get: {
      operationId: 'dashboard',
      summary: "The web dashboard (an HTML page without data: it reads this API with the caller's key, or App Service session in Azure)",
      tags: ['Dashboard'],
      security: [],
      responses: { '200': { description: 'The page', content: { 'text/html': { schema: { type: 'string' } } } } },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Elastic Jobs',
      version,
      description: 'Run T-SQL scripts and DACPACs reliably across many databases, on a schedule, with every attempt on record.',
    },
    servers: [{ url: '/api' }],
    security: [{ functionKey: [] }],
    paths,
    // What the product calls: a job's `notify` URL, when an execution ends in one of its `on`.
    webhooks: {
      jobExecutionEnded: {
        post: {
          operationId: 'jobExecutionEnded',
          summary:
            "A job execution ended in one of the job's notify.on lifecycles. Verify X-Elastic-Jobs-Signature over the raw body before parsing it; answer 2xx, or the POST is retried with backoff for an hour after the end (at least once: drop repeats by X-Elastic-Jobs-Delivery).",
          tags: ['Jobs'],
          parameters: [
            {
              name: 'X-Elastic-Jobs-Signature',
              in: 'header',
              required: true,
              description: 'sha256=<hex HMAC-SHA256 of the exact body bytes under the WEBHOOK_SIGNING_KEY setting>',
              schema: { type: 'string', pattern: '^sha256=[0-9a-f]{64}$' },
            },
            { name: 'X-Elastic-Jobs-Event', in: 'header', required: true, schema: { type: 'string', const: 'jobExecution.ended' } },
            { name: 'X-Elastic-Jobs-Delivery', in: 'header', required: true, description: 'The execution id: the same on every retry', schema: { type: 'string', format: 'uuid' } },
          ],
          requestBody: { required: true, content: { 'application/json': { schema: toSchema(JobExecutionEndedEvent, 'output') } } },
          responses: { '200': { description: 'Received (any 2xx)' } },
        },
      },
    },
    components: {
      securitySchemes: { functionKey: { type: 'apiKey', in: 'header', name: 'x-functions-key' } },
      schemas: {
        ...components(),
        ProblemDetails: {
          type: 'object',
          required: ['type', 'title', 'status', 'detail'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            errors: { type: 'array', items: { type: 'object', required: ['path', 'message'], properties: { path: { type: 'string' }, message: { type: 'string' } } } },
          },
        },
      },
    },
  };
}
