// Parameters for `azd up` (azd exports its environment, so AZURE_ENV_NAME, AZURE_LOCATION,
// AZURE_PRINCIPAL_ID and AZURE_PRINCIPAL_TYPE are set) and for `az deployment group create
// --parameters infra/main.bicepparam` with the same variables exported by hand.
using './main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'elastic-jobs')
param location = readEnvironmentVariable('AZURE_LOCATION', 'swedencentral')

// The deployer administers the SQL server, so the post-provision hook can create the app's database user.
param sqlAdministratorObjectId = readEnvironmentVariable('AZURE_PRINCIPAL_ID', '')
param sqlAdministratorLogin = readEnvironmentVariable('SQL_ADMINISTRATOR_LOGIN', 'elastic-jobs-sql-admin')
param sqlAdministratorPrincipalType = readEnvironmentVariable('AZURE_PRINCIPAL_TYPE', 'User') == 'ServicePrincipal' ? 'Application' : 'User'

param hostingPlan = readEnvironmentVariable('HOSTING_PLAN', 'FlexConsumption')
param containerImage = readEnvironmentVariable('CONTAINER_IMAGE', '')
param enablePrivateEndpoints = bool(readEnvironmentVariable('ENABLE_PRIVATE_ENDPOINTS', 'false'))
param authClientId = readEnvironmentVariable('AUTH_CLIENT_ID', '')
param enableKeyVaultPurgeProtection = bool(readEnvironmentVariable('ENABLE_KEY_VAULT_PURGE_PROTECTION', 'true'))
param allowedClientIp = readEnvironmentVariable('ALLOWED_CLIENT_IP', '')
param containerRegistryResourceId = readEnvironmentVariable('CONTAINER_REGISTRY_RESOURCE_ID', '')

// Operational settings of the app: `azd env set HISTORY_RETENTION P30D && azd provision` keeps a
// value across provisions (one changed only in the portal is undone by the next provision).
param historyRetention = readEnvironmentVariable('HISTORY_RETENTION', 'P45D')
param defaultMaxParallelism = int(readEnvironmentVariable('DEFAULT_MAX_PARALLELISM', '100'))
param logLevel = readEnvironmentVariable('LOG_LEVEL', 'info')
param dacpacAllowedHosts = readEnvironmentVariable('DACPAC_ALLOWED_HOSTS', '')
param sqlServerEncrypt = readEnvironmentVariable('SQLSERVER_ENCRYPT', 'true')
param sqlServerTrustServerCertificate = bool(readEnvironmentVariable('SQLSERVER_TRUST_SERVER_CERTIFICATE', 'false'))
param postgresSslMode = readEnvironmentVariable('POSTGRES_SSLMODE', 'verify-full')
param sqliteTargetsEnabled = bool(readEnvironmentVariable('SQLITE_TARGETS_ENABLED', 'false'))
param sqlpackagePath = readEnvironmentVariable('SQLPACKAGE_PATH', '/opt/sqlpackage/sqlpackage')

// Webhooks and alerts (issue 14): `azd env set WEBHOOK_SIGNING_KEY "$(openssl rand -hex 32)"`.
param webhookSigningKey = readEnvironmentVariable('WEBHOOK_SIGNING_KEY', '')
param alertEmail = readEnvironmentVariable('ALERT_EMAIL', '')
