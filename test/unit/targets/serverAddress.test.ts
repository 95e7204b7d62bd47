import { formatServerName, parseServerAddress } from '../../../src/targets/serverAddress';
import { PermanentTargetError } from '../../../src/targets/errors';

describe('parseServerAddress', () => {
  it.each([
    ['myserver.database.windows.net', 1433, { host: 'myserver.database.windows.net', port: 1433 }],
    ['myserver.database.windows.net,1444', 1433, { host: 'myserver.database.windows.net', port: 1444 }],
    ['tcp:myserver.database.windows.net,1433', 1433, { host: 'myserver.database.windows.net', port: 1433 }],
    ['localhost:1434', 1433, { host: 'localhost', port: 1434 }],
    ['pg.example.com', 5432, { host: 'pg.example.com', port: 5432 }],
    ['pg.example.com:6543', 5432, { host: 'pg.example.com', port: 6543 }],
    ['127.0.0.1,5433', 5432, { host: '127.0.0.1', port: 5433 }],
    ['[::1]:5433', 5432, { host: '::1', port: 5433 }],
    ['[::1]', 5432, { host: '::1', port: 5432 }],
    ['::1', 5432, { host: '::1', port: 5432 }],
    ['sqlhost\\SQLEXPRESS', 1433, { host: 'sqlhost\\SQLEXPRESS', port: 1433 }],
  ])('%s (default %d)', (serverName, defaultPort, expected) => {
    expect(parseServerAddress(serverName, defaultPort)).toEqual(expected);
  });

  it.each(['host:abc', 'host,0', 'host:70000', ',1433', ':5432', 'host:'])('refuses %s', (serverName) => {
    expect(() => parseServerAddress(serverName, 1433)).toThrow(PermanentTargetError);
  });
});

describe('formatServerName', () => {
  it.each([
    ['sqlserver', 'srv', 0, 'srv'],
    ['sqlserver', 'srv', null, 'srv'],
    ['sqlserver', 'srv', 1433, 'srv'],
    ['sqlserver', 'srv', 1444, 'srv,1444'],
    ['postgres', 'pg', 5432, 'pg'],
    ['postgres', 'pg', 6543, 'pg:6543'],
    ['postgres', '::1', 6543, '[::1]:6543'],
  ] as const)('%s %s port %s -> %s', (engine, host, port, expected) => {
    expect(formatServerName(engine, host, port)).toBe(expected);
  });

  it('round-trips through parseServerAddress', () => {
    expect(parseServerAddress(formatServerName('postgres', 'pg.example', 6000), 5432)).toEqual({ host: 'pg.example', port: 6000 });
    expect(parseServerAddress(formatServerName('sqlserver', 'sql.example', 1500), 1433)).toEqual({ host: 'sql.example', port: 1500 });
  });
});
