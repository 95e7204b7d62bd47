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

for (const route of routes) {
  app.http(route.name, {
    route: route.path,
    methods: [route.method],
    authLevel: route.name === 'getHealth' ? 'anonymous' : 'function',
    extraInputs: [df.input.durableClient()],
    handler: httpHandler(route, azureServices),
  });
}
