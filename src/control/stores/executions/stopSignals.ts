/**
 * Stop signals: whether the attempts running on some children must stop (their own or their
 * parent's cancel flag, or the child already ended by a job timeout). One query per
 * IN_LIST_CHUNK children, so one poll serves every attempt of a process.
 */
import type { JobExecutionLifecycle } from '../../../domain/schemas/execution';
import { chunks, IN_LIST_CHUNK } from '../../chunks';
import type { ControlDatabase } from '../../connection';
import { withControlRetry } from '../../sqlErrors';

export interface StopSignal {
  lifecycle: JobExecutionLifecycle;
  /** The child's own flag or its parent's. */
  cancelRequested: boolean;
}

/** The stop signal of each child found, by lower-case id; `childIds` lower-case and distinct. A child not found has no entry. */
export async function stopSignals({ db }: ControlDatabase, childIds: string[]): Promise<Map<string, StopSignal>> {
  const out = new Map<string, StopSignal>();
  for (const part of chunks(childIds, IN_LIST_CHUNK)) {
    const rows = await withControlRetry(() =>
      db
        .selectFrom('jobExecutions as c')
        .leftJoin('jobExecutions as p', 'p.id', 'c.parentId')
        .select(['c.id', 'c.lifecycle', 'c.cancelRequested', 'p.cancelRequested as parentCancelRequested'])
        .where('c.id', 'in', part)
        .execute(),
    );
    for (const row of rows) {
      out.set(row.id.toLowerCase(), {
        lifecycle: row.lifecycle as JobExecutionLifecycle,
        cancelRequested: Number(row.cancelRequested) === 1 || Number(row.parentCancelRequested ?? 0) === 1,
      });
    }
  }
  return out;
}
