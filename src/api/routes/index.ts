/**
 * The route table: every route of the HTTP API, in one list. Azure Functions registrations, the
 * local host's router and the OpenAPI document are all generated from it.
 */
import type { AnyRoute } from '../route';
import { getCaller } from './caller';
import { contentRoutes } from './contents';
import { credentialRoutes } from './credentials';
import { executionPolicyRoutes } from './executionPolicies';
import { executionRoutes } from './executions';
import { getHealth } from './health';
import { jobHistoryRoutes } from './jobHistory';
import { jobRoutes } from './jobs';
import { jobStepRoutes } from './jobSteps';
import { openApiRoutes } from './openapi';
import { scheduleRoutes } from './schedules';
import { targetRoutes } from './targets';
import { targetDatabaseRoutes } from './targetDatabases';
import { triggerRoutes } from './triggers';

export const routes: AnyRoute[] = [
  getHealth,
  getCaller,
  ...openApiRoutes,
  ...credentialRoutes,
  ...contentRoutes,
  ...targetRoutes,
  ...targetDatabaseRoutes,
  ...executionPolicyRoutes,
  ...jobRoutes,
  ...jobStepRoutes,
  ...executionRoutes,
  ...scheduleRoutes,
  ...triggerRoutes,
  ...jobHistoryRoutes,
];
