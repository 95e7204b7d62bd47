/**
 * The work queue's claim on a TDS server as the control database: lanes racing take each child
 * exactly once. The claim's subquery carries SQL Server's queue-table hints (UPDLOCK, READPAST,
 * ROWLOCK): on SQL Server a row another transaction holds is skipped. Babelfish parses those
 * hints and ignores them (babelfishpg_tsql.escape_hatch_table_hints = ignore): a claim waits for
 * the held row instead, and the claim statement's own guard on the row (not_before still set)
 * is what keeps it from taking that row a second time once the holder commits. The test accepts
 * either behaviour, and proves the one thing both must hold: never the same child twice.
 */
import crypto from 'node:crypto';
import { Request, Transaction } from 'mssql';
import { openControlDatabase, type ControlDatabase } from '../../src/control/connection';
import { migrateToLatest } from '../../src/control/migrate';
import { executionStore } from '../../src/control/stores/executionStore';
import { queuedParent, raceLanes, RACE_NOW } from '../support/workQueueRace';
import { controlUrl, createDatabases, dropDatabases, openPool, RUN, serverName } from './serverUnderTest';

describe(`the work queue on a control database at ${serverName}`, () => {
  const database = `${RUN}_queue`;
  let control: ControlDatabase;

  beforeAll(async () => {
    await createDatabases([database]);
    control = openControlDatabase(controlUrl(database));
    await migrateToLatest(control);
  });
  afterAll(async () => {
    await control?.close();
    await dropDatabases();
  });

  it('gives each of 200 children to exactly one of 8 racing lanes, one statement per claim', async () => {
    const parentId = await queuedParent(control, 200);
    const { claimsByLane, statements } = await raceLanes(control, parentId, 8);
    const all = claimsByLane.flat();
    expect(all).toHaveLength(200);
    expect(new Set(all).size).toBe(200);
    expect(statements).toBe(200 + 8);
    const children = await executionStore(control).children(parentId);
    expect(children.every((c) => c.lifecycle === 'Succeeded' && c.notBefore === null && c.running === null)).toBe(true);
  });

  it('never claims a row another transaction claimed: skipped (SQL Server) or waited for and then left (Babelfish)', async () => {
    const parentId = await queuedParent(control, 3);
    const executions = executionStore(control);
    const [first] = await executions.children(parentId);
    // Another lane's claim of the first child, held open in a transaction for a second.
    const holder = await openPool(database, 1);
    const transaction = new Transaction(holder);
    await transaction.begin();
    await new Request(transaction).query(
      `UPDATE job_executions SET not_before = NULL, lifecycle = 'InProgress', running_task_id = '${crypto.randomUUID()}', running_attempt = 1 WHERE id = '${first.id}'`,
    );
    const commitLater = new Promise<void>((resolve, reject) => setTimeout(() => transaction.commit().then(resolve, reject), 1_000));
    const started = Date.now();
    const claimed = await executions.claimNext({ parentId, lane: 0, now: RACE_NOW, taskId: crypto.randomUUID(), claim: true });
    const waitedMs = Date.now() - started;
    await commitLater;
    await holder.close();
    process.stdout.write(`claim beside a held row: ${claimed ? `took ${claimed.child.target?.databaseName}` : 'took nothing'} after ${waitedMs} ms\n`);
    if (claimed) expect(claimed.child.id).not.toBe(first.id);
    const again = await executions.children(parentId);
    expect(again.filter((c) => c.running !== null).length).toBe(claimed ? 2 : 1);
  });
});
