/**
 * A rerun: a new parent execution of the same job, with the job's definition as it is now, that
 * runs only the databases of an ended execution whose child ended in one of the lifecycles asked
 * for (the expansion takes them in place of the job's target: ./rerunDatabases.ts). It records
 * `rerunOf`, and is started like any execution.
 *
 * Throws NotFoundError (404) for an unknown execution, ConflictError (409) for one still active,
 * for a child (a rerun is of a whole execution), or when none of its databases ended so: there
 * would be nothing to run, and a 202 would claim otherwise.
 */
import type { InvocationContext } from '@azure/functions';
import { executionStore } from '../control/stores/executionStore';
import { ConflictError } from '../domain/errors';
import { isTerminal } from '../domain/lifecycle';
import type { JobExecution, JobExecutionLifecycle } from '../domain/schemas/execution';
import type { Services } from '../services';
import { startJobExecution } from './startJobExecution';

export async function rerunJobExecution(services: Services, executionId: string, lifecycles: JobExecutionLifecycle[], invocation?: InvocationContext): Promise<JobExecution> {
  const executions = executionStore(services.control);
  const earlier = await executions.get(executionId);
  if (earlier.parentId !== null) {
    throw new ConflictError(`Job execution ${earlier.id} is one database of execution ${earlier.parentId}; rerun that execution (its failed databases are the default).`);
  }
  if (!isTerminal(earlier.lifecycle)) {
    throw new ConflictError(`Job execution ${earlier.id} is still ${earlier.lifecycle}; a rerun starts once it has ended.`);
  }
  const wanted = new Set<string>(lifecycles);
  const children = await executions.children(earlier.id);
  if (!children.some((c) => wanted.has(c.lifecycle))) {
    throw new ConflictError(`None of the ${children.length} database(s) of execution ${earlier.id} ended ${lifecycles.join(' or ')}: there is nothing to rerun.`);
  }
  return startJobExecution(services, {
    jobName: earlier.jobName,
    invocation,
    rerun: { of: earlier.id, lifecycles },
    message: `Rerun of ${earlier.id} on its databases that ended ${lifecycles.join(', ')}.`,
  });
}
