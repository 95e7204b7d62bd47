/** Job executions as the API returns them, built with only what a test cares about. */
import type { JobExecution } from '../../../src/domain/schemas/execution';

let sequence = 0;
function nextId(): string {
  sequence += 1;
  return `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`;
}

export function aParent(overrides: Partial<JobExecution> = {}): JobExecution {
  return {
    id: nextId(),
    jobName: 'add-index',
    parentId: null,
    lifecycle: 'InProgress',
    target: null,
    contentVersion: 1,
    scheduleName: null,
    createdAt: '2026-11-25T20:00:00.000Z',
    startTime: '2026-11-25T20:00:00.000Z',
    endTime: null,
    lastMessage: null,
    cancelRequested: false,
    counts: {},
    ...overrides,
  };
}

export function aChild(parent: JobExecution, databaseName: string, lifecycle: JobExecution['lifecycle'], overrides: Partial<JobExecution> = {}): JobExecution {
  return aParent({
    parentId: parent.id,
    jobName: parent.jobName,
    lifecycle,
    target: { engine: 'sqlite', serverName: 'tenants', databaseName },
    ...overrides,
  });
}

/** The parent with these children and the counts the API derives from them. */
export function withChildren(parent: JobExecution, children: JobExecution[]): JobExecution {
  const counts: Record<string, number> = {};
  for (const c of children) counts[c.lifecycle] = (counts[c.lifecycle] ?? 0) + 1;
  return { ...parent, children, counts };
}
