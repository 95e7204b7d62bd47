import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../../src/config';

const root = path.resolve(__dirname, '../../..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

/** The settings src/config.ts reads: the keys of its zod `Settings` object. */
function configSettings(): string[] {
  const source = read('src/config.ts');
  const block = /const Settings = z\.object\(\{([\s\S]*?)\n\}\);/.exec(source)?.[1] ?? '';
  return [...block.matchAll(/^\s+([A-Za-z][A-Za-z0-9_]*): /gm)].map((m) => m[1]);
}

// Set by the platform (WEBSITE_AUTH_ENABLED) or the identity-based form of AzureWebJobsStorage (Azure only).
const AZURE_ONLY = new Set(['WEBSITE_AUTH_ENABLED', 'AzureWebJobsStorage__accountName']);

describe('host.json', () => {
  const host = JSON.parse(read('host.json'));

  it('is a version 2.0 host with the v4 extension bundle', () => {
    expect(host.version).toBe('2.0');
    expect(host.extensionBundle).toEqual({ id: 'Microsoft.Azure.Functions.ExtensionBundle', version: '[4.*, 5.0.0)' });
  });

  it('names the Durable task hub from the DURABLE_TASK_HUB_NAME setting, on the Azure Storage provider', () => {
    expect(host.extensions.durableTask.hubName).toBe('%DURABLE_TASK_HUB_NAME%');
    expect(host.extensions.durableTask.storageProvider.type).toBe('AzureStorage');
  });

  it('sets activity and orchestrator concurrency for I/O-bound attempts', () => {
    expect(host.extensions.durableTask.maxConcurrentActivityFunctions).toBeGreaterThan(10);
    expect(host.extensions.durableTask.maxConcurrentOrchestratorFunctions).toBeGreaterThan(0);
  });

  it('samples Application Insights telemetry but never requests', () => {
    const sampling = host.logging.applicationInsights.samplingSettings;
    expect(sampling.isEnabled).toBe(true);
    expect(sampling.excludedTypes.split(';')).toContain('Request');
  });

  it('keeps Information logs of the functions, where execution id, job and target travel', () => {
    expect(['Information', 'Debug', 'Trace']).toContain(host.logging.logLevel.Function ?? host.logging.logLevel.default);
  });
});

describe('local.settings.sample.json', () => {
  const sample = JSON.parse(read('local.settings.sample.json'));
  const values: Record<string, unknown> = sample.Values;

  it('is valid JSON with string values only (Core Tools reads it as app settings)', () => {
    expect(sample.IsEncrypted).toBe(false);
    for (const [key, value] of Object.entries(values)) expect([key, typeof value]).toEqual([key, 'string']);
  });

  it('lists every setting src/config.ts reads', () => {
    const settings = configSettings();
    expect(settings.length).toBeGreaterThan(10);
    expect(settings.filter((s) => !AZURE_ONLY.has(s) && !(s in values))).toEqual([]);
  });

  it('has the Functions settings for a local run: node worker, Azurite, a hub name, a SQLite control database', () => {
    expect(values.FUNCTIONS_WORKER_RUNTIME).toBe('node');
    expect(values.AzureWebJobsStorage).toBe('UseDevelopmentStorage=true');
    expect(values.DURABLE_TASK_HUB_NAME).toMatch(/^[A-Za-z][A-Za-z0-9]{2,44}$/);
    expect(values.CONTROL_DB).toMatch(/^sqlite:/);
  });

  it('is a configuration the app accepts', () => {
    expect(() => loadConfig(values as NodeJS.ProcessEnv, 'azure')).not.toThrow();
  });
});

describe('azure.yaml', () => {
  const yaml = read('azure.yaml');

  it('deploys the api service: TypeScript, Functions host, the repository root', () => {
    const service = /^services:\n {2}api:\n((?: {4}.*\n)+)/m.exec(yaml)?.[1] ?? '';
    expect(service).toMatch(/^ {4}project: \.$/m);
    expect(service).toMatch(/^ {4}language: ts$/m);
    expect(service).toMatch(/^ {4}host: function$/m);
  });

  it('runs a post-provision hook that exists', () => {
    const runs = [...yaml.matchAll(/^ {6}run: (\S+)$/gm)].map((m) => m[1]);
    expect(yaml).toMatch(/^ {2}postprovision:$/m);
    expect(runs.length).toBeGreaterThanOrEqual(2);
    for (const run of runs) expect(fs.existsSync(path.join(root, run))).toBe(true);
  });
});

describe('the post-provision hook', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const hook = require('../../../infra/hooks/createControlDatabaseUser.js') as {
    sidFromClientId(clientId: string): string;
    grantBatch(how: 'externalProvider' | 'sid'): string;
    settingsFrom(env: Record<string, string>): unknown;
    firewallAdvice(error: unknown): string | undefined;
  };

  it('creates the identity user from the external provider and grants reader, writer and DDL roles', () => {
    const batch = hook.grantBatch('externalProvider');
    expect(batch).toContain("N'CREATE USER ' + QUOTENAME(@name) + N' FROM EXTERNAL PROVIDER'");
    for (const role of ['db_datareader', 'db_datawriter', 'db_ddladmin']) expect(batch).toContain(`N'ALTER ROLE ${role} ADD MEMBER ' + QUOTENAME(@name)`);
    expect(batch).toContain('IF NOT EXISTS (SELECT 1 FROM sys.database_principals WHERE name = @name)');
  });

  it('falls back to a SID made of the client id in .NET Guid byte order', () => {
    expect(hook.sidFromClientId('6e6e3b8f-2c1a-4b7e-9a52-0b5f6a3e4d21')).toBe('0x8F3B6E6E1A2C7E4B9A520B5F6A3E4D21');
    expect(hook.grantBatch('sid')).toContain("N' WITH SID = ' + @sid + N', TYPE = E'");
    expect(() => hook.sidFromClientId("x'; DROP USER dbo;--")).toThrow();
  });

  it('says which azd outputs are missing', () => {
    expect(() => hook.settingsFrom({ AZURE_SQL_SERVER_FQDN: 's.database.windows.net' })).toThrow(/AZURE_SQL_DATABASE_NAME, AZURE_MANAGED_IDENTITY_NAME, AZURE_MANAGED_IDENTITY_CLIENT_ID/);
  });

  it('turns a firewall refusal into the command that lets the deployer in', () => {
    const advice = hook.firewallAdvice(new Error("Cannot open server 'sql-x' requested by the login. Client with IP address '203.0.113.7' is not allowed to access the server."));
    expect(advice).toContain('azd env set ALLOWED_CLIENT_IP 203.0.113.7');
  });
});
