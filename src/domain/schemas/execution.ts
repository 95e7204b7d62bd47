import { z } from 'zod';
import { Duration, Id, Name, Timestamp } from './common';
import { EndedLifecycle } from './job';

export const JobExecutionLifecycle = z.enum([
  'Created',
  'InProgress',
  'WaitingForRetry',
  'WaitingForChildJobExecutions',
  'Succeeded',
  'SucceededWithSkipped',
  'Failed',
  'TimedOut',
  'Canceled',
  'Skipped',
]);
export type JobExecutionLifecycle = z.infer<typeof JobExecutionLifecycle>;

export const TaskExecutionLifecycle = z.enum(['Created', 'InProgress', 'Succeeded', 'Failed', 'TimedOut', 'Canceled']);
export type TaskExecutionLifecycle = z.infer<typeof TaskExecutionLifecycle>;

const booleanQuery = z.enum(['true', 'false']).transform((v) => v === 'true');

/** `?lifecycle=Failed,TimedOut`: one or more lifecycles, comma-separated. */
const lifecycleList = z
  .string()
  .transform((s) => s.split(',').map((l) => l.trim()))
  .pipe(z.array(JobExecutionLifecycle, { message: `must be lifecycles separated by commas, each one of ${JobExecutionLifecycle.options.join(', ')}` }).min(1))
  .meta({ examples: ['Failed,TimedOut'] });

/** A window bound, normalised to the stored form (UTC, milliseconds) so it compares as text. */
const windowBound = Timestamp.transform((s) => new Date(s).toISOString());

export const ExecutionListQuery = z.strictObject({
  includeInactive: booleanQuery.default(false),
  /** Only these lifecycles (finished ones are then included without includeInactive). */
  lifecycle: lifecycleList.optional(),
  /** Only executions created at or after this time. */
  createdAfter: windowBound.optional(),
  /** Only executions created before this time. */
  createdBefore: windowBound.optional(),
  includeChildren: booleanQuery.default(false),
  parentId: Id.optional(),
  jobName: Name.optional(),
  scheduleName: Name.optional(),
  targetId: Id.optional(),
  /** Children of this step only (by name). */
  stepName: z.string().min(1).max(128).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(512).optional(),
});
export type ExecutionListQuery = z.infer<typeof ExecutionListQuery>;

export const ExecutionGetQuery = z.strictObject({ includeChildren: booleanQuery.default(false) });

/** `GET /executions/{id}/tasks`: a page, and with `includeOutput=true` each attempt's captured output too. */
export const TaskListQuery = z.strictObject({
  includeOutput: booleanQuery.default(false),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(512).optional(),
});

export const ExecutionWaitQuery = z.strictObject({
  timeout: Duration.default('PT1M').meta({ examples: ['PT1M'] }),
  includeChildren: booleanQuery.default(false),
});

export const JobExecution = z
  .object({
    id: Id,
    jobName: z.string(),
    parentId: Id.nullable(),
    lifecycle: JobExecutionLifecycle,
    /** The job's target at start (the same on its children). */
    targetId: Id.nullable().optional(),
    target: z.object({ engine: z.string(), serverName: z.string(), databaseName: z.string() }).nullable(),
    contentName: z.string().optional(),
    contentVersion: z.number().int(),
    scheduleName: z.string().nullable(),
    createdAt: Timestamp,
    startTime: Timestamp.nullable(),
    endTime: Timestamp.nullable(),
    lastMessage: z.string().nullable(),
    cancelRequested: z.boolean().meta({
      description:
        'A cancel was asked for. The execution keeps its running lifecycle until its running statements are stopped on their servers; only then does it read Canceled (or TimedOut for the job timeout).',
    }),
    counts: z.record(z.string(), z.number().int()),
    /** A rerun (POST /executions/{id}/rerun): the execution whose databases it runs again. */
    rerunOf: Id.optional(),
    /** A child: the step it runs (1-based) and its name. */
    stepIndex: z.number().int().optional(),
    stepName: z.string().optional(),
    /** GET /executions/{id} of a parent: its steps in order, each with the lifecycle and counts of its children. */
    steps: z
      .array(z.object({ name: z.string(), stepIndex: z.number().int(), lifecycle: JobExecutionLifecycle, counts: z.record(z.string(), z.number().int()) }))
      .optional(),
    /** Children only: task executions (attempts) on record. */
    attempts: z.number().int().optional(),
    /**
     * GET /executions/{id} of a parent: its webhook (the job's `notify`), or null when none was
     * queued for it (no webhook, or a lifecycle not in `on`).
     */
    notification: z
      .object({
        status: z.enum(['pending', 'delivered', 'failed']).meta({ description: 'pending: being delivered or retried; delivered; failed: given up an hour after the execution ended' }),
        attempts: z.number().int(),
        lastError: z.string().nullable().meta({ description: 'Why the latest failed attempt failed (kept once delivered); never a secret or the URL' }),
      })
      .nullable()
      .optional(),
    get children() {
      return z.array(JobExecution).optional();
    },
  })
  .meta({ id: 'JobExecution' });
