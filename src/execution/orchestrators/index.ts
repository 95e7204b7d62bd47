/** The two orchestrators by registered name: for functions/orchestrations.ts and the replay host. */
import type * as df from 'durable-functions';
import { ORCHESTRATORS } from '../contracts';
import { jobOrchestrator } from './jobOrchestrator';
import { laneOrchestrator } from './laneOrchestrator';

export { jobOrchestrator, laneOrchestrator };

export const orchestrators: Record<string, df.OrchestrationHandler> = {
  [ORCHESTRATORS.job]: jobOrchestrator,
  [ORCHESTRATORS.lane]: laneOrchestrator,
};
