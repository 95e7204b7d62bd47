/**
 * A batch: runs its children's target orchestrations, at most `parallelism` at once, starting the
 * next as soon as one is seen to finish (see ./window). At the second level (jobs of more than
 * 100 batches) it runs batch orchestrations instead, each with its share of the parallelism.
 * Returns every target's outcome; a target orchestration never throws, but if one failed anyway
 * its outcome says so instead of failing the batch.
 */
import type * as df from 'durable-functions';
import { ORCHESTRATORS, type BatchInput, type ChildPlan, type TargetInput, type TargetOutcome } from '../contracts';
import { failureMessage } from './targetOrchestrator';
import { runWindow, type UnitResult } from './window';

function lostOutcome(child: ChildPlan, result: UnitResult | undefined): TargetOutcome {
  const why = result && !result.ok ? failureMessage(result.error) : 'no outcome';
  return { executionId: child.executionId, lifecycle: 'Failed', attempts: child.attemptsMade, message: `The target orchestration failed: ${why}` };
}

export function* batchOrchestrator(context: df.OrchestrationContext): Generator<df.Task, TargetOutcome[], unknown> {
  const ctx = context.df;
  const input = ctx.getInput() as BatchInput;
  const { parentId, policy, deadline, windowPollMs } = input;

  if (input.batches && input.batches.length > 0) {
    const batches = input.batches;
    const units = batches.map((batch, m) => ({
      weight: batch.parallelism,
      start: () =>
        ctx.callSubOrchestrator(
          ORCHESTRATORS.batch,
          { parentId, children: batch.children, policy, parallelism: batch.parallelism, deadline, windowPollMs } satisfies BatchInput,
          `${ctx.instanceId}:${m}`,
        ),
    }));
    const run = yield* runWindow(ctx, units, input.parallelism, undefined, windowPollMs);
    return batches.flatMap((batch, m) => {
      const result = run.results[m];
      return result?.ok ? (result.value as TargetOutcome[]) : batch.children.map((child) => lostOutcome(child, result));
    });
  }

  const units = input.children.map((child) => ({
    weight: 1,
    start: () => ctx.callSubOrchestrator(ORCHESTRATORS.target, { parentId, child, policy, deadline } satisfies TargetInput, child.executionId),
  }));
  const run = yield* runWindow(ctx, units, input.parallelism, undefined, windowPollMs);
  return input.children.map((child, i) => {
    const result = run.results[i];
    return result?.ok ? (result.value as TargetOutcome) : lostOutcome(child, result);
  });
}
