import { z } from 'zod';
import { parseDuration } from '../duration';

/** User-facing objects are addressed by name: 1-128 letters, digits, space, `_ . -`. */
export const Name = z
  .string()
  .min(1, 'must not be empty')
  .max(128, 'must be at most 128 characters')
  .regex(/^[\p{L}\p{N} _.\-]+$/u, 'may contain only letters, digits, space, _ . -')
  .refine((s) => s.trim() === s, 'must not start or end with a space');

export const Id = z.uuid({ message: 'must be a UUID' });

export const Duration = z
  .string()
  .refine((s) => parseDuration(s) !== undefined, 'must be an ISO 8601 duration such as PT10S, PT30M or P7D (no years or months)')
  .meta({ format: 'duration', examples: ['PT30M'] });

export const Timestamp = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 timestamp' });

export const Engine = z.enum(['sqlserver', 'postgres', 'sqlite']);
export type Engine = z.infer<typeof Engine>;

/** `?limit=&cursor=` of every list route. */
export const ListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(512).optional(),
});
export type ListQuery = z.infer<typeof ListQuery>;

export function listOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
