/**
 * SQL Server cannot run here: the execution and task stores run against a Kysely whose driver
 * answers nothing, and the T-SQL they would send is asserted (TOP not LIMIT, the 2100-parameter
 * limit, guards against moving a terminal row).
 */
import { coldMssql } from '../../support/coldMssql';
import { executionStore, type JobExecutionRecord } from '../../../src/control/stores/executionStore';
import { taskStore } from '../../../src/control/stores/taskStore';
import { NO_RAILS } from '../../../src/domain/safetyRails';

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
  notBefore: null,
  running: null,
  lanes: null,
  safetyRails: NO_RAILS,
  rerunOf: null,
  rerunLifecycles: null,
  wave: null,
  stepIndex: null,
  stepName: null,
};

describe('execution and task stores on SQL Server (compiled, not run)', () => {
  it('pages executions and task executions with TOP, never LIMIT', async () => {
    const { control, queries } = coldMssql();
    await executionStore(control).list({ includeInactive: false, includeChildren: false, limit: 10 });
    await taskStore(control).listOfExecution(parent.id, { limit: 5 });
    const [executions, tasks] = queries().map((q) => q.sql);
    expect(executions).toMatch(/^select top\(11\) \* from "job_executions" where "parent_id" is null and "lifecycle" not in \(@1, @2, @3, @4, @5, @6\) order by "created_at" desc, "id" desc$/);
    expect(tasks).toMatch(/^select top\(6\) \* from \(select .* from "task_executions" where \("job_execution_id" = @1 or "job_execution_id" in \(select "id" from "job_executions" where "parent_id" = @2\)\) union all select .* from "job_executions" as "e" /);
    for (const q of queries()) expect(q.sql).not.toMatch(/\blimit\b/i);
  });

  it('never moves a terminal execution: the guard is in the UPDATE itself', async () => {
    const { control, queries } = coldMssql();
    await executionStore(control).mark(parent.id, 'Succeeded', null, NOW);
    const [update] = queries();
    expect(update.sql).toMatch(/^update "job_executions" set .*"end_time" = @\d+, "not_before" = @\d+ where "id" = @\d+ and "lifecycle" not in \(@\d+, @\d+, @\d+, @\d+, @\d+, @\d+\)$/);
    expect(update.parameters).toEqual(expect.arrayContaining(['Succeeded', 'SucceededWithSkipped', 'Failed', 'TimedOut', 'Canceled', 'Skipped']));
  });

  it('writes a thousand children in statements of fewer than 2100 parameters', async () => {
    const { control, queries } = coldMssql();
    const children = Array.from({ length: 1000 }, (_, i) => ({ target: { engine: 'sqlserver' as const, serverName: 's', databaseName: `db${i}` }, refusal: null, foundBy: 'named' as const, wave: 1, queued: true, serverKey: 's' }));
    await executionStore(control).insertMissingChildren(parent, children, NOW);
    const inserts = queries().filter((q) => q.sql.startsWith('insert into "job_executions"'));
    expect(inserts.length).toBeGreaterThan(1);
    expect(inserts.reduce((n, q) => n + q.sql.split('), (').length, 0)).toBe(1000);
    for (const q of inserts) expect(q.parameters.length).toBeLessThan(2100);
  });

  it('claims with the queue-table hints and returns the row with OUTPUT, in one statement that also records the previous attempt', async () => {
    const { control, queries } = coldMssql();
    await executionStore(control).claimNext({
      parentId: parent.id,
      lane: 2,
      now: NOW,
      taskId: '3f1a6b3e-0000-4000-8000-0000000000aa',
      previous: { childId: '3f1a6b3e-0000-4000-8000-0000000000bb', taskId: '3f1a6b3e-0000-4000-8000-0000000000cc', next: { lifecycle: 'Succeeded', notBefore: null, message: undefined } },
      claim: true,
    });
    const [claim] = queries();
    const text = claim.sql.replace(/\s+/g, ' ');
    expect(text).toMatch(
      /^UPDATE job_executions WITH \(ROWLOCK\) SET .* OUTPUT inserted\.\* WHERE \(id = @\d+ AND running_task_id = @\d+\) OR \(id = \(SELECT TOP \(1\) q\.id FROM job_executions q WITH \(UPDLOCK, READPAST, ROWLOCK\) WHERE q\.parent_id = @\d+ AND q\.not_before <= @\d+ AND q\.cancel_requested = 0 ORDER BY q\.not_before, q\.target_server, q\.target_database\) AND not_before <= @\d+ AND cancel_requested = 0\)$/,
    );
    expect(text).not.toMatch(/\blimit\b|returning|skip locked/i);
  });

  it('with a cap per server, takes an application lock scoped to the parent before it counts and claims, in one transaction', async () => {
    const { control, queries } = coldMssql();
    await executionStore(control).claimNext({ parentId: parent.id, lane: 0, now: NOW, taskId: '3f1a6b3e-0000-4000-8000-0000000000aa', claim: true, maxPerServer: 2, failureLimit: 5 });
    const texts = queries().map((q) => q.sql.replace(/\s+/g, ' '));
    const lock = texts.findIndex((t) => t.startsWith('EXEC sp_getapplock'));
    const claim = texts.findIndex((t) => t.startsWith('UPDATE job_executions'));
    expect(lock).toBeGreaterThanOrEqual(0);
    expect(claim).toBeGreaterThan(lock);
    expect(texts[claim]).toMatch(/s\.server_key = q\.server_key\) < @\d+/);
    expect(texts[claim]).toMatch(/f\.lifecycle IN \('Failed', 'TimedOut'\)\) < @\d+/);
  });

  it('ends open attempts before their children, in one transaction, touching only what is not terminal', async () => {
    const { control, queries } = coldMssql();
    await executionStore(control).endOpenChildren(parent.id, 'Canceled', 'cancelled', NOW);
    const [tasks, children] = queries().map((q) => q.sql);
    expect(tasks).toMatch(/^update "task_executions" set .* where "lifecycle" in \(@\d+, @\d+\) and "job_execution_id" in \(select "id" from "job_executions" where "parent_id" = @\d+ and "lifecycle" not in /);
    expect(children).toMatch(/^update "job_executions" set .* where "parent_id" = @\d+ and "lifecycle" not in /);
  });
});
