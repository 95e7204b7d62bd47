import { addressAllowed, serverAllowed } from '../../../src/domain/serverPatterns';
import { parseServerName } from '../../../src/domain/serverAddress';

describe('allowedServers patterns: one rule, on the parsed address', () => {
  it.each([
    // host globs, case
    [['*.database.windows.net'], 'sqlserver', 'tenant1.database.windows.net', true],
    [['*.database.windows.net'], 'sqlserver', 'TENANT1.Database.Windows.Net', true],
    [['*.database.windows.net'], 'sqlserver', 'tcp:tenant1.database.windows.net,1433', true],
    [['*.database.windows.net'], 'sqlserver', 'tenant1.database.windows.net:1444', true],
    [['*.database.windows.net'], 'sqlserver', 'evil.example.com', false],
    [['*.database.windows.net'], 'sqlserver', 'database.windows.net.evil.com', false],
    [['tenant-*.postgres.example'], 'postgres', 'tenant-42.postgres.example:5432', true],
    [['tenant-*.postgres.example'], 'postgres', 'other-42.postgres.example', false],
    [['db?.corp'], 'postgres', 'db1.corp', true],
    [['db?.corp'], 'postgres', 'db12.corp', false],
    [['a.b'], 'postgres', 'axb', false],
    [['*'], 'postgres', 'anything.at.all', true],
    [['a.example', 'b.example'], 'sqlserver', 'b.example', true],
    // ports: none in the pattern admits any; a named one that port only; the default port is no port
    [['127.0.0.1:5432'], 'postgres', '127.0.0.1:5432', true],
    [['127.0.0.1:5432'], 'postgres', '127.0.0.1', true],
    [['127.0.0.1:5432'], 'postgres', '127.0.0.1:6543', false],
    [['127.0.0.1'], 'postgres', '127.0.0.1:6543', true],
    [['srv,1433'], 'sqlserver', 'srv', true],
    [['srv:1433'], 'sqlserver', 'tcp:srv', true],
    [['srv,1444'], 'sqlserver', 'srv', false],
    // named instances only where the pattern names the instance
    [['*.database.windows.net'], 'sqlserver', '127.0.0.1\\x', false],
    [['*'], 'sqlserver', 'srv\\inst', false],
    [['srv\\inst'], 'sqlserver', 'SRV\\INST', true],
    [['srv\\*'], 'sqlserver', 'srv\\other', true],
    [['srv\\inst'], 'sqlserver', 'srv', false],
    [['srv\\inst'], 'sqlserver', 'srv\\other', false],
    [['srv\\inst,1500'], 'sqlserver', 'srv\\inst,1500', true],
    [['srv\\inst,1500'], 'sqlserver', 'srv\\inst,1501', false],
    // refused spellings are admitted by nothing, '*' included
    [['*'], 'sqlserver', '127.0.0.1\\x.database.windows.net', false],
    [['*.database.windows.net'], 'postgres', '/tmp/x/y.database.windows.net', false],
    [['*'], 'postgres', '/tmp/x', false],
    [['*'], 'sqlserver', 'np:srv', false],
    // IPv6: whole canonical addresses, ports only in brackets
    [['::ffff:7f00'], 'postgres', '::ffff:7f00:2', false],
    [['2001:db8::10'], 'postgres', '2001:db8::10:5', false],
    [['2001:db8::10'], 'postgres', '[2001:db8::10]:5433', true],
    [['2001:db8::10'], 'postgres', '2001:DB8:0::10', true],
    [['[2001:db8::10]:5432'], 'postgres', '2001:db8::10', true],
    [['[2001:db8::10]:5432'], 'postgres', '[2001:db8::10]:6000', false],
    [['2001:db8::*'], 'postgres', '2001:db8::10:5', true],
    // a pattern is read for the server's engine: a comma port is no PostgreSQL pattern
    [['pg,5432'], 'postgres', 'pg', false],
  ] as const)('%j admits %s %s: %s', (patterns, engine, server, expected) => {
    expect(serverAllowed(patterns, server, engine)).toBe(expected);
  });

  it('matches SQLite folders as written', () => {
    expect(serverAllowed(['tenants*'], 'tenants/a', 'sqlite')).toBe(true);
    expect(serverAllowed(['tenants'], 'other', 'sqlite')).toBe(false);
  });

  it("judges a named instance's port once the SQL Browser gave it, where a pattern names one", () => {
    const address = parseServerName('sqlserver', 'srv\\inst');
    expect(addressAllowed(['srv\\inst,1500'], 'sqlserver', address)).toBe(true); // before the Browser is asked
    expect(addressAllowed(['srv\\inst,1500'], 'sqlserver', address, 1500)).toBe(true);
    expect(addressAllowed(['srv\\inst,1500'], 'sqlserver', address, 40000)).toBe(false);
    expect(addressAllowed(['srv\\inst'], 'sqlserver', address, 40000)).toBe(true);
    expect(addressAllowed(['srv\\inst,1433'], 'sqlserver', address, 1433)).toBe(true);
  });
});
