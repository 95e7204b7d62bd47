/**
 * The route table: every route of the HTTP API, in one list. Azure Functions registrations, the
 * local host's router and the OpenAPI document are all generated from it.
 */
import type { AnyRoute } from '../route';
import { credentialRoutes } from './credentials';
import { getHealth } from './health';
import { openApiRoutes } from './openapi';

export const routes: AnyRoute[] = [getHealth, ...openApiRoutes, ...credentialRoutes];
