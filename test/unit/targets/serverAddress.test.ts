import { formatServerName } from '../../../src/targets/serverAddress';
import { parseServerName } from '../../../src/domain/serverAddress';

describe('formatServerName (a shard map row as a server name)', () => {
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

  it('reads back through the one parser', () => {
    expect(parseServerName('postgres', formatServerName('postgres', 'pg.example', 6000))).toEqual({ host: 'pg.example', port: 6000, instance: null });
    expect(parseServerName('sqlserver', formatServerName('sqlserver', 'sql.example', 1500))).toEqual({ host: 'sql.example', port: 1500, instance: null });
  });
});
