import { isoTimestamp } from '../../domain/clock';
import { ListQuery, listOf } from '../../domain/schemas/common';
import { CreateSchedule, Schedule, UpdateSchedule } from '../../domain/schemas/schedule';
import { timingAfterUpdate, timingOfNewSchedule } from '../../domain/scheduleTiming';
import { scheduleStore } from '../../control/stores/scheduleStore';
import { defineRoute, type AnyRoute } from '../route';
import { NameParams } from './params';

const tag = 'Schedules';

export const createSchedule = defineRoute({
  name: 'createSchedule',
  method: 'POST',
  path: 'schedules',
  summary: 'Create a schedule: one-time, every N minutes/hours/days/weeks/months from startTime (now by default), or a cron expression in a time zone',
  tag,
  access: 'operate',
  body: CreateSchedule,
  success: { status: 201, schema: Schedule },
  async handle({ body, services }) {
    const now = services.clock.now();
    const schedule = await scheduleStore(services.control).create(body.name, timingOfNewSchedule(body, now), isoTimestamp(now));
    return { status: 201, body: schedule, headers: { location: `/api/schedules/${encodeURIComponent(schedule.name)}` } };
  },
});

export const listSchedules = defineRoute({
  name: 'listSchedules',
  method: 'GET',
  path: 'schedules',
  summary: 'List schedules',
  tag,
  access: 'read',
  query: ListQuery,
  success: { status: 200, schema: listOf(Schedule) },
  async handle({ query, services }) {
    return { status: 200, body: await scheduleStore(services.control).list(query) };
  },
});

export const getSchedule = defineRoute({
  name: 'getSchedule',
  method: 'GET',
  path: 'schedules/{name}',
  summary: 'Get a schedule',
  tag,
  access: 'read',
  params: NameParams,
  success: { status: 200, schema: Schedule },
  async handle({ params, services }) {
    return { status: 200, body: await scheduleStore(services.control).get(params.name) };
  },
});

export const updateSchedule = defineRoute({
  name: 'updateSchedule',
  method: 'PUT',
  path: 'schedules/{name}',
  summary: 'Change when a schedule fires (sending oneTime, interval or cron switches it to that kind)',
  tag,
  access: 'operate',
  params: NameParams,
  body: UpdateSchedule,
  success: { status: 200, schema: Schedule },
  async handle({ params, body, services }) {
    const store = scheduleStore(services.control);
    const now = services.clock.now();
    const timing = timingAfterUpdate(await store.get(params.name), body, now);
    return { status: 200, body: await store.replaceTiming(params.name, timing, isoTimestamp(now)) };
  },
});

export const deleteSchedule = defineRoute({
  name: 'deleteSchedule',
  method: 'DELETE',
  path: 'schedules/{name}',
  summary: 'Delete a schedule (409 while a trigger uses it)',
  tag,
  access: 'operate',
  params: NameParams,
  success: { status: 204 },
  async handle({ params, services }) {
    await scheduleStore(services.control).remove(params.name);
    return { status: 204 };
  },
});

export const scheduleRoutes: AnyRoute[] = [createSchedule, listSchedules, getSchedule, updateSchedule, deleteSchedule];
