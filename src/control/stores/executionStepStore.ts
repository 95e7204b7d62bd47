/**
 * What a parent job execution snapshotted of each step of its job at start (migration 0012):
 * the engine runs the steps from these rows, never from the job, so a job changed while it runs
 * does not change the run. Written with the parent, in the same transaction
 * (executions/lifecycleWrites.ts); read here. Ids are lower-cased at this edge (SQL Server
 * returns uniqueidentifier upper-case; URLs may carry any case).
 */
import type { Kysely } from 'kysely';
import type { ResultSetDestination } from '../../domain/schemas/resultSetDestination';
import type { StepOnFailure } from '../../domain/schemas/step';
import { chunks } from '../chunks';
import type { ControlDatabase } from '../connection';
import type { ControlSchema, JobExecutionStepTable } from '../schema';
import { withControlRetry } from '../sqlErrors';
import type { ExecutionPolicySnapshot } from './executions/executionRecords';

/** One step of a parent execution as it was at start. */
export interface ExecutionStepSnapshot {
  /** 1-based: the order the steps run in. */
  stepIndex: number;
  stepName: string;
  contentName: string;
  /** Resolved at start: the step's fixed version, or the latest then. */
  contentVersion: number;
  credentialName: string;
  /** Lower-case. */
  targetId: string;
  executionPolicy: ExecutionPolicySnapshot;
  /** Resolved at start: the step's, or the configured default. */
  maxParallelism: number;
  resultSetDestination: ResultSetDestination | null;
  captureOutput: boolean;
  onFailure: StepOnFailure;
}

function toSnapshot(row: JobExecutionStepTable): ExecutionStepSnapshot {
  return {
    stepIndex: Number(row.stepIndex),
    stepName: row.stepName,
    contentName: row.contentName,
    contentVersion: Number(row.contentVersion),
    credentialName: row.credentialName,
    targetId: row.targetId.toLowerCase(),
    executionPolicy: JSON.parse(row.executionPolicy) as ExecutionPolicySnapshot,
    maxParallelism: Number(row.maxParallelism),
    resultSetDestination: row.resultSetDestination === null ? null : (JSON.parse(row.resultSetDestination) as ResultSetDestination),
    captureOutput: Number(row.captureOutput) === 1,
    onFailure: row.onFailure as StepOnFailure,
  };
}

/** Rows per insert: 12 parameters each, far under SQL Server's 2100 per statement. */
const ROWS_PER_INSERT = 100;

/**
 * Writes the step snapshots of a parent (its id lower-case), in the caller's transaction: the
 * parent row and its steps are written together or not at all.
 */
export async function insertExecutionSteps(db: Kysely<ControlSchema>, executionId: string, steps: readonly ExecutionStepSnapshot[]): Promise<void> {
  for (const part of chunks(steps, ROWS_PER_INSERT)) {
    await db
      .insertInto('jobExecutionSteps')
      .values(
        part.map((s) => ({
          executionId,
          stepIndex: s.stepIndex,
          stepName: s.stepName,
          contentName: s.contentName,
          contentVersion: s.contentVersion,
          credentialName: s.credentialName,
          targetId: s.targetId.toLowerCase(),
          executionPolicy: JSON.stringify(s.executionPolicy),
          maxParallelism: s.maxParallelism,
          resultSetDestination: s.resultSetDestination === null ? null : JSON.stringify(s.resultSetDestination),
          captureOutput: s.captureOutput ? 1 : 0,
          onFailure: s.onFailure,
        })),
      )
      .execute();
  }
}

export function executionStepStore({ db }: ControlDatabase) {
  return {
    /** The steps a parent execution snapshotted at start, by stepIndex; empty for an unknown id (or a child's). */
    async list(parentId: string): Promise<ExecutionStepSnapshot[]> {
      const rows = await withControlRetry(() =>
        db.selectFrom('jobExecutionSteps').selectAll().where('executionId', '=', parentId.toLowerCase()).orderBy('stepIndex').execute(),
      );
      return rows.map(toSnapshot);
    },
  };
}

export type ExecutionStepStore = ReturnType<typeof executionStepStore>;
