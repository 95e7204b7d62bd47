import { z } from 'zod';
import { parseDuration } from '../duration';

const isTimestamp = (s: string) => z.iso.datetime({ offset: true }).safeParse(s).success;

export const PurgeJobHistory = z
  .strictObject({
    olderThan: z
      .string()
      .refine((s) => isTimestamp(s) || parseDuration(s) !== undefined, 'must be an ISO 8601 timestamp (2026-10-01T00:00:00Z) or an ISO 8601 duration counted back from now (P30D)')
      .meta({ examples: ['P30D', '2026-10-01T00:00:00Z'] }),
  })
  .meta({ id: 'PurgeJobHistory' });
export type PurgeJobHistory = z.infer<typeof PurgeJobHistory>;

export const PurgedJobHistory = z
  .object({ deleted: z.number().int().meta({ description: 'Top-level job executions deleted, each with its children and task executions' }) })
  .meta({ id: 'PurgedJobHistory' });
