import { formatServerAddress, parseServerName, parseServerPattern, ServerNameError, serverNameProblem } from '../../../src/domain/serverAddress';

describe('parseServerName: the spellings of one server', () => {
  it.each([
    // SQL Server: comma and colon ports, tcp:, case, the default port as no port, named instances.
    ['sqlserver', 'srv', { host: 'srv', port: null, instance: null }],
    ['sqlserver', 'SRV', { host: 'srv', port: null, instance: null }],
    ['sqlserver', 'srv,1433', { host: 'srv', port: null, instance: null }],
    ['sqlserver', 'srv:1433', { host: 'srv', port: null, instance: null }],
    ['sqlserver', 'tcp:srv,1433', { host: 'srv', port: null, instance: null }],
    ['sqlserver', 'TCP:Srv', { host: 'srv', port: null, instance: null }],
    ['sqlserver', 'tcp:srv', { host: 'srv', port: null, instance: null }],
    ['sqlserver', 'srv,1444', { host: 'srv', port: 1444, instance: null }],
    ['sqlserver', 'srv:01444', { host: 'srv', port: 1444, instance: null }],
    ['sqlserver', 'srv\\inst', { host: 'srv', port: null, instance: 'inst' }],
    ['sqlserver', 'SRV\\SQLEXPRESS', { host: 'srv', port: null, instance: 'sqlexpress' }],
    ['sqlserver', 'srv\\inst,1500', { host: 'srv', port: 1500, instance: 'inst' }],
    ['sqlserver', 'tcp:srv.database.windows.net,1433', { host: 'srv.database.windows.net', port: null, instance: null }],
    ['sqlserver', '[::1]', { host: '::1', port: null, instance: null }],
    ['sqlserver', '[::1],1444', { host: '::1', port: 1444, instance: null }],
    ['sqlserver', '::1', { host: '::1', port: null, instance: null }],
    ['sqlserver', '2001:db8::10', { host: '2001:db8::10', port: null, instance: null }],
    // PostgreSQL: colon ports, brackets, canonical IP text (parsing, never DNS).
    ['postgres', 'pg', { host: 'pg', port: null, instance: null }],
    ['postgres', 'PG:5432', { host: 'pg', port: null, instance: null }],
    ['postgres', 'pg:6432', { host: 'pg', port: 6432, instance: null }],
    ['postgres', '[::1]', { host: '::1', port: null, instance: null }],
    ['postgres', '::1', { host: '::1', port: null, instance: null }],
    // A bare IPv6 address has no port: its last group is part of the address.
    ['postgres', '::1:5432', { host: '::1:5432', port: null, instance: null }],
    ['postgres', '[::1]:5432', { host: '::1', port: null, instance: null }],
    ['postgres', '[::1]:5433', { host: '::1', port: 5433, instance: null }],
    ['postgres', '2001:DB8:0:0::10', { host: '2001:db8::10', port: null, instance: null }],
    ['postgres', '[::ffff:127.0.0.1]:5433', { host: '::ffff:7f00:1', port: 5433, instance: null }],
    ['postgres', '127.1', { host: '127.0.0.1', port: null, instance: null }],
    ['postgres', 'localhost', { host: 'localhost', port: null, instance: null }],
    ['postgres', '127.0.0.1', { host: '127.0.0.1', port: null, instance: null }],
  ] as const)('%s %s', (engine, serverName, expected) => {
    expect(parseServerName(engine, serverName)).toEqual(expected);
  });

  it.each([
    ['postgres', '/tmp/x', 'is a path'],
    ['postgres', '/tmp/x/y.database.windows.net', 'is a path'],
    ['postgres', 'host/x', 'is a path'],
    ['sqlserver', '/var/run/sql', 'is a path'],
    ['postgres', 'file:///tmp/x', 'is a path'],
    ['sqlserver', 'np:srv', "after 'np:'"],
    ['sqlserver', 'lpc:srv', "after 'lpc:'"],
    ['sqlserver', 'admin:srv', "after 'admin:'"],
    ['postgres', 'tcp:srv', "after 'tcp:'"],
    ['sqlserver', '\\\\.\\pipe\\sql\\query', 'named pipe'],
    ['sqlserver', '', 'has no host'],
    ['sqlserver', ',1433', 'has no host'],
    ['postgres', ':5432', 'has no host'],
    ['sqlserver', 'srv,0', 'invalid port'],
    ['postgres', 'pg:70000', 'invalid port'],
    ['postgres', 'pg:', 'invalid port'],
    ['sqlserver', 'srv,abc', 'invalid port'],
    ['postgres', 'pg,5432', 'comma'],
    ['postgres', 'pg\\inst', 'only SQL Server'],
    ['sqlserver', '127.0.0.1\\x.database.windows.net', 'invalid instance'],
    ['sqlserver', 'srv\\', 'invalid instance'],
    ['postgres', '2001:db8::10::5', 'invalid IPv6'],
    ['sqlserver', '::1,1433', 'in brackets'],
    ['postgres', 'fe80::1%eth0', 'invalid IPv6'],
    ['postgres', '[127.0.0.1]:5432', 'not an IPv6'],
    ['postgres', '[::1', "without closing"],
    ['postgres', '999.0.0.1', 'invalid host'],
    ['postgres', 'srv.', 'invalid host'],
    ['postgres', '(local)', 'invalid host'],
    ['sqlserver', 'srv, 1433', 'white space'],
  ] as const)('refuses %s %j (%s)', (engine, serverName, why) => {
    expect(() => parseServerName(engine, serverName)).toThrow(ServerNameError);
    expect(serverNameProblem(engine, serverName)).toContain(why);
  });

  it('never resolves a name: localhost and 127.0.0.1 stay two servers', () => {
    expect(parseServerName('postgres', 'localhost')).not.toEqual(parseServerName('postgres', '127.0.0.1'));
  });
});

