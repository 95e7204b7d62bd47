/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  // Integration tests create PostgreSQL databases and start child processes.
  testTimeout: 60_000,
  globalSetup: '<rootDir>/test/support/globalSetup.ts',
};
