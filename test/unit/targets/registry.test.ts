import { createTargetDrivers } from '../../../src/targets/registry';
import { PermanentTargetError } from '../../../src/targets/errors';

const sqlServer = { encrypt: true, trustServerCertificate: false };

describe('createTargetDrivers', () => {
  it('serves sqlserver and postgres always, sqlite only when enabled', async () => {
    const off = createTargetDrivers({ sqliteTargets: { enabled: false, root: '/tmp/none' }, sqlServer });
    expect(off.driverFor('sqlserver').engine).toBe('sqlserver');
    expect(off.driverFor('postgres').engine).toBe('postgres');
    expect(() => off.driverFor('sqlite')).toThrow(PermanentTargetError);
    expect(() => off.driverFor('sqlite')).toThrow('SQLITE_TARGETS_ENABLED');
    await off.close();

    const on = createTargetDrivers({ sqliteTargets: { enabled: true, root: '/tmp/none' }, sqlServer });
    expect(on.driverFor('sqlite').engine).toBe('sqlite');
    await on.close();
  });
});
