import { PurgedJobHistory, PurgeJobHistory } from '../../domain/schemas/history';
import { purgeJobHistory } from '../../scheduler/purgeJobHistory';
import { defineRoute, type AnyRoute } from '../route';
import { NameParams } from './params';

export const purgeJobHistoryRoute = defineRoute({
  name: 'purgeJobHistory',
  method: 'POST',
  path: 'jobs/{name}/purge-history',
  summary: "Delete a job's execution history older than a time or a duration (active executions are never purged)",
  tag: 'Jobs',
  access: 'operate',
  params: NameParams,
  body: PurgeJobHistory,
  success: { status: 200, schema: PurgedJobHistory },
  async handle({ params, body, services }) {
    return { status: 200, body: await purgeJobHistory(services, params.name, body.olderThan) };
  },
});

export const jobHistoryRoutes: AnyRoute[] = [purgeJobHistoryRoute];
