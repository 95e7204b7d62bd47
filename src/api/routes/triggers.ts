import { z } from 'zod';
import { isoTimestamp } from '../../domain/clock';
import { ConflictError, NotFoundError } from '../../domain/errors';
import { nextFireTime } from '../../domain/scheduleMath';
import { Name, listOf } from '../../domain/schemas/common';
import { CreateTrigger, Trigger, TriggerListQuery } from '../../domain/schemas/schedule';
import { jobStore } from '../../control/stores/jobStore';
import { scheduleStore } from '../../control/stores/scheduleStore';
import { triggerStore, type TriggerState } from '../../control/stores/triggerStore';
import { earliestFireTime } from '../../scheduler/schedulerTick';
import { defineRoute, type AnyRoute } from '../route';

const tag = 'Triggers';

const TriggerParams = z.object({ jobName: Name, scheduleName: Name });

/**
 * The next time the trigger fires, from now on: at or after now, after its latest claimed fire,
 * not before it was created nor before its job was last enabled. Null when the schedule has no
 * more fire times, or the job is disabled or marked for deletion.
 */
export function toTrigger(t: TriggerState, now: Date): Trigger {
  const from = Math.max(now.getTime(), earliestFireTime(t).getTime());
  const next = t.jobMarkedForDeletion || !t.jobEnabled ? null : nextFireTime(t.schedule, new Date(from));
  return { jobName: t.jobName, scheduleName: t.scheduleName, nextFireTime: next === null ? null : isoTimestamp(next), createdAt: t.createdAt };
}

export const createTrigger = defineRoute({
  name: 'createTrigger',
  method: 'POST',
  path: 'triggers',
  summary: 'Put a job on a schedule (409 when the job is marked for deletion or already has this trigger)',
  tag,
  access: 'operate',
  body: CreateTrigger,
  success: { status: 201, schema: Trigger },
  async handle({ body, services }) {
    const job = await jobStore(services.control)
      .get(body.jobName)
      .catch((e: unknown) => {
        throw e instanceof NotFoundError ? new NotFoundError('Job', body.jobName, [{ path: 'body.jobName', message: 'does not exist' }]) : e;
      });
    if (!(await scheduleStore(services.control).exists(body.scheduleName))) {
      throw new NotFoundError('Schedule', body.scheduleName, [{ path: 'body.scheduleName', message: 'does not exist' }]);
    }
    if (job.markedForDeletion) throw new ConflictError(`Job '${job.name}' is marked for deletion; it can no longer get triggers.`);
    const now = services.clock.now();
    const triggers = triggerStore(services.control);
    await triggers.create(body.jobName, body.scheduleName, isoTimestamp(now));
    return { status: 201, body: toTrigger(await triggers.get(body.jobName, body.scheduleName), now) };
  },
});

export const listTriggers = defineRoute({
  name: 'listTriggers',
  method: 'GET',
  path: 'triggers',
  summary: 'List triggers, of one job or one schedule, with the next time each fires',
  tag,
  access: 'read',
  query: TriggerListQuery,
  success: { status: 200, schema: listOf(Trigger) },
  async handle({ query, services }) {
    const page = await triggerStore(services.control).list(query);
    const now = services.clock.now();
    return { status: 200, body: { items: page.items.map((t) => toTrigger(t, now)), nextCursor: page.nextCursor } };
  },
});

export const deleteTrigger = defineRoute({
  name: 'deleteTrigger',
  method: 'DELETE',
  path: 'triggers/{jobName}/{scheduleName}',
  summary: 'Take a job off a schedule',
  tag,
  access: 'operate',
  params: TriggerParams,
  success: { status: 204 },
  async handle({ params, services }) {
    await triggerStore(services.control).remove(params.jobName, params.scheduleName);
    return { status: 204 };
  },
});

export const triggerRoutes: AnyRoute[] = [createTrigger, listTriggers, deleteTrigger];