export type JobExecution = z.infer<typeof JobExecution>;

/** What a task execution kept of its result sets and messages when the job captures output; the limits say how much was kept. */
export const CapturedOutput = z
  .object({
    resultSets: z.array(
      z.object({
        columns: z.array(z.object({ name: z.string(), type: z.string() })),
        rows: z.array(z.array(z.unknown())),
        /** True when rows were left out (over the per-set or total limit). */
        truncated: z.boolean(),
      }),
    ),
    messages: z.array(z.string()),
    truncated: z.boolean(),
    limits: z.object({ rowsPerResultSet: z.number().int(), totalBytes: z.number().int() }),
    /**
     * Present when messages or result sets were left out to stay within the limits: the first
     * and the last are kept, and this says how many were cut, and after how many kept ones.
     */
    omitted: z
      .object({
        messages: z.number().int(),
        /** The cut messages came after this many of `messages`. */
        messagesAt: z.number().int(),
        resultSets: z.number().int(),
        /** The cut result sets came after this many of `resultSets`. */
        resultSetsAt: z.number().int(),
      })
      .optional(),
  })
  .meta({ id: 'CapturedOutput' });
export type CapturedOutput = z.infer<typeof CapturedOutput>;

export const TaskExecution = z
  .object({
    id: Id,
    jobExecutionId: Id,
    attempt: z.number().int(),
    lifecycle: TaskExecutionLifecycle,
    message: z.string().nullable(),
    startTime: Timestamp.nullable(),
    endTime: Timestamp.nullable(),
    /** GET /tasks/{id} only, when the job captures output. */
    output: CapturedOutput.optional(),
  })
  .meta({ id: 'TaskExecution' });
export type TaskExecution = z.infer<typeof TaskExecution>;

/**
 * The body of a job's webhook (`notify`): POSTed when a parent execution ends in one of the
 * job's `on` lifecycles, signed in `X-Elastic-Jobs-Signature` (src/notifications).
 */
export const JobExecutionEndedEvent = z
  .object({
    event: z.literal('jobExecution.ended'),
    execution: z.object({
      id: Id,
      jobName: z.string(),
      lifecycle: EndedLifecycle,
      counts: z.record(z.string(), z.number().int()),
      startTime: Timestamp.nullable(),
      endTime: Timestamp.nullable(),
      lastMessage: z.string().nullable(),
    }),
  })
  .meta({ id: 'JobExecutionEndedEvent' });
export type JobExecutionEndedEvent = z.infer<typeof JobExecutionEndedEvent>;

/** POST /executions/{id}/rerun: which of the execution's databases run again, by how their child ended. */
export const RerunRequest = z
  .strictObject({
    lifecycles: z
      .array(z.enum(['Succeeded', 'SucceededWithSkipped', 'Failed', 'TimedOut', 'Canceled', 'Skipped']))
      .min(1)
      .optional()
      .meta({ description: 'Default ["Failed", "TimedOut", "Canceled", "Skipped"].' }),
  })
  .meta({ id: 'RerunRequest' });
export type RerunRequest = z.infer<typeof RerunRequest>;

/** The lifecycles a rerun takes when none are named: every child that did not succeed. */
export const DEFAULT_RERUN_LIFECYCLES = ['Failed', 'TimedOut', 'Canceled', 'Skipped'] as const;
