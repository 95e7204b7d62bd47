/**
 * SQL Server cannot run here: the execution and task stores run against a Kysely whose driver
 * answers nothing, and the T-SQL they would send is asserted (TOP not LIMIT, the 2100-parameter
 * limit, guards against moving a terminal row).
 */
import { coldMssql } from '../../support/coldMssql';
import { executionStore, type JobExecutionRecord } from '../../../src/control/stores/executionStore';
import { taskStore } from '../../../src/control/stores/taskStore';

const NOW = '2026-11-25T20:00:00.000Z';

const parent: JobExecutionRecord = {
  id: '3f1a6b3e-0000-4000-8000-000000000001',
  jobName: 'j',
  parentId: null,
  lifecycle: 'InProgress',
  targetId: '3f1a6b3e-0000-4000-8000-000000000002',
  target: null,
  contentName: 'c',
  contentVersion: 1,
  credentialName: 'cr',
  executionPolicy: { name: 'default', jobTimeout: 'P7D', initialRetryInterval: 'PT0.1S', maximumRetryInterval: 'PT30M', retryIntervalBackoffCoefficient: 2, maximumAttempts: 3, taskTimeout: null },
  maxParallelism: 10,
  resultSetDestination: null,
  captureOutput: false,
  scheduleName: null,
  createdAt: NOW,
  startTime: NOW,
  endTime: null,
  lastMessage: null,
  cancelRequested: false,
  updatedAt: NOW,
  foundBy: null,
};

describe('execution and task stores on SQL Server (compiled, not run)', () => {
  it('pages executions and task executions with TOP, never LIMIT', async () => {
    const { control, queries } = coldMssql();
    await executionStore(control).list({ includeInactive: false, includeChildren: false, limit: 10 });
    await taskStore(control).listOfExecution(parent.id, { limit: 5 });
    const [executions, tasks] = queries().map((q) => q.sql);
    expect(executions).toMatch(/^select top\(11\) \* from "job_executions" where "parent_id" is null and "lifecycle" not in \(@1, @2, @3, @4, @5, @6\) order by "created_at" desc, "id" desc$/);
    expect(tasks).toMatch(/^select top\(6\) \* from "task_executions" where \("job_execution_id" = @1 or "job_execution_id" in \(select "id" from "job_executions" where "parent_id" = @2\)\)/);
    for (const q of queries()) expect(q.sql).not.toMatch(/\blimit\b/i);
  });

  it('never moves a terminal execution: the guard is in the UPDATE itself', async () => {
    const { control, queries } = coldMssql();
    await executionStore(control).mark(parent.id, 'Succeeded', null, NOW);
    const [update] = queries();
    expect(update.sql).toMatch(/^update "job_executions" set .*"end_time" = @\d+ where "id" = @\d+ and "lifecycle" not in \(@\d+, @\d+, @\d+, @\d+, @\d+, @\d+\)$/);
    expect(update.parameters).toEqual(expect.arrayContaining(['Succeeded', 'SucceededWithSkipped', 'Failed', 'TimedOut', 'Canceled', 'Skipped']));
  });

  it('writes a thousand children in statements of fewer than 2100 parameters', async () => {
    const { control, queries } = coldMssql();
    const children = Array.from({ length: 1000 }, (_, i) => ({ target: { engine: 'sqlserver' as const, serverName: 's', databaseName: `db${i}` }, refusal: null, foundBy: 'named' as const }));
    await executionStore(control).insertMissingChildren(parent, children, NOW);
    const inserts = queries().filter((q) => q.sql.startsWith('insert into "job_executions"'));
    expect(inserts.length).toBeGreaterThan(1);
    expect(inserts.reduce((n, q) => n + q.sql.split('), (').length, 0)).toBe(1000);
    for (const q of inserts) expect(q.parameters.length).toBeLessThan(2100);
  });

  it('ends open attempts before their children, in one transaction, touching only what is not terminal', async () => {
    const { control, queries } = coldMssql();
    await executionStore(control).endOpenChildren(parent.id, 'Canceled', 'cancelled', NOW);
    const [tasks, children] = queries().map((q) => q.sql);
    expect(tasks).toMatch(/^update "task_executions" set .* where "lifecycle" in \(@\d+, @\d+\) and "job_execution_id" in \(select "id" from "job_executions" where "parent_id" = @\d+ and "lifecycle" not in /);
    expect(children).toMatch(/^update "job_executions" set .* where "parent_id" = @\d+ and "lifecycle" not in /);
  });
});
