/**
 * The activities of the job orchestrations, built from the process's services (Temporal's
 * habit: a factory receives the dependencies, so tests hand in real parts without module mocks).
 * The orchestrators know only their names and payloads (../contracts).
 */
import type { Services } from '../../services';
import type { CloseCanaryInput, CloseCanaryOutput, CloseStepInput, CloseStepOutput, CompleteInput, CompleteOutput, ExpandInput, ExpandOutput, RunLaneInput, RunLaneOutput } from '../contracts';
import { closeCanaryWaveActivity } from './closeCanaryWave';
import { closeStepActivity } from './closeStep';
import { completeJobExecutionActivity } from './completeJobExecution';
import { expandJobExecutionActivity } from './expandJobExecution';
import { runLaneActivity, type LaneOptions } from './runLane';

export interface Activities {
  expandJobExecution(input: ExpandInput): Promise<ExpandOutput>;
  runLane(input: RunLaneInput): Promise<RunLaneOutput>;
  closeCanaryWave(input: CloseCanaryInput): Promise<CloseCanaryOutput>;
  closeStep(input: CloseStepInput): Promise<CloseStepOutput>;
  completeJobExecution(input: CompleteInput): Promise<CompleteOutput>;
}

export type ActivityOptions = LaneOptions;

export function createActivities(services: Services, options: ActivityOptions = {}): Activities {
  return {
    expandJobExecution: expandJobExecutionActivity(services),
    runLane: runLaneActivity(services, options),
    closeCanaryWave: closeCanaryWaveActivity(services),
    closeStep: closeStepActivity(services),
    completeJobExecution: completeJobExecutionActivity(services),
  };
}
