/**
 * The API's read model of job executions: views (a parent with its children's counts, a child
 * with its attempts), the paged list, and a parent's counts. Reads only. Ids taken are already
 * lower-case (executionStore.ts lower-cases them at the store's edge).
 */
import { sql } from 'kysely';
import type { LifecycleCounts } from '../../../domain/lifecycle';
import { DEFAULT_STEP_NAME } from '../../../domain/schemas/step';
import type { Page } from '../../../domain/schemas/common';
import type { ExecutionListQuery, JobExecution, JobExecutionLifecycle } from '../../../domain/schemas/execution';
import { chunks, IN_LIST_CHUNK } from '../../chunks';
import type { ControlDatabase } from '../../connection';
import { firstRows } from '../../firstRows';
import { decodeCursor, toPage } from '../../pagination';
import { withControlRetry } from '../../sqlErrors';
import { TERMINAL, toRecord, type JobExecutionRecord } from './executionRecords';

/** The API's view of an execution, given its children's counts (parents) or its attempts (children). */
export function toView(record: JobExecutionRecord, counts: LifecycleCounts, attempts?: number, children?: JobExecution[]): JobExecution {
  const view: JobExecution = {
    id: record.id,
    jobName: record.jobName,
    parentId: record.parentId,
    lifecycle: record.lifecycle,
    targetId: record.targetId,
    target: record.target,
    contentName: record.contentName,
    contentVersion: record.contentVersion,
    scheduleName: record.scheduleName,
    createdAt: record.createdAt,
    startTime: record.startTime,
    endTime: record.endTime,
    lastMessage: record.lastMessage,
    cancelRequested: record.cancelRequested,
    counts: counts as Record<string, number>,
  };
  if (record.rerunOf !== null) view.rerunOf = record.rerunOf;
  if (record.parentId !== null) {
    view.stepIndex = record.stepIndex ?? 1;
    view.stepName = record.stepName ?? DEFAULT_STEP_NAME;
  }
  if (attempts !== undefined) view.attempts = attempts;
  if (children !== undefined) view.children = children;
  return view;
}

/** Children per lifecycle, for each parent: one grouped query per IN_LIST_CHUNK parents. */
export async function childCountsOf({ db }: ControlDatabase, parentIds: string[]): Promise<Map<string, LifecycleCounts>> {
  const out = new Map<string, LifecycleCounts>(parentIds.map((id) => [id, {}]));
  for (const part of chunks(parentIds, IN_LIST_CHUNK)) {
    const rows = await withControlRetry(() =>
      db
        .selectFrom('jobExecutions')
        .select(['parentId', 'lifecycle', (eb) => eb.fn.countAll<number | string>().as('n')])
        .where('parentId', 'in', part)
        .groupBy(['parentId', 'lifecycle'])
        .execute(),
    );
    for (const r of rows) out.get(r.parentId!.toLowerCase())![r.lifecycle as JobExecutionLifecycle] = Number(r.n);
  }
  return out;
}

/** A parent's children per step (children from before steps are step 1) and lifecycle: one grouped query. */
export async function stepCountsOf({ db }: ControlDatabase, parentId: string): Promise<Map<number, LifecycleCounts>> {
  const step = sql<number>`COALESCE(step_index, 1)`;
  const rows = await withControlRetry(() =>
    db
      .selectFrom('jobExecutions')
      .select([step.as('step'), 'lifecycle', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('parentId', '=', parentId)
      .groupBy([step, 'lifecycle'])
      .execute(),
  );
  const out = new Map<number, LifecycleCounts>();
  for (const r of rows) {
    const counts = out.get(Number(r.step)) ?? {};
    counts[r.lifecycle as JobExecutionLifecycle] = Number(r.n);
    out.set(Number(r.step), counts);
  }
  return out;
}

/** Task executions (attempts) on record per child: one grouped query per IN_LIST_CHUNK children. */
async function attemptsOf({ db }: ControlDatabase, childIds: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>(childIds.map((id) => [id, 0]));
  for (const part of chunks(childIds, IN_LIST_CHUNK)) {
    const rows = await withControlRetry(() =>
      db
        .selectFrom('taskExecutions')
        .select(['jobExecutionId', (eb) => eb.fn.countAll<number | string>().as('n')])
        .where('jobExecutionId', 'in', part)
        .groupBy('jobExecutionId')
        .execute(),
    );
    for (const r of rows) out.set(r.jobExecutionId.toLowerCase(), Number(r.n));
  }
  return out;
}

/** The API views of these records, in their order: parents with their children's counts, children with their attempts. */
export async function views(control: ControlDatabase, records: JobExecutionRecord[]): Promise<JobExecution[]> {
  const parents = records.filter((r) => r.parentId === null).map((r) => r.id);
  const children = records.filter((r) => r.parentId !== null).map((r) => r.id);
  const [counts, attempts] = await Promise.all([childCountsOf(control, parents), attemptsOf(control, children)]);
  // An attempt in flight is on its child's row until it ends (docs/engine.md): it counts already.
  return records.map((r) => (r.parentId === null ? toView(r, counts.get(r.id)!) : toView(r, {}, Math.max(attempts.get(r.id) ?? 0, r.running?.attempt ?? 0))));
}

/** Newest first. By default only top-level executions that are still active. `parentId` and `targetId` of the query are lower-case. */
export async function listExecutions(control: ControlDatabase, query: ExecutionListQuery): Promise<Page<JobExecution>> {
  const { db, dialect } = control;
  const after = decodeCursor(query.cursor, 2);
  const topLevelOnly = !query.includeChildren && query.parentId === undefined;
  const rows = await withControlRetry(() =>
    db
      .selectFrom('jobExecutions')
      .selectAll()
      .$if(topLevelOnly, (q) => q.where('parentId', 'is', null))
      .$if(query.parentId !== undefined, (q) => q.where('parentId', '=', query.parentId!))
      .$if(!query.includeInactive && query.lifecycle === undefined, (q) => q.where('lifecycle', 'not in', TERMINAL))
      .$if(query.lifecycle !== undefined, (q) => q.where('lifecycle', 'in', query.lifecycle!))
      .$if(query.createdAfter !== undefined, (q) => q.where('createdAt', '>=', query.createdAfter!))
      .$if(query.createdBefore !== undefined, (q) => q.where('createdAt', '<', query.createdBefore!))
      .$if(query.jobName !== undefined, (q) => q.where('jobName', '=', query.jobName!))
      .$if(query.scheduleName !== undefined, (q) => q.where('scheduleName', '=', query.scheduleName!))
      .$if(query.targetId !== undefined, (q) => q.where('targetId', '=', query.targetId!))
      // Children from before steps are the one step `main`.
      .$if(query.stepName !== undefined, (q) => q.where(sql<string>`COALESCE(step_name, ${DEFAULT_STEP_NAME})`, '=', query.stepName!))
      .$if(after !== undefined, (q) =>
        q.where((eb) =>
          eb.or([eb('createdAt', '<', String(after![0])), eb.and([eb('createdAt', '=', String(after![0])), eb('id', '<', String(after![1]))])]),
        ),
      )
      .orderBy('createdAt', 'desc')
      .orderBy('id', 'desc')
      .$call(firstRows(dialect, query.limit + 1))
      .execute(),
  );
  const page = toPage(rows, query.limit, (r) => [r.createdAt, r.id.toLowerCase()], toRecord);
  return { items: await views(control, page.items), nextCursor: page.nextCursor };
}
