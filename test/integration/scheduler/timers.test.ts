import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { InvocationContext } from '@azure/functions';
import { insertHistory } from './schedulerHarness';

/** The Functions timers are registrations around src/scheduler: check they reach it with the app's services. */
describe('Azure Functions timers', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ej-timers-'));
  const saved = { ...process.env };
  beforeAll(() => {
    process.env.CONTROL_DB = `sqlite:${path.join(dir, 'control.db')}`;
    process.env.ELASTIC_JOBS_MASTER_KEY = crypto.randomBytes(32).toString('hex');
    process.env.LOG_LEVEL = 'silent';
  });
  afterAll(async () => {
    const { azureServices } = await import('../../../src/azure/services');
    await (await azureServices()).close();
    process.env = saved;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('housekeeping purges history past the retention through the app services', async () => {
    const { housekeeping, fireSchedules } = await import('../../../functions/timers');
    const { azureServices } = await import('../../../src/azure/services');
    const services = await azureServices();
    const now = services.clock.now().getTime();
    await insertHistory({ services }, 'report', { parents: 3, createdAt: new Date(now - 50 * 86_400_000).toISOString() });
    const recent = await insertHistory({ services }, 'report', { parents: 1, createdAt: new Date(now - 86_400_000).toISOString() });

    await housekeeping();
    const left = await services.control.db.selectFrom('jobExecutions').select('id').where('parentId', 'is', null).execute();
    expect(left.map((r) => r.id)).toEqual(recent);
    // With no trigger due, a tick through the registration's handler does nothing and does not throw.
    const invocation = new InvocationContext({ functionName: 'fireSchedules' });
    await expect(fireSchedules({ isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: '', next: '', lastUpdated: '' } }, invocation)).resolves.toBeUndefined();
  });

  it('the notification timer delivers what is due through the app services (a telemetry row given up when no Application Insights is configured)', async () => {
    const { deliverNotifications } = await import('../../../functions/timers');
    const { azureServices } = await import('../../../src/azure/services');
    const { notificationStore } = await import('../../../src/control/stores/notificationStore');
    const services = await azureServices();
    expect(services.telemetry).toBeUndefined();
    const now = services.clock.now().toISOString();
    const executionId = '3f1a6b3e-0000-4000-8000-0000000000aa';
    await notificationStore(services.control).queue({ executionId, channel: 'telemetry', jobName: 'report', url: null, body: '{}', giveUpAt: now }, now);
    await deliverNotifications();
    expect(await notificationStore(services.control).get({ executionId, channel: 'telemetry' })).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: 'Application Insights is not configured on this host (APPLICATIONINSIGHTS_CONNECTION_STRING).',
    });
  });
});
