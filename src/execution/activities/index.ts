/**
 * The four activities of the job orchestrations, built from the process's services (Temporal's
 * habit: a factory receives the dependencies, so tests hand in real parts without module mocks).
 * The orchestrators know only their names and payloads (../contracts).
 */
import type { Services } from '../../services';
import type { CompleteInput, CompleteOutput, ExpandInput, ExpandOutput, MarkInput, MarkOutput, RunTaskInput, RunTaskOutput } from '../contracts';
import { completeJobExecutionActivity } from './completeJobExecution';
import { expandJobExecutionActivity } from './expandJobExecution';
import { markJobExecutionActivity } from './markJobExecution';
import { runTaskAttemptActivity, type RunTaskOptions } from './runTaskAttempt';

export interface Activities {
  expandJobExecution(input: ExpandInput): Promise<ExpandOutput>;
  runTaskAttempt(input: RunTaskInput): Promise<RunTaskOutput>;
  markJobExecution(input: MarkInput): Promise<MarkOutput>;
  completeJobExecution(input: CompleteInput): Promise<CompleteOutput>;
}

export type ActivityOptions = RunTaskOptions;

export function createActivities(services: Services, options: ActivityOptions = {}): Activities {
  return {
    expandJobExecution: expandJobExecutionActivity(services),
    runTaskAttempt: runTaskAttemptActivity(services, options),
    markJobExecution: markJobExecutionActivity(services),
    completeJobExecution: completeJobExecutionActivity(services),
  };
}
