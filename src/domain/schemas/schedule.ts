import { z } from 'zod';
import { Name, Timestamp } from './common';

export const IntervalUnit = z.enum(['minute', 'hour', 'day', 'week', 'month']);
export type IntervalUnit = z.infer<typeof IntervalUnit>;

/** The shape only; what the fields mean is checked by cronProblem (src/domain/cronSchedule.ts). */
const CronText = z
  .string()
  .min(1, 'must be a cron expression such as "0 2 * * *" (minute hour day-of-month month day-of-week)')
  .max(256, 'must be at most 256 characters')
  .meta({ examples: ['0 2 * * *'] });

const Interval = z.strictObject({ unit: IntervalUnit, count: z.number().int().min(1).max(100_000) });

const endAfterStart = (s: { startTime?: string; endTime?: string }) =>
  s.startTime === undefined || s.endTime === undefined || Date.parse(s.endTime) > Date.parse(s.startTime);

export const CreateSchedule = z
  .union([
    z.strictObject({ name: Name, oneTime: z.literal(true), startTime: Timestamp }),
    z
      .strictObject({ name: Name, interval: Interval, startTime: Timestamp.optional(), endTime: Timestamp.optional() })
      .refine(endAfterStart, { path: ['endTime'], message: 'must be after startTime' }),
    z.strictObject({
      name: Name,
      cron: CronText,
      timeZone: z.string().min(1).max(64).default('UTC'),
      startTime: Timestamp.optional(),
      endTime: Timestamp.optional(),
    }),
  ])
  .meta({ id: 'CreateSchedule' });
export type CreateSchedule = z.infer<typeof CreateSchedule>;

export const UpdateSchedule = z
  .strictObject({
    oneTime: z.literal(true).optional(),
    interval: Interval.optional(),
    cron: CronText.optional(),
    timeZone: z.string().min(1).max(64).optional(),
    startTime: Timestamp.optional(),
    endTime: Timestamp.nullable().optional(),
  })
  .meta({ id: 'UpdateSchedule' });
export type UpdateSchedule = z.infer<typeof UpdateSchedule>;

export const Schedule = z
  .object({
    name: z.string(),
    oneTime: z.boolean(),
    interval: Interval.nullable(),
    cron: z.string().nullable(),
    timeZone: z.string().nullable(),
    startTime: Timestamp,
    endTime: Timestamp.nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Schedule' });
export type Schedule = z.infer<typeof Schedule>;

export const CreateTrigger = z.strictObject({ jobName: Name, scheduleName: Name }).meta({ id: 'CreateTrigger' });
export type CreateTrigger = z.infer<typeof CreateTrigger>;

export const TriggerListQuery = z.strictObject({
  jobName: Name.optional(),
  scheduleName: Name.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(512).optional(),
});

export const Trigger = z
  .object({ jobName: z.string(), scheduleName: z.string(), nextFireTime: Timestamp.nullable(), createdAt: Timestamp })
  .meta({ id: 'Trigger' });
export type Trigger = z.infer<typeof Trigger>;
