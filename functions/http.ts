/**
 * One Azure Functions HTTP function per route of the table, named for what it does
 * (createJob, startJobExecution...), as operators see them in the portal's function list.
 * Each gets the durable client binding, which the routes that start or cancel executions use.
 */
import { app } from '@azure/functions';
import * as df from 'durable-functions';
import { httpHandler } from '../src/api/edge';
import { routes } from '../src/api/routes';
import { azureServices } from '../src/azure/services';
import { DASHBOARD_API_ROUTE, DASHBOARD_PAGE_ROUTE, dashboardApiHandler, dashboardPageHandler } from '../src/dashboard/azureDashboard';

for (const route of routes) {
  app.http(route.name, {
    route: route.path,
    methods: [route.method],
    authLevel: route.anonymous ? 'anonymous' : 'function',
    extraInputs: [df.input.durableClient()],
    handler: httpHandler(route, azureServices),
  });
}

// The dashboard: its page (no data in it) and the route table for signed-in people (App Service
// authentication, app roles); see src/dashboard/azureDashboard.ts for why these two are anonymous.
app.http('dashboard', { route: DASHBOARD_PAGE_ROUTE, methods: ['GET'], authLevel: 'anonymous', handler: dashboardPageHandler });
app.http('dashboardApi', {
  route: DASHBOARD_API_ROUTE,
  methods: ['GET', 'POST', 'PUT', 'DELETE'],
  authLevel: 'anonymous',
  extraInputs: [df.input.durableClient()],
  handler: dashboardApiHandler(azureServices),
});
