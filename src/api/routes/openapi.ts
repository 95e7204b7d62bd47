import { buildOpenApiDocument } from '../openapi';
import { defineRoute } from '../route';
// Read at call time: the route table includes this route.
import * as table from './index';

let cached: Record<string, unknown> | undefined;

export const getOpenApiDocument = defineRoute({
  name: 'getOpenApiDocument',
  method: 'GET',
  path: 'openapi.json',
  summary: 'This API as an OpenAPI 3.1 document',
  tag: 'Health',
  access: 'read',
  success: { status: 200 },
  async handle() {
    cached ??= buildOpenApiDocument(table.routes);
    return { status: 200, body: cached };
  },
});

export const openApiRoutes = [getOpenApiDocument];
