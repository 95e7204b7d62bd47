/**
 * The work queue's claim under contention, on the control databases that run here: many lanes
 * claiming at once take each child exactly once, in one statement per claim (recording the
 * previous attempt in the same statement). On PostgreSQL a row another transaction holds is
 * skipped at once (FOR UPDATE SKIP LOCKED), not waited for. The same race runs on a TDS server
 * in test/sqlserver/workQueue.sqlserver.ts.
 */
import { sql } from 'kysely';
import { Client } from 'pg';
import { executionStore } from '../../../src/control/stores/executionStore';
import { CONTROL_DIALECTS, openTestControl, type TestControl } from '../../support/controlDatabases';
import { queuedParent, raceLanes, RACE_NOW } from '../../support/workQueueRace';

describe.each(CONTROL_DIALECTS)('the work queue under contention, on %s', (dialect) => {
  let t: TestControl;
  beforeAll(async () => {
    t = await openTestControl(dialect);
  });
  afterAll(async () => t.dispose());

  it('gives each of 400 children to exactly one of 16 racing lanes, each claim one statement, every child recorded', async () => {
    const parentId = await queuedParent(t.control, 400);
    const { claimsByLane, statements } = await raceLanes(t.control, parentId, 16);
    const all = claimsByLane.flat();
    expect(all).toHaveLength(400);
    expect(new Set(all).size).toBe(400);
    // Lanes really raced: more than one of them got work.
    expect(claimsByLane.filter((c) => c.length > 0).length).toBeGreaterThan(1);
    // One statement per claim, plus each lane's last (which recorded and found nothing).
    expect(statements).toBe(400 + 16);
    const children = await executionStore(t.control).children(parentId);
    expect(children.every((c) => c.lifecycle === 'Succeeded' && c.notBefore === null && c.running === null)).toBe(true);
  });

  it('claims in server then database order', async () => {
    const parentId = await queuedParent(t.control, 8);
    const { claimsByLane } = await raceLanes(t.control, parentId, 1);
    const children = await executionStore(t.control).children(parentId);
    const byId = new Map(children.map((c) => [c.id, `${c.target!.serverName}/${c.target!.databaseName}`]));
    const order = claimsByLane[0].map((id) => byId.get(id)!);
    expect(order).toEqual([...order].sort());
  });

  if (dialect === 'postgres') {
    it('skips a row another transaction holds instead of waiting for it (FOR UPDATE SKIP LOCKED)', async () => {
      const parentId = await queuedParent(t.control, 3);
      const executions = executionStore(t.control);
      const [first] = await executions.children(parentId);
      const holder = new Client({ connectionString: t.url });
      await holder.connect();
      try {
        await holder.query('BEGIN');
        await holder.query('SELECT id FROM job_executions WHERE id = $1 FOR UPDATE', [first.id]);
        const started = Date.now();
        const claimed = await executions.claimNext({ parentId, lane: 0, now: RACE_NOW, taskId: crypto.randomUUID(), claim: true });
        expect(Date.now() - started).toBeLessThan(1_000);
        expect(claimed?.child.id).toBeDefined();
        expect(claimed!.child.id).not.toBe(first.id);
        await holder.query('ROLLBACK');
      } finally {
        await holder.end();
      }
      // The plan really uses the queue's index, not a sort of every child.
      const plan = await sql<{ 'QUERY PLAN': string }>`EXPLAIN SELECT id FROM job_executions WHERE parent_id = ${parentId} AND not_before <= ${RACE_NOW} AND cancel_requested = 0 ORDER BY not_before, target_server, target_database LIMIT 1`.execute(t.control.db);
      expect(plan.rows.map((r) => Object.values(r)[0]).join('\n')).toMatch(/job_executions_queue|job_executions_child|Index/);
    });
  }
});
