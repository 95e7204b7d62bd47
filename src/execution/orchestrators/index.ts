/** The three orchestrators by registered name: for functions/orchestrations.ts and the replay host. */
import type * as df from 'durable-functions';
import { ORCHESTRATORS } from '../contracts';
import { batchOrchestrator } from './batchOrchestrator';
import { jobOrchestrator } from './jobOrchestrator';
import { targetOrchestrator } from './targetOrchestrator';

export { batchOrchestrator, jobOrchestrator, targetOrchestrator };

export const orchestrators: Record<string, df.OrchestrationHandler> = {
  [ORCHESTRATORS.job]: jobOrchestrator,
  [ORCHESTRATORS.batch]: batchOrchestrator,
  [ORCHESTRATORS.target]: targetOrchestrator,
};
