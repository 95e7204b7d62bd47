import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';

describe('configuration', () => {
  it('defaults to the embedded SQLite control database under the data folder', () => {
    const config = loadConfig({ ELASTIC_JOBS_DATA_DIR: '/tmp/ej-x' }, 'local');
    expect(config.controlDb).toBe(`sqlite:${path.join('/tmp/ej-x', 'control.db')}`);
    expect(config.port).toBe(7071);
    expect(config.sqliteTargets).toEqual({ enabled: true, root: '/tmp/ej-x/sqlite' });
    expect(config.masterKeyFile).toBe('/tmp/ej-x/master.key');
    expect(config.historyRetention).toBe('P45D');
  });

  it('keeps SQLite targets off by default in Azure', () => {
    expect(loadConfig({}, 'azure').sqliteTargets.enabled).toBe(false);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ CONTROL_DB: 'mysql://x' }, 'CONTROL_DB'],
    [{ ELASTIC_JOBS_API_KEY: 'short' }, 'ELASTIC_JOBS_API_KEY'],
    [{ SECRETS_PROVIDER: 'keyvault' }, 'KEY_VAULT_URL'],
    [{ HISTORY_RETENTION: '45 days' }, 'HISTORY_RETENTION'],
    [{ SQLITE_TARGETS_ENABLED: 'yes' }, 'SQLITE_TARGETS_ENABLED'],
    [{ WEBHOOK_SIGNING_KEY: 'too-short-secret' }, 'WEBHOOK_SIGNING_KEY'],
  ])('stops on %j with a message naming %s', (env, setting) => {
    expect(() => loadConfig(env, 'local')).toThrow(ConfigError);
    expect(() => loadConfig(env, 'local')).toThrow(setting);
  });

  it('reads WEBHOOK_SIGNING_KEY once, and never puts it in its message', () => {
    expect(loadConfig({ WEBHOOK_SIGNING_KEY: 'k'.repeat(32) }, 'local').webhookSigningKey).toBe('k'.repeat(32));
    expect(loadConfig({}, 'local').webhookSigningKey).toBeUndefined();
    expect(() => loadConfig({ WEBHOOK_SIGNING_KEY: 'short-but-secret-9' }, 'local')).toThrow('Setting WEBHOOK_SIGNING_KEY is invalid: must be at least 32 characters');
    expect(() => loadConfig({ WEBHOOK_SIGNING_KEY: 'short-but-secret-9' }, 'local')).not.toThrow(/short-but-secret-9/);
  });

  it('never puts a password from CONTROL_DB in its message', () => {
    expect(() => loadConfig({ CONTROL_DB: 'mysql://u:hunter2@h/db' })).toThrow(/^(?!.*hunter2)/);
  });
});
