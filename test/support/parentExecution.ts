/**
 * A parent execution to write straight through the stores (tests of the stores and the work
 * queue): every snapshot field filled with a plain value, `overrides` on top.
 */
import crypto from 'node:crypto';
import type { NewParentExecution } from '../../src/control/stores/executionStore';
import { NO_RAILS } from '../../src/domain/safetyRails';

export function newParentExecution(overrides: Partial<NewParentExecution> & Pick<NewParentExecution, 'now'>): NewParentExecution {
  return {
    id: crypto.randomUUID(),
    jobName: 'job',
    targetId: crypto.randomUUID(),
    contentName: 'script',
    contentVersion: 1,
    credentialName: 'runner',
    executionPolicy: { name: 'policy', jobTimeout: 'PT1H', initialRetryInterval: 'PT1S', maximumRetryInterval: 'PT1M', retryIntervalBackoffCoefficient: 2, maximumAttempts: 3, taskTimeout: null },
    maxParallelism: 10,
    resultSetDestination: null,
    captureOutput: false,
    scheduleName: null,
    lastMessage: null,
    safetyRails: NO_RAILS,
    rerunOf: null,
    rerunLifecycles: null,
    ...overrides,
  };
}
