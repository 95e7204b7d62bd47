/** docs/api.md is the route table as it is: a route added, removed or changed without `npm run docs:api` fails here. */
import fs from 'node:fs';
import path from 'node:path';
import { renderApiReference } from '../../../src/api/apiReference';
import { routes } from '../../../src/api/routes';

describe('docs/api.md', () => {
  const text = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'docs', 'api.md'), 'utf8');

  it('is what the route table renders (run npm run docs:api after changing a route)', () => {
    expect(text).toBe(renderApiReference(routes));
  });

  it('lists every route with its method and path, /health as anonymous, the wait with its 202', () => {
    for (const route of routes) expect(text).toContain(`| ${route.method} | \`/${route.path}\` |`);
    expect(text).toMatch(/\| GET \| `\/health` \| .* \| anonymous \| 200, 503 \|/);
    expect(text).toMatch(/\| GET \| `\/executions\/\{id\}\/wait` \| .* \| 200, 202 \|/);
  });
});
