import { sqlServerPoolConfig, sqlServerPoolKey } from '../../../src/targets/sqlServerConnection';
import { PermanentTargetError } from '../../../src/targets/errors';

const secure = { encrypt: true, trustServerCertificate: false };
const database = { serverName: 'srv.database.windows.net,1444', databaseName: 'Tenant1' };

describe('sqlServerPoolConfig', () => {
  it('logs in with SQL authentication, encrypted with the certificate verified by default', () => {
    const config = sqlServerPoolConfig(database, { authentication: 'sql', username: 'jobuser', password: 'Secret-1' }, secure);
    expect(config).toMatchObject({
      server: 'srv.database.windows.net',
      port: 1444,
      database: 'Tenant1',
      user: 'jobuser',
      password: 'Secret-1',
      options: { encrypt: true, trustServerCertificate: false },
      pool: { min: 0, max: 10 },
    });
    expect(config.authentication).toBeUndefined();
  });

  it('uses Entra (azure-active-directory-default) for a managed identity, with no password', () => {
    const config = sqlServerPoolConfig({ serverName: 'srv.database.windows.net', databaseName: 'master' }, { authentication: 'managedIdentity', username: 'jobs-identity' }, secure);
    expect(config.authentication).toEqual({ type: 'azure-active-directory-default', options: {} });
    expect(config.user).toBeUndefined();
    expect(config.password).toBeUndefined();
    expect(config.port).toBe(1433);
  });

  it('names a user-assigned identity by its client id when the username is one', () => {
    const clientId = '6f1c1c0e-0b7a-4c55-9d51-2f2f3c9e1a10';
    const config = sqlServerPoolConfig(database, { authentication: 'managedIdentity', username: clientId }, secure);
    expect(config.authentication).toEqual({ type: 'azure-active-directory-default', options: { clientId } });
  });

  it('follows SQLSERVER_ENCRYPT=false and SQLSERVER_TRUST_SERVER_CERTIFICATE=true for local servers', () => {
    const config = sqlServerPoolConfig({ serverName: 'localhost', databaseName: 'db' }, { authentication: 'sql', username: 'sa', password: 'x' }, { encrypt: false, trustServerCertificate: true });
    expect(config.options).toMatchObject({ encrypt: false, trustServerCertificate: true });
  });

  it('leaves the request time bound to the driver (no tedious request timeout)', () => {
    expect(sqlServerPoolConfig(database, { authentication: 'sql', username: 'u', password: 'p' }, secure).requestTimeout).toBe(0);
  });

  it('refuses SQL authentication without a password', () => {
    expect(() => sqlServerPoolConfig(database, { authentication: 'sql', username: 'u' }, secure)).toThrow(PermanentTargetError);
  });
});

describe('sqlServerPoolKey', () => {
  const credential = { authentication: 'sql' as const, username: 'jobuser', password: 'Secret-1' };

  it('is one pool per server, database and login, whatever the case of the host', () => {
    expect(sqlServerPoolKey({ serverName: 'SRV', databaseName: 'a' }, credential)).toBe(sqlServerPoolKey({ serverName: 'srv,1433', databaseName: 'a' }, credential));
    expect(sqlServerPoolKey({ serverName: 'srv', databaseName: 'a' }, credential)).not.toBe(sqlServerPoolKey({ serverName: 'srv', databaseName: 'b' }, credential));
  });

  it('changes with the password but never contains it', () => {
    const before = sqlServerPoolKey(database, credential);
    const after = sqlServerPoolKey(database, { ...credential, password: 'Secret-2' });
    expect(before).not.toBe(after);
    expect(before).not.toContain('Secret-1');
  });
});
