import { serverAllowed } from '../../../src/domain/serverPatterns';

describe('allowedServers patterns', () => {
  it.each([
    [['*.database.windows.net'], 'tenant1.database.windows.net', true],
    [['*.database.windows.net'], 'TENANT1.Database.Windows.Net', true],
    [['*.database.windows.net'], 'tenant1.database.windows.net,1433', true],
    [['*.database.windows.net'], 'evil.example.com', false],
    [['*.database.windows.net'], 'database.windows.net.evil.com', false],
    [['tenant-*.postgres.example'], 'tenant-42.postgres.example:5432', true],
    [['tenant-*.postgres.example'], 'other-42.postgres.example', false],
    [['db?.corp'], 'db1.corp', true],
    [['db?.corp'], 'db12.corp', false],
    [['127.0.0.1:5432'], '127.0.0.1:5432', true],
    [['127.0.0.1:5432'], '127.0.0.1:6543', false],
    [['*'], 'anything.at.all', true],
    [['a.example', 'b.example'], 'b.example', true],
  ])('%j admits %s: %s', (patterns, server, expected) => {
    expect(serverAllowed(patterns, server)).toBe(expected);
  });

  it('treats regular-expression characters in a pattern literally', () => {
    expect(serverAllowed(['a.b'], 'axb')).toBe(false);
  });
});
