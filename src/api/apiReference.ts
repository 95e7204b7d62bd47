/**
 * docs/api.md, the HTTP contract in prose: one table row per route of the route table (method,
 * path, what it does, who may call it, the statuses it answers), generated here so the document
 * cannot drift from the code (`npm run docs:api` writes it; a test compares it).
 */
import { buildOpenApiDocument } from './openapi';
import type { AnyRoute } from './route';

const ACCESS: Record<AnyRoute['access'], string> = { read: 'Jobs.Reader', operate: 'Jobs.Operator', admin: 'Jobs.Admin' };

/** The markdown of docs/api.md for these routes. */
export function renderApiReference(routes: AnyRoute[]): string {
  const doc = buildOpenApiDocument(routes) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
  const byTag = new Map<string, AnyRoute[]>();
  for (const route of routes) byTag.set(route.tag, [...(byTag.get(route.tag) ?? []), route]);
  const lines = [
    '# The HTTP API',
    '',
    '<!-- Generated from the route table by `npm run docs:api` (src/api/apiReference.ts); test/unit/api/apiReference.test.ts fails when it is stale. -->',
    '',
    'Every route is under `/api` and takes and returns JSON; errors are RFC 9457 problem details',
    '(`application/problem+json`) whose `errors` name each failing field (`body.maximumAttempts`,',
    '`query.lifecycle`, `path.id`). A request is authorized by a function key in `x-functions-key`',
    '(admin), or in Azure by App Service authentication and the app roles below; `GET /health`',
    'needs neither. The schemas of every body are in `GET /api/openapi.json` (OpenAPI 3.1).',
    '',
    'Statuses every route may answer besides those listed: 400 (invalid input), 401/403 (no or',
    'too little access), 500, 503 (control database or secret store unreachable); 404 where the',
    'path names an object; 409 for a write that conflicts; 413/415 for a bad body.',
    '',
  ];
  const generic = new Set(['400', '401', '403', '404', '409', '413', '415', '500', '503']);
  for (const [tag, tagged] of byTag) {
    lines.push(`## ${tag}`, '', '| method | path | what it does | least role | answers |', '|---|---|---|---|---|');
    for (const route of tagged) {
      const statuses = Object.keys(doc.paths[`/${route.path}`][route.method.toLowerCase()].responses).filter((s) => !generic.has(s) || route.otherResponses?.some((o) => String(o.status) === s));
      const role = route.anonymous ? 'anonymous' : ACCESS[route.access];
      lines.push(`| ${route.method} | \`/${route.path}\` | ${route.summary.replace(/\|/g, '\\|')} | ${role} | ${statuses.join(', ')} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
