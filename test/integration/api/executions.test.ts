import crypto from 'node:crypto';
import net from 'node:net';
import { ConflictError } from '../../../src/domain/errors';
import { startJobExecution } from '../../../src/execution/startJobExecution';
import { CONTROL_DIALECTS } from '../../support/controlDatabases';
import { countRows, createExecutionHarness, type ExecutionHarness } from '../../support/executionHarness';
import { createTestDatabase, pgServerName } from '../../support/postgres';
import { insertHistory } from '../scheduler/schedulerHarness';

describe.each(CONTROL_DIALECTS)('executions API on %s', (dialect) => {
  let h: ExecutionHarness;
  let collection: string;
  let dbIds: string[];

  beforeAll(async () => {
    h = await createExecutionHarness(dialect);
    dbIds = [];
    for (const name of ['alpha', 'beta', 'gamma']) dbIds.push(await h.databaseTarget(name));
    collection = await h.collection('three', dbIds.map((id) => ({ id })));
    await h.job({ name: 'nightly-report', targetId: collection });
  });
  afterAll(async () => h.close());

  const executionRows = () => countRows(h.api, 'jobExecutions');
  const problemPaths = (body: { errors?: { path: string }[] }) => (body.errors ?? []).map((e) => e.path);

  describe('POST /jobs/{name}/executions', () => {
    it('writes the parent Created with a snapshot, starts its orchestration and answers 202 with Location', async () => {
      const before = await executionRows();
      const res = await h.api.call('POST', 'jobs/nightly-report/executions');
      expect(res.status).toBe(202);
      expect(res.headers.location).toBe(`/api/executions/${res.body.id}`);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        jobName: 'nightly-report',
        parentId: null,
        lifecycle: 'Created',
        targetId: collection,
        target: null,
        contentName: 'nightly-report-script',
        contentVersion: 1,
        scheduleName: null,
        createdAt: h.clock.now().toISOString(),
        startTime: null,
        endTime: null,
        lastMessage: null,
        cancelRequested: false,
        counts: {},
      });
      expect(h.orchestrations.started.at(-1)).toBe(res.body.id);
      expect(await executionRows()).toBe(before + 1);
      const row = await h.api.services.control.db.selectFrom('jobExecutions').selectAll().where('id', '=', res.body.id).executeTakeFirstOrThrow();
      expect(JSON.parse(row.executionPolicy)).toMatchObject({ name: 'default', jobTimeout: 'P7D', maximumAttempts: 2147483647 });
      expect(row).toMatchObject({ credentialName: 'nightly-report-cred', maxParallelism: 100, contentVersion: 1 });
    });

    it.each([
      ['an unknown job', 'jobs/no-such-job/executions', undefined, 404],
      ['a malformed job name', `jobs/${encodeURIComponent("x'; DROP TABLE jobs;--")}/executions`, undefined, 404],
      ['a request body', 'jobs/nightly-report/executions', { colour: 'red' }, 400],
    ])('refuses %s and writes nothing', async (_label, path, body, status) => {
      const before = await executionRows();
      const started = h.orchestrations.started.length;
      const res = await h.api.call('POST', path, { body });
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toBe('application/problem+json');
      expect(await executionRows()).toBe(before);
      expect(h.orchestrations.started.length).toBe(started);
    });

    it('answers 409 for a job marked for deletion and 403 once its credential no longer admits a server, writing nothing', async () => {
      await h.job({ name: 'doomed', targetId: dbIds[0] });
      // Still running, so DELETE marks it rather than removing it at once.
      await insertHistory(h.api, 'doomed', { parents: 1, createdAt: h.clock.now().toISOString(), lifecycle: 'InProgress' });
      expect((await h.api.call('DELETE', 'jobs/doomed')).status).toBe(202);
      const before = await executionRows();
      expect((await h.api.call('POST', 'jobs/doomed/executions')).status).toBe(409);

      await h.job({ name: 'narrowed', targetId: collection });
      expect((await h.api.call('PUT', 'credentials/narrowed-cred', { body: { allowedServers: ['*.database.windows.net'] } })).status).toBe(200);
      const forbidden = await h.api.call('POST', 'jobs/narrowed/executions');
      expect(forbidden.status).toBe(403);
      expect(forbidden.body.detail).toContain(pgServerName());
      expect(forbidden.body.detail).toContain("'*.database.windows.net'");
      expect(await executionRows()).toBe(before);
    });

    it('refuses a second start with the same execution id (a schedule fire claimed twice) with 409', async () => {
      const executionId = crypto.randomUUID();
      const first = await startJobExecution(h.api.services, { jobName: 'nightly-report', scheduleName: 'nightly', executionId, message: 'from the schedule' });
      expect(first).toMatchObject({ id: executionId, scheduleName: 'nightly', lastMessage: 'from the schedule' });
      const before = await executionRows();
      await expect(startJobExecution(h.api.services, { jobName: 'nightly-report', executionId })).rejects.toBeInstanceOf(ConflictError);
      expect(await executionRows()).toBe(before);
    });

    it('ends the execution Failed when the orchestration cannot be started', async () => {
      h.orchestrations.failNextStart = new Error('hub unreachable');
      const before = await executionRows();
      const res = await h.api.call('POST', 'jobs/nightly-report/executions');
      expect(res.status).toBe(500);
      expect(await executionRows()).toBe(before + 1);
      const failed = await h.api.services.control.db.selectFrom('jobExecutions').selectAll().orderBy('createdAt', 'desc').where('lastMessage', 'like', '%hub unreachable%').execute();
      expect(failed).toHaveLength(1);
      expect(failed[0].lifecycle).toBe('Failed');
    });
  });

  describe('reading executions', () => {
    let running: string;
    let finished: string;
    let children: { id: string }[];

    beforeAll(async () => {
      await h.job({ name: 'listed', targetId: collection });
      h.clock.advance(1_000);
      finished = await h.start('listed');
      await h.activities.expandJobExecution({ executionId: finished });
      await h.activities.completeJobExecution({ executionId: finished, reason: 'Canceled' });
      h.clock.advance(1_000);
      running = await h.start('listed');
      await h.activities.expandJobExecution({ executionId: running });
      children = await h.api.services.control.db.selectFrom('jobExecutions').select('id').where('parentId', '=', running).orderBy('targetDatabase').execute();
      await h.mark(children[0].id, 'Succeeded');
    });

    it('lists active top-level executions by default, newest first', async () => {
      const res = await h.api.call('GET', 'executions?jobName=listed');
      expect(res.status).toBe(200);
      expect(res.body.items.map((e: { id: string }) => e.id)).toEqual([running]);
      expect(res.body.items[0].counts).toEqual({ Succeeded: 1, Created: 2 });
      expect(res.body.nextCursor).toBeNull();
    });

    it('includes finished ones with includeInactive, and children with includeChildren or parentId', async () => {
      const all = await h.api.call('GET', 'executions?jobName=listed&includeInactive=true');
      expect(all.body.items.map((e: { id: string }) => e.id)).toEqual([running, finished]);
      const withChildren = await h.api.call('GET', 'executions?jobName=listed&includeInactive=true&includeChildren=true');
      expect(withChildren.body.items).toHaveLength(8);
      const ofParent = await h.api.call('GET', `executions?parentId=${running}&includeInactive=true`);
      expect(ofParent.body.items.map((e: { id: string }) => e.id).sort()).toEqual(children.map((c) => c.id).sort());
      expect(ofParent.body.items.every((e: { attempts: number; target: { databaseName: string } }) => e.attempts === 0 && e.target.databaseName)).toBe(true);
      const active = await h.api.call('GET', `executions?parentId=${running}`);
      expect(active.body.items).toHaveLength(2);
    });

    it('filters by schedule and target, and pages with a cursor', async () => {
      const bySchedule = await h.api.call('GET', 'executions?scheduleName=nightly&includeInactive=true');
      expect(bySchedule.body.items.map((e: { scheduleName: string }) => e.scheduleName)).toEqual(['nightly']);
      const byTarget = await h.api.call('GET', `executions?targetId=${dbIds[0]}&includeInactive=true`);
      expect(byTarget.body.items.every((e: { targetId: string }) => e.targetId === dbIds[0])).toBe(true);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: { body: { items: { id: string }[]; nextCursor: string | null } } = await h.api.call(
          'GET',
          `executions?includeInactive=true&includeChildren=true&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
        );
        seen.push(...page.body.items.map((e) => e.id));
        cursor = page.body.nextCursor;
        pages++;
      } while (cursor);
      expect(pages).toBeGreaterThan(2);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.length).toBe(await executionRows());
    });

    it('gets one execution with counts, and its children with their attempts on request', async () => {
      const res = await h.api.call('GET', `executions/${running}?includeChildren=true`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: running, lifecycle: 'WaitingForChildJobExecutions', counts: { Succeeded: 1, Created: 2 } });
      expect(res.body.children).toHaveLength(3);
      expect(res.body.children.map((c: { target: { databaseName: string } }) => c.target.databaseName)).toEqual(['alpha', 'beta', 'gamma']);
      expect(res.body.children[0]).toMatchObject({ parentId: running, lifecycle: 'Succeeded', attempts: 0, counts: {} });
      const plain = await h.api.call('GET', `executions/${running}`);
      expect(plain.body).not.toHaveProperty('children');
      const child = await h.api.call('GET', `executions/${children[1].id}`);
      expect(child.body).toMatchObject({ id: children[1].id, parentId: running, target: { engine: 'postgres', serverName: pgServerName(), databaseName: 'beta' } });
    });

    it.each([
      ['an unknown field', 'executions?colour=red', 'query.colour'],
      ['a non-boolean flag', 'executions?includeInactive=yes', 'query.includeInactive'],
      ['a malformed parent id', 'executions?parentId=nope', 'query.parentId'],
      ['a limit over 1000', 'executions?limit=5000', 'query.limit'],
      ['a forged cursor', 'executions?cursor=abc', 'query.cursor'],
      ['an unknown field on one execution', 'executions/00000000-0000-4000-8000-000000000000?colour=red', 'query.colour'],
    ])('answers 400 for %s', async (_label, path, field) => {
      const res = await h.api.call('GET', path);
      expect(res.status).toBe(400);
      expect(problemPaths(res.body)).toContain(field);
    });

    it('answers 404 for an unknown execution id and 400 naming the parameter for a malformed one, on every id route', async () => {
      expect((await h.api.call('GET', `executions/${crypto.randomUUID()}`)).status).toBe(404);
      for (const [method, path] of [['GET', 'executions/abc'], ['GET', 'executions/abc/wait'], ['GET', 'executions/abc/tasks'], ['POST', 'executions/abc/cancel'], ['GET', 'tasks/abc']]) {
        const malformed = await h.api.call(method, path);
        expect(malformed.status).toBe(400);
        expect(malformed.body.errors).toEqual([{ path: 'path.id', message: 'must be a UUID' }]);
      }
      expect((await h.api.call('GET', `executions/${crypto.randomUUID()}/tasks`)).status).toBe(404);
      expect((await h.api.call('GET', `tasks/${crypto.randomUUID()}`)).status).toBe(404);
      expect((await h.api.call('GET', 'tasks/42')).status).toBe(400);
    });
  });

  describe('GET /executions/{id}/wait', () => {
    it('answers 200 at once for a terminal execution', async () => {
      const id = await h.start('nightly-report');
      await h.mark(id, 'Failed', 'done');
      const t0 = performance.now();
      const res = await h.api.call('GET', `executions/${id}/wait?timeout=PT10S`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id, lifecycle: 'Failed' });
      expect(performance.now() - t0).toBeLessThan(1_000);
    });

    it('answers 202 with the execution as it stands when the timeout passes', async () => {
      const id = await h.start('nightly-report');
      const t0 = performance.now();
      const res = await h.api.call('GET', `executions/${id}/wait?timeout=PT0.4S`);
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ id, lifecycle: 'Created' });
      expect(performance.now() - t0).toBeGreaterThanOrEqual(390);
    });

    it('answers 200 as soon as the execution ends while it waits', async () => {
      const id = await h.start('nightly-report');
      setTimeout(() => void h.mark(id, 'Succeeded'), 300);
      const t0 = performance.now();
      const res = await h.api.call('GET', `executions/${id}/wait?timeout=PT20S&includeChildren=true`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ lifecycle: 'Succeeded', children: [] });
      expect(performance.now() - t0).toBeLessThan(3_000);
    });

    it.each([
      ['over PT3M', 'PT4M'],
      ['not a duration', 'soon'],
    ])('answers 400 for a timeout %s', async (_label, timeout) => {
      const id = await h.start('nightly-report');
      const res = await h.api.call('GET', `executions/${id}/wait?timeout=${timeout}`);
      expect(res.status).toBe(400);
      expect(problemPaths(res.body)).toContain('query.timeout');
    });

    it('answers 404 for an unknown execution', async () => {
      expect((await h.api.call('GET', `executions/${crypto.randomUUID()}/wait?timeout=PT1S`)).status).toBe(404);
    });
  });

  describe('POST /executions/{id}/cancel', () => {
    it('flags the execution and its open children, raises cancel to each, and answers 202', async () => {
      const id = await h.start('nightly-report');
      await h.activities.expandJobExecution({ executionId: id });
      const kids = await h.api.services.control.db.selectFrom('jobExecutions').select('id').where('parentId', '=', id).orderBy('targetDatabase').execute();
      await h.mark(kids[0].id, 'Succeeded');
      const res = await h.api.call('POST', `executions/${id}/cancel`);
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ id, cancelRequested: true });
      const raised = h.orchestrations.cancelled.at(-1)!;
      expect(raised[0]).toBe(id);
      // The job orchestration and its one lane (three children, under maxParallelism).
      expect(raised).toEqual([id, `${id}:lane:0`]);
      const flags = await h.api.services.control.db.selectFrom('jobExecutions').select(['id', 'cancelRequested', 'lifecycle']).where('parentId', '=', id).execute();
      expect(Object.fromEntries(flags.map((f) => [f.id, Number(f.cancelRequested)]))).toEqual({ [kids[0].id]: 0, [kids[1].id]: 1, [kids[2].id]: 1 });
      // Still queued, nothing of theirs runs: ended at once.
      expect(Object.fromEntries(flags.map((f) => [f.id, f.lifecycle]))).toEqual({ [kids[0].id]: 'Succeeded', [kids[1].id]: 'Canceled', [kids[2].id]: 'Canceled' });
    });

    it('cancels a child alone without touching its parent or siblings', async () => {
      const id = await h.start('nightly-report');
      await h.activities.expandJobExecution({ executionId: id });
      const kids = await h.api.services.control.db.selectFrom('jobExecutions').select('id').where('parentId', '=', id).execute();
      const raised = h.orchestrations.cancelled.length;
      const res = await h.api.call('POST', `executions/${kids[0].id}/cancel`);
      expect(res.status).toBe(202);
      // Queued: ended at once; no orchestration to tell (a running one's lane reads the flag).
      expect(res.body).toMatchObject({ lifecycle: 'Canceled', cancelRequested: true });
      expect(h.orchestrations.cancelled.length).toBe(raised);
      const flagged = await h.api.services.control.db.selectFrom('jobExecutions').select('id').where('cancelRequested', '=', 1).where((eb) => eb.or([eb('id', '=', id), eb('parentId', '=', id)])).execute();
      expect(flagged.map((f) => f.id)).toEqual([kids[0].id]);
    });

    it('answers 409 for an execution that already ended, changing and raising nothing', async () => {
      const id = await h.start('nightly-report');
      await h.mark(id, 'Succeeded');
      const raised = h.orchestrations.cancelled.length;
      const res = await h.api.call('POST', `executions/${id}/cancel`);
      expect(res.status).toBe(409);
      expect(res.body.detail).toBe(`Job execution ${id} already ended Succeeded; there is nothing to cancel.`);
      expect(h.orchestrations.cancelled.length).toBe(raised);
      expect((await h.api.call('GET', `executions/${id}`)).body).toMatchObject({ lifecycle: 'Succeeded', cancelRequested: false });
    });

    it('answers 404 for an unknown execution, and 400 to a body', async () => {
      expect((await h.api.call('POST', `executions/${crypto.randomUUID()}/cancel`)).status).toBe(404);
      const id = await h.start('nightly-report');
      expect((await h.api.call('POST', `executions/${id}/cancel`, { body: { force: true } })).status).toBe(400);
      expect((await h.api.call('GET', `executions/${id}`)).body.cancelRequested).toBe(false);
    });
  });

  describe('task executions', () => {
    it('lists the attempts of an execution and of its children, and pages them', async () => {
      const db = await createTestDatabase('tasks');
      try {
        const target = await h.databaseTarget(db.name);
        const parentId = await h.start(await h.job({ name: 'attempts', targetId: target, script: 'SELECT * FROM missing_table' }));
        const plan = await h.activities.expandJobExecution({ executionId: parentId });
        await h.activities.runLane({ parentId, lane: 0, slots: 1, policy: { ...plan.policy, maximumAttempts: 3, initialRetryIntervalMs: 0 }, deadline: plan.deadline });
        const childRow = await h.api.services.control.db.selectFrom('jobExecutions').select('id').where('parentId', '=', parentId).executeTakeFirstOrThrow();
        const child = { executionId: childRow.id };
        const list = await h.api.call('GET', `executions/${parentId}/tasks`);
        expect(list.status).toBe(200);
        expect(list.body.items.map((t: { attempt: number }) => t.attempt)).toEqual([1, 2, 3]);
        expect(list.body.items[0]).toEqual({
          id: expect.any(String),
          jobExecutionId: child.executionId,
          attempt: 1,
          lifecycle: 'Failed',
          message: expect.stringContaining('missing_table'),
          startTime: expect.any(String),
          endTime: expect.any(String),
        });
        expect((await h.api.call('GET', `executions/${child.executionId}/tasks`)).body.items).toHaveLength(3);
        const first = await h.api.call('GET', `executions/${parentId}/tasks?limit=2`);
        expect(first.body.items).toHaveLength(2);
        const second = await h.api.call('GET', `executions/${parentId}/tasks?limit=2&cursor=${first.body.nextCursor}`);
        expect(second.body.items.map((t: { attempt: number }) => t.attempt)).toEqual([3]);
        expect(second.body.nextCursor).toBeNull();
        const one = await h.api.call('GET', `tasks/${list.body.items[2].id}`);
        expect(one.body).toEqual(list.body.items[2]);
        expect((await h.api.call('GET', `executions/${parentId}`)).body).toMatchObject({ counts: { Failed: 1 } });
        expect((await h.api.call('GET', `executions/${child.executionId}`)).body.attempts).toBe(3);
        expect((await h.api.call('GET', `executions/${parentId}/tasks?colour=red`)).status).toBe(400);
      } finally {
        await db.drop();
      }
    });
  });

  describe('GET /targets/{id}/databases', () => {
    it('lists what a target expands to now: a database is itself, a server its databases', async () => {
      const one = await h.api.call('GET', `targets/${dbIds[1]}/databases`);
      expect(one.status).toBe(200);
      expect(one.body).toEqual({ items: [{ engine: 'postgres', serverName: pgServerName(), databaseName: 'beta' }] });

      const db = await createTestDatabase('listed');
      try {
        await h.credential('lister', ['127.0.0.1*']);
        const server = await h.api.call('POST', 'targets', { body: { type: 'server', engine: 'postgres', serverName: pgServerName(), credentialName: 'lister' } });
        const calls = h.driverCalls.length;
        const res = await h.api.call('GET', `targets/${server.body.id}/databases`);
        expect(res.status).toBe(200);
        expect(res.body.items).toContainEqual({ engine: 'postgres', serverName: pgServerName(), databaseName: db.name });
        // Asked the server for its list; connected to none of the databases on it.
        expect(h.driverCalls.slice(calls)).toEqual([{ method: 'listDatabases', serverName: pgServerName() }]);
      } finally {
        await db.drop();
      }
    });

    it('answers 502 when the server cannot be reached, and 404 for an unknown target', async () => {
      const probe = net.createServer();
      await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
      const port = (probe.address() as net.AddressInfo).port;
      await new Promise((r) => probe.close(r));
      await h.credential('lister-2', ['127.0.0.1*']);
      const server = await h.api.call('POST', 'targets', { body: { type: 'server', engine: 'postgres', serverName: `127.0.0.1:${port}`, credentialName: 'lister-2' } });
      const res = await h.api.call('GET', `targets/${server.body.id}/databases`);
      expect(res.status).toBe(502);
      expect(res.body.detail).toContain('could not be expanded');
      expect((await h.api.call('GET', `targets/${crypto.randomUUID()}/databases`)).status).toBe(404);
    });
  });
});
