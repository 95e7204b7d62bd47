/**
 * `npm run test:sqlserver`: the opt-in suite against a real SQL Server, Azure SQL or any TDS
 * server (test/sqlserver/*.sqlserver.ts), outside `npm test`. It needs MSSQL_TEST_URL, a login
 * that may create and drop databases:
 *   MSSQL_TEST_URL='mssql://sa:Passw0rd!@127.0.0.1:1433/master?encrypt=false&trustServerCertificate=true'
 * Without it the run stops here with exit code 2: nothing was proven, and a pipeline must not
 * read that as a pass.
 */
if (!process.env.MSSQL_TEST_URL) {
  process.stderr.write(
    'test:sqlserver needs MSSQL_TEST_URL (mssql://user:password@host[:port]/master?encrypt=false&trustServerCertificate=true),\n' +
      'a login that may create and drop databases on that server. Nothing was run.\n',
  );
  process.exit(2);
}

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/sqlserver'],
  testMatch: ['**/*.sqlserver.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  // Databases are created on the server, jobs run over HTTP through a local host.
  testTimeout: 300_000,
};
