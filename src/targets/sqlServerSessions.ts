/**
 * SQL Server session tags (see src/domain/attemptRecord.ts). An attempt tags its session with
 * SET CONTEXT_INFO, per request on the pinned connection: pools are kept per server, database
 * and login, so a per-attempt `appName` (program_name) would mean a pool per attempt. A later
 * attempt finds an earlier one's session in sys.dm_exec_sessions.context_info and ends it with
 * KILL. Seeing other sessions needs VIEW SERVER STATE (Azure SQL Database: VIEW DATABASE STATE;
 * without it the view shows only the caller's own session, and nothing is found); KILL needs
 * ALTER ANY CONNECTION (Azure SQL Database: KILL DATABASE CONNECTION), else the caller waits for
 * the session to end. Sources: Microsoft Learn, "SET CONTEXT_INFO", "sys.dm_exec_sessions", "KILL".
 */
import type { RequestParent } from './sqlServerRequests';
import { ownRequest } from './sqlServerRequests';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const mssql = () => require('mssql') as typeof import('mssql');

/** CONTEXT_INFO holds 128 bytes; the tag is ASCII (a prefix and a UUID). */
export const TAG_SESSION_SQL = 'DECLARE @info varbinary(128) = CAST(@tag AS varbinary(128)); SET CONTEXT_INFO @info;';

/** Marks the session of `parent` (a pinned connection) as the attempt's. */
export async function tagSession(parent: RequestParent, tag: string, timeoutMs: number): Promise<void> {
  const request = ownRequest(parent, timeoutMs);
  request.input('tag', mssql().VarChar(128), tag);
  await request.batch(TAG_SESSION_SQL);
}

/** The statement that finds sessions tagged with one of `count` tags (@t0...): CONTEXT_INFO is read back padded with zeros to 128 bytes, so its prefix is compared. */
export function earlierSessionsSql(count: number): string {
  const matches = Array.from({ length: count }, (_, i) => `SUBSTRING(context_info, 1, DATALENGTH(@t${i})) = CAST(@t${i} AS varbinary(128))`);
  return `SELECT session_id FROM sys.dm_exec_sessions WHERE session_id <> @@SPID AND (${matches.join(' OR ')})`;
}

/** Session ids tagged with one of `tags`, other than the caller's. */
export async function earlierSessionsOn(parent: RequestParent, tags: readonly string[], timeoutMs: number): Promise<number[]> {
  const request = ownRequest(parent, timeoutMs);
  tags.forEach((tag, i) => request.input(`t${i}`, mssql().VarChar(128), tag));
  const rows = ((await request.query(earlierSessionsSql(tags.length))).recordset ?? []) as { session_id: number }[];
  return rows.map((r) => Number(r.session_id));
}

/** KILL takes no parameter; the id is an integer the server itself returned. False when the login may not KILL (error 6102). */
export async function killSession(parent: RequestParent, sessionId: number, timeoutMs: number): Promise<boolean> {
  if (!Number.isInteger(sessionId)) throw new Error(`Not a session id: ${sessionId}`);
  try {
    await ownRequest(parent, timeoutMs).batch(`KILL ${sessionId}`);
    return true;
  } catch (error) {
    const number = (error as { number?: number }).number;
    if (number === 6102 || number === 6106 /* not an active process */) return false;
    throw error;
  }
}
