/**
 * The words and tags of "one run, one attempt": an attempt whose process stopped before it
 * recorded an outcome is closed with one of these messages (never run again under its row),
 * and every attempt's session on a target server carries a tag naming its task execution, so
 * a later attempt of the same child can find a statement an earlier process left running.
 */

/** An attempt found open with no process left to finish it (the host died, or Durable re-ran the activity). */
export const INTERRUPTED_ATTEMPT_MESSAGE =
  'The host stopped during this attempt before it recorded an outcome; the script may have run on the database in part or in full. It counts as an attempt: a retry, a new attempt, follows if the policy allows another.';

/** An attempt the host stopped on purpose (SIGTERM/SIGINT): its statement was cancelled on the server first. */
export const HOST_STOPPED_ATTEMPT_MESSAGE =
  'The host stopped during this attempt; its statement was canceled on the server, and the script may have run in part (whatever it committed before the cancel stays). It counts as an attempt: a retry, a new attempt, follows if the policy allows another.';

/** What every session of this product is called on a server when it runs no attempt (lists, shard maps, result writes). */
export const SESSION_NAME = 'elastic-jobs';

/**
 * The tag of one attempt's session: PostgreSQL `application_name`, SQL Server CONTEXT_INFO,
 * the SQLite attempt process's arguments. 49 characters for a UUID, under PostgreSQL's 63
 * (NAMEDATALEN - 1, longer names are truncated) and SQL Server's 128 bytes of CONTEXT_INFO.
 */
export function sessionTagOf(taskExecutionId: string): string {
  return `${SESSION_NAME}:${taskExecutionId.toLowerCase()}`;
}
