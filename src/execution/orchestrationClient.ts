/**
 * The few things the API and the scheduler ask of the orchestration runtime. In Azure this is the
 * Durable Functions client of the current invocation; on the local host, in tests and in the
 * benchmark it is the in-process replay host. The control database stays the source of truth:
 * these calls only make the orchestrators move.
 */
export interface OrchestrationClient {
  /** Starts the job orchestration of a parent execution already written (`Created`) to the control database. */
  startJobExecution(executionId: string): Promise<void>;
  /** Raises the `cancel` event to each instance (parent and non-terminal children). Unknown or finished instances are ignored. */
  raiseCancel(instanceIds: string[]): Promise<void>;
}
