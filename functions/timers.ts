/**
 * The scheduler's timers, and the notification sender's. Every scaled-out instance runs them;
 * the claim rows in the control database (src/scheduler, src/notifications) make each fire time
 * start once and each notification go out once at a time, however many run at the same moment.
 */
import { app, type InvocationContext, type Timer } from '@azure/functions';
import * as df from 'durable-functions';
import { azureServices } from '../src/azure/services';
import { deliverDueNotifications } from '../src/notifications/deliverDueNotifications';
import { runHousekeeping } from '../src/scheduler/housekeeping';
import { runSchedulerTick } from '../src/scheduler/schedulerTick';

export async function fireSchedules(_timer: Timer, invocation: InvocationContext): Promise<void> {
  const services = await azureServices();
  await runSchedulerTick(services, { now: services.clock.now(), invocation });
}
app.timer('fireSchedules', { schedule: '0 */1 * * * *', runOnStartup: false, extraInputs: [df.input.durableClient()], handler: fireSchedules });

export async function housekeeping(): Promise<void> {
  const services = await azureServices();
  await runHousekeeping(services, { now: services.clock.now() });
}
app.timer('housekeeping', { schedule: '0 */5 * * * *', runOnStartup: false, handler: housekeeping });

export async function deliverNotifications(): Promise<void> {
  const services = await azureServices();
  await deliverDueNotifications(services, { now: services.clock.now() });
}
app.timer('deliverNotifications', { schedule: '*/20 * * * * *', runOnStartup: false, handler: deliverNotifications });
