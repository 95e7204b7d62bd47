/**
 * Run by exactValues.test.ts in a child process whose TZ is set (jest's sandboxed process.env
 * does not move the zone of the process it runs in): reads a PostgreSQL result through the
 * PostgreSQL driver and writes it with writeResultSet into a PostgreSQL and a SQLite destination,
 * as a host in that zone would. Prints one JSON line: the zone that took effect and what was written.
 */
import { writeResultSet } from '../../../src/results/writeResultSet';
import { createTargetDrivers } from '../../../src/targets/registry';
import type { ConnectionCredential } from '../../../src/targets/driver';

interface Job {
  serverName: string;
  source: string;
  destination: string;
  sqliteRoot: string;
  table: string;
  script: string;
}

async function main() {
  const job = JSON.parse(process.argv[2]) as Job;
  const credential: ConnectionCredential = { authentication: 'sql', username: 'postgres', password: 'unused-by-trust' };
  const drivers = createTargetDrivers({ sqliteTargets: { enabled: true, root: job.sqliteRoot }, sqlServer: { encrypt: true, trustServerCertificate: false } });
  try {
    const { resultSets } = await drivers
      .driverFor('postgres')
      .run({ engine: 'postgres', serverName: job.serverName, databaseName: job.source }, credential, { script: job.script, signal: new AbortController().signal, keepResultSets: 'first' });
    const common = { credential, resultSet: resultSets[0], childExecutionId: '00000000-0000-4000-8000-000000000001', sourceServer: job.serverName, sourceDatabase: job.source, drivers };
    const base = { schemaName: 'main', tableName: job.table, credentialName: 'dest' };
    await writeResultSet({ ...common, destination: { ...base, engine: 'postgres', serverName: job.serverName, databaseName: job.destination, schemaName: 'exact' } });
    await writeResultSet({ ...common, destination: { ...base, engine: 'sqlite', serverName: 'results', databaseName: 'results.db' } });
    const zone = {
      tz: process.env.TZ,
      resolved: Intl.DateTimeFormat().resolvedOptions().timeZone,
      // Minutes east of UTC on 2027-03-28 at noon UTC: 0 in UTC, 120 in Europe/Berlin (summer time began at 01:00 UTC).
      offsetMinutes: -new Date('2027-03-28T12:00:00Z').getTimezoneOffset(),
    };
    process.stdout.write(`${JSON.stringify({ zone, columns: resultSets[0].columns.map((c) => c.name) })}\n`);
  } finally {
    await drivers.close();
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
