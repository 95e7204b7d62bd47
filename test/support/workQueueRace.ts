/**
 * Races lanes on the work queue's claim statement against one control database, to prove what
 * the engine relies on: a child is claimed by exactly one lane, however many claim at once.
 * Shared by the PostgreSQL and SQLite suite (npm test) and the opt-in SQL Server suite.
 */
import crypto from 'node:crypto';
import type { ControlDatabase } from '../../src/control/connection';
import { executionStore, type PreviousAttempt } from '../../src/control/stores/executionStore';
import { newParentExecution } from './parentExecution';

export const RACE_NOW = '2026-11-30T10:00:00.000Z';

/** Writes a parent with `n` queued children on servers s0..s3 (straight through the stores); returns the parent id. */
export async function queuedParent(control: ControlDatabase, n: number): Promise<string> {
  const executions = executionStore(control);
  const parent = await executions.insertParent(newParentExecution({ jobName: 'race', maxParallelism: 100, now: RACE_NOW }));
  await executions.insertMissingChildren(
    parent,
    Array.from({ length: n }, (_, i) => ({ target: { engine: 'postgres' as const, serverName: `s${i % 4}`, databaseName: `db${String(i).padStart(5, '0')}` }, refusal: null, foundBy: 'named' as const, wave: 1, queued: true, serverKey: `s${i % 4}` })),
    RACE_NOW,
  );
  return parent.id;
}

export interface RaceResult {
  /** Child ids claimed, by lane, in claim order. */
  claimsByLane: string[][];
  /** Statements the lanes sent (one per claim, recording the previous attempt in the same one). */
  statements: number;
}

/**
 * `lanes` lanes claim concurrently, each recording its previous child Succeeded in the same
 * statement as its next claim, until none is left. The connections are the control database's
 * own pool (10 on PostgreSQL).
 */
export async function raceLanes(control: ControlDatabase, parentId: string, lanes: number): Promise<RaceResult> {
  const executions = executionStore(control);
  let statements = 0;
  const claimsByLane = await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      const mine: string[] = [];
      let previous: PreviousAttempt | undefined;
      for (;;) {
        statements++;
        const claimed = await executions.claimNext({ parentId, lane, now: RACE_NOW, taskId: crypto.randomUUID(), previous, claim: true });
        if (!claimed) return mine;
        mine.push(claimed.child.id);
        previous = { childId: claimed.child.id, taskId: claimed.taskId, next: { lifecycle: 'Succeeded', notBefore: null, message: undefined } };
      }
    }),
  );
  return { claimsByLane, statements };
}
