/**
 * Configuration, read once from the environment into a typed object. A wrong setting stops
 * start-up with a message that names it. Every setting the code reads is listed here (and in
 * local.settings.sample.json and the README's configuration table).
 */
import path from 'node:path';
import { z } from 'zod';
import { controlDialectOf } from './domain/controlDatabaseUrl';
import { DEFAULT_DACPAC_ALLOWED_HOSTS, parseDacpacHostPattern, type DacpacHostPattern } from './domain/dacpacHosts';
import { parseDuration } from './domain/duration';

export type HostKind = 'local' | 'azure';

const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const durationSetting = z.string().refine((s) => parseDuration(s) !== undefined, 'must be an ISO 8601 duration such as P45D');

const Settings = z.object({
  ELASTIC_JOBS_DATA_DIR: z.string().min(1).optional(),
  CONTROL_DB: z.string().min(1).optional(),
  PORT: z.coerce.number().int().min(0).max(65535).optional(),
  ELASTIC_JOBS_API_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  ELASTIC_JOBS_READER_API_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  ELASTIC_JOBS_MASTER_KEY: z.string().optional(),
  SECRETS_PROVIDER: z.enum(['local', 'keyvault']).optional(),
  KEY_VAULT_URL: z.url().optional(),
  SQLITE_TARGETS_ENABLED: flag.optional(),
  SQLITE_TARGETS_ROOT: z.string().min(1).optional(),
  SQLSERVER_ENCRYPT: z
    .enum(['strict', 'true', 'false', '1', '0'])
    .transform((v) => (v === 'strict' ? ('strict' as const) : v === 'true' || v === '1'))
    .optional(),
  POSTGRES_SSLMODE: z.enum(['disable', 'require', 'verify-full']).optional(),
  SQLSERVER_TRUST_SERVER_CERTIFICATE: flag.optional(),
  DEFAULT_MAX_PARALLELISM: z.coerce.number().int().min(1).max(10_000).optional(),
  HISTORY_RETENTION: durationSetting.optional(),
  SQLPACKAGE_PATH: z.string().min(1).optional(),
  DACPAC_ALLOWED_HOSTS: z
    .string()
    .transform((v) => v.split(',').map((p) => p.trim()).filter((p) => p !== ''))
    .refine((list) => list.length > 0 && list.every((p) => parseDacpacHostPattern(p) !== undefined), 'must be a comma-separated list of hosts such as *.blob.core.windows.net or 127.0.0.1:10000')
    .optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).optional(),
  TRUST_CLIENT_PRINCIPAL: flag.optional(),
  // Set by App Service itself ('True'/'False') when its authentication module is on.
  WEBSITE_AUTH_ENABLED: z.string().optional(),
  // The Functions host storage (identity-based); a DACPAC in this account is read with the managed identity.
  AzureWebJobsStorage__accountName: z.string().regex(/^[a-z0-9]{3,24}$/, 'must be a storage account name').optional(),
  // A secret: signs every webhook. Never logged, returned or echoed (the message below names only the setting).
  WEBHOOK_SIGNING_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  // Set by the Function App (functionApp.bicep): where the custom event of each ended execution goes, and with which identity.
  APPLICATIONINSIGHTS_CONNECTION_STRING: z.string().optional(),
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: z.string().optional(),
});

export interface Config {
  host: HostKind;
  dataDir: string;
  controlDb: string;
  port: number;
  apiKey?: string;
  /** Local host: a second key that grants the reader role (GET routes only). */
  readerApiKey?: string;
  masterKey?: string;
  masterKeyFile: string;
  secretsProvider: 'local' | 'keyvault';
  keyVaultUrl?: string;
  sqliteTargets: { enabled: boolean; root: string };
  /** `encrypt`: SQLSERVER_ENCRYPT, `strict` (TDS 8), `true` (TLS required, the default) or `false` (local test servers; logged as insecure at start). */
  sqlServer: { encrypt: boolean | 'strict'; trustServerCertificate: boolean };
  /**
   * `sslMode`: POSTGRES_SSLMODE. Unset: `verify-full` on the Azure host; on the local host
   * `verify-full` for Azure Database for PostgreSQL hosts and `disable` for others.
   */
  postgres: { sslMode?: 'disable' | 'require' | 'verify-full' };
  defaultMaxParallelism: number;
  historyRetention: string;
  sqlpackagePath?: string;
  /** DACPAC_ALLOWED_HOSTS, parsed: the only hosts (and ports) a DACPAC is fetched from. */
  dacpacAllowedHosts: DacpacHostPattern[];
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /**
   * Whether `x-ms-client-principal` is believed: only where App Service authentication sets it
   * (and strips any copy a caller sends). `TRUST_CLIENT_PRINCIPAL`, else `WEBSITE_AUTH_ENABLED=True`.
   */
  trustClientPrincipal?: boolean;
  /** The app's own storage account (`AzureWebJobsStorage__accountName`), if identity-based. */
  storageAccountName?: string;
  /**
   * WEBHOOK_SIGNING_KEY: the HMAC-SHA256 key of the `X-Elastic-Jobs-Signature` header of every
   * webhook. A secret: never logged or returned. Unset: jobs with `notify` are refused (400).
   */
  webhookSigningKey?: string;
  /**
   * Application Insights, from the settings the Function App gets (Azure only): the ingestion
   * endpoint and instrumentation key of the connection string, and the client id of the managed
   * identity that sends (`ClientId=...;Authorization=AAD`). Unset: no custom events.
   */
  applicationInsights?: { ingestionEndpoint: string; instrumentationKey: string; clientId?: string };
}

