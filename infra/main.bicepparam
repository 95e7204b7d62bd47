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