describe('formatServerAddress', () => {
  it.each([
    ['sqlserver', 'tcp:SRV,1433', {}, 'srv'],
    ['sqlserver', 'srv:1444', {}, 'srv,1444'],
    ['sqlserver', 'srv', { withDefaultPort: true }, 'srv,1433'],
    ['sqlserver', 'srv\\inst', { withDefaultPort: true }, 'srv\\inst'],
    ['sqlserver', 'srv\\inst,1500', {}, 'srv\\inst,1500'],
    ['sqlserver', '::1', { withDefaultPort: true }, '[::1],1433'],
    ['postgres', '::1', { withDefaultPort: true }, '[::1]:5432'],
    ['postgres', 'Pg:6432', {}, 'pg:6432'],
  ] as const)('%s %s %j -> %s', (engine, serverName, options, expected) => {
    expect(formatServerAddress(engine, parseServerName(engine, serverName), options)).toBe(expected);
  });

  it('reads back as the same address', () => {
    for (const [engine, name] of [['sqlserver', 'srv\\inst,1500'], ['postgres', '[2001:db8::10]:6000'], ['sqlserver', 'tcp:a.b,1']] as const) {
      const address = parseServerName(engine, name);
      expect(parseServerName(engine, formatServerAddress(engine, address))).toEqual(address);
    }
  });
});

describe('parseServerPattern', () => {
  it('keeps globs and the port as written (a pattern without a port admits any)', () => {
    expect(parseServerPattern('sqlserver', '*.Database.Windows.Net')).toEqual({ host: '*.database.windows.net', port: null, instance: null });
    expect(parseServerPattern('postgres', '127.0.0.1:5432')).toEqual({ host: '127.0.0.1', port: 5432, instance: null });
    expect(parseServerPattern('sqlserver', 'srv\\*')).toEqual({ host: 'srv', port: null, instance: '*' });
    expect(parseServerPattern('postgres', '2001:db8::*')).toEqual({ host: '2001:db8::*', port: null, instance: null });
  });
});
