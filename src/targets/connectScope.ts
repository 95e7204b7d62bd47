/**
 * The last check before a password leaves this process: the SQL Server and PostgreSQL drivers
 * call these right before they connect, on the address they connect to (after parsing, and for
 * a SQL Server named instance after the SQL Browser answered), whatever was checked earlier.
 */
import { addressAllowed, describePatterns } from '../domain/serverPatterns';
import { parseServerName, ServerNameError, type NetworkEngine, type ServerAddress } from '../domain/serverAddress';
import type { ConnectionCredential } from './driver';
import { PermanentTargetError } from './errors';

function refusal(serverName: string, credential: ConnectionCredential, port?: number): PermanentTargetError {
  const where = port === undefined ? `server '${serverName}'` : `server '${serverName}' on port ${port} (the SQL Browser's answer)`;
  return new PermanentTargetError(
    `Refused without connecting: the credential of user '${credential.username}' may not be sent to ${where}; its allowedServers are ${describePatterns(credential.allowedServers ?? [])}.`,
  );
}

/**
 * `serverName` parsed for `engine`, when the credential's patterns admit it (a named instance's
 * port is judged later, by `checkBrowserPort`).
 * @throws PermanentTargetError when the name is not an accepted spelling or is outside the patterns.
 */
export function admittedAddress(engine: NetworkEngine, serverName: string, credential: ConnectionCredential): ServerAddress {
  let address: ServerAddress;
  try {
    address = parseServerName(engine, serverName);
  } catch (e) {
    if (e instanceof ServerNameError) throw new PermanentTargetError(e.message);
    throw e;
  }
  if (credential.allowedServers !== undefined && !addressAllowed(credential.allowedServers, engine, address)) throw refusal(serverName, credential);
  return address;
}

/**
 * The port the SQL Browser gave for a named instance, judged against the patterns that name a port.
 * @throws PermanentTargetError when no pattern admits the instance on that port.
 */
export function checkBrowserPort(serverName: string, address: ServerAddress, credential: ConnectionCredential, port: number): void {
  if (credential.allowedServers !== undefined && !addressAllowed(credential.allowedServers, 'sqlserver', address, port)) throw refusal(serverName, credential, port);
}
