import { ConfigError, loadConfig } from '../../src/config';

describe('transport security settings', () => {
  it.each([
    [{}, true],
    [{ SQLSERVER_ENCRYPT: 'true' }, true],
    [{ SQLSERVER_ENCRYPT: 'strict' }, 'strict'],
    [{ SQLSERVER_ENCRYPT: 'false' }, false],
    [{ SQLSERVER_ENCRYPT: '0' }, false],
  ])('SQLSERVER_ENCRYPT %j -> %s', (env, expected) => {
    expect(loadConfig(env).sqlServer.encrypt).toBe(expected);
  });

  it('refuses an SQLSERVER_ENCRYPT it does not know, naming it', () => {
    expect(() => loadConfig({ SQLSERVER_ENCRYPT: 'optional' })).toThrow(ConfigError);
    expect(() => loadConfig({ SQLSERVER_ENCRYPT: 'optional' })).toThrow(/SQLSERVER_ENCRYPT/);
  });

  it('POSTGRES_SSLMODE: verify-full by default in Azure, per host locally, as set when set', () => {
    expect(loadConfig({}, 'azure').postgres.sslMode).toBe('verify-full');
    expect(loadConfig({}, 'local').postgres.sslMode).toBeUndefined();
    expect(loadConfig({ POSTGRES_SSLMODE: 'require' }, 'local').postgres.sslMode).toBe('require');
    expect(loadConfig({ POSTGRES_SSLMODE: 'disable' }, 'azure').postgres.sslMode).toBe('disable');
    expect(() => loadConfig({ POSTGRES_SSLMODE: 'prefer' })).toThrow(/POSTGRES_SSLMODE/);
  });
});