/** `Key=Value;Key=Value` pairs of an Application Insights connection or authentication string. */
function pairs(text: string): Map<string, string> {
  return new Map(
    text
      .split(';')
      .map((p) => p.trim())
      .filter((p) => p.includes('='))
      .map((p) => [p.slice(0, p.indexOf('=')).trim().toLowerCase(), p.slice(p.indexOf('=') + 1).trim()] as [string, string]),
  );
}

function applicationInsightsSettings(connection: string | undefined, authentication: string | undefined): Config['applicationInsights'] {
  if (!connection) return undefined;
  const c = pairs(connection);
  const instrumentationKey = c.get('instrumentationkey');
  if (!instrumentationKey) throw new ConfigError('Setting APPLICATIONINSIGHTS_CONNECTION_STRING is invalid: it has no InstrumentationKey');
  const ingestionEndpoint = c.get('ingestionendpoint') ?? 'https://dc.services.visualstudio.com/';
  if (!/^https:\/\//.test(ingestionEndpoint)) throw new ConfigError('Setting APPLICATIONINSIGHTS_CONNECTION_STRING is invalid: its IngestionEndpoint must be an https URL');
  const clientId = authentication ? pairs(authentication).get('clientid') : undefined;
  return { ingestionEndpoint: ingestionEndpoint.endsWith('/') ? ingestionEndpoint : `${ingestionEndpoint}/`, instrumentationKey, clientId };
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, host: HostKind = 'local'): Config {
  const blankless = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = Settings.safeParse(blankless);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`Setting ${String(issue.path[0])} is invalid: ${issue.message}`);
  }
  const s = parsed.data;
  const dataDir = path.resolve(s.ELASTIC_JOBS_DATA_DIR ?? '.elastic-jobs');
  const controlDb = s.CONTROL_DB ?? `sqlite:${path.join(dataDir, 'control.db')}`;
  try {
    controlDialectOf(controlDb);
  } catch (e) {
    throw new ConfigError(`Setting ${(e as Error).message}`);
  }
  if (s.ELASTIC_JOBS_READER_API_KEY && !s.ELASTIC_JOBS_API_KEY) {
    // Without an operator key every caller would already be admin: a reader key would restrict nobody.
    throw new ConfigError('Setting ELASTIC_JOBS_READER_API_KEY needs ELASTIC_JOBS_API_KEY too (the key of operators and admins)');
  }
  if (s.ELASTIC_JOBS_READER_API_KEY && s.ELASTIC_JOBS_READER_API_KEY === s.ELASTIC_JOBS_API_KEY) {
    throw new ConfigError('Setting ELASTIC_JOBS_READER_API_KEY must differ from ELASTIC_JOBS_API_KEY');
  }
  const secretsProvider = s.SECRETS_PROVIDER ?? 'local';
  if (secretsProvider === 'keyvault' && !s.KEY_VAULT_URL) throw new ConfigError('Setting KEY_VAULT_URL is required when SECRETS_PROVIDER is keyvault');
  return {
    host,
    dataDir,
    controlDb,
    port: s.PORT ?? 7071,
    apiKey: s.ELASTIC_JOBS_API_KEY,
    readerApiKey: s.ELASTIC_JOBS_READER_API_KEY,
    masterKey: s.ELASTIC_JOBS_MASTER_KEY,
    masterKeyFile: path.join(dataDir, 'master.key'),
    secretsProvider,
    keyVaultUrl: s.KEY_VAULT_URL,
    // SQLite targets read and write files: on by default only on the local host, and only under one root.
    sqliteTargets: {
      enabled: s.SQLITE_TARGETS_ENABLED ?? host === 'local',
      root: path.resolve(s.SQLITE_TARGETS_ROOT ?? path.join(dataDir, 'sqlite')),
    },
    sqlServer: { encrypt: s.SQLSERVER_ENCRYPT ?? true, trustServerCertificate: s.SQLSERVER_TRUST_SERVER_CERTIFICATE ?? false },
    postgres: { sslMode: s.POSTGRES_SSLMODE ?? (host === 'azure' ? 'verify-full' : undefined) },
    defaultMaxParallelism: s.DEFAULT_MAX_PARALLELISM ?? 100,
    historyRetention: s.HISTORY_RETENTION ?? 'P45D',
    sqlpackagePath: s.SQLPACKAGE_PATH,
    dacpacAllowedHosts: (s.DACPAC_ALLOWED_HOSTS ?? DEFAULT_DACPAC_ALLOWED_HOSTS).map((p) => parseDacpacHostPattern(p)!),
    logLevel: s.LOG_LEVEL ?? 'info',
    trustClientPrincipal: s.TRUST_CLIENT_PRINCIPAL ?? s.WEBSITE_AUTH_ENABLED?.toLowerCase() === 'true',
    storageAccountName: s.AzureWebJobsStorage__accountName,
    webhookSigningKey: s.WEBHOOK_SIGNING_KEY,
    applicationInsights: applicationInsightsSettings(s.APPLICATIONINSIGHTS_CONNECTION_STRING, s.APPLICATIONINSIGHTS_AUTHENTICATION_STRING),
  };
}
