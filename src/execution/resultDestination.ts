/**
 * The first result set of an attempt goes to the job's result destination, written with the
 * destination's own credential, which must admit the destination server (checked again here:
 * the credential may have changed since the job was started). A retried attempt replaces the
 * rows of its child execution (the writer deletes them first), so nothing doubles.
 */
import type { ResultSetDestination } from '../domain/schemas/job';
import { describePatterns, serverAllowed } from '../domain/serverPatterns';
import type { TargetDatabase } from '../domain/schemas/target';
import { writeResultSet } from '../results/writeResultSet';
import type { Services } from '../services';
import type { ResultSet } from '../targets/driver';
import { PermanentTargetError } from '../targets/errors';
import { withoutSecret } from '../targets/redaction';
import { scopedCredential } from './connectionCredential';

export interface FirstResultSet {
  destination: ResultSetDestination;
  resultSet: ResultSet;
  childExecutionId: string;
  source: TargetDatabase;
}

export async function writeFirstResultSet(services: Services, write: FirstResultSet): Promise<void> {
  const { destination } = write;
  const scoped = await scopedCredential(services, destination.credentialName);
  if (!serverAllowed(scoped.allowedServers, destination.serverName, destination.engine)) {
    throw new PermanentTargetError(
      `Refused without connecting: credential '${scoped.name}' may not be sent to result destination server '${destination.serverName}'; its allowedServers are ${describePatterns(scoped.allowedServers)}.`,
    );
  }
  try {
    await writeResultSet({
      destination,
      credential: scoped.credential,
      resultSet: write.resultSet,
      childExecutionId: write.childExecutionId,
      sourceServer: write.source.serverName,
      sourceDatabase: write.source.databaseName,
      drivers: services.drivers,
    });
  } catch (error) {
    // The script's credential is scrubbed by the caller; this one only here.
    if (error instanceof Error) error.message = `Writing to the result destination failed: ${withoutSecret(error.message, scoped.credential)}`;
    throw error;
  }
}
