metadata name = 'Elastic Jobs'
metadata description = 'Elastic Jobs on Azure: a Function App (Flex Consumption, or Elastic Premium for a custom image with sqlpackage) running Durable Functions on identity-based Azure Storage, an Azure SQL control database with Entra-only authentication, Key Vault for credential passwords, Application Insights, and optional private endpoints. No shared keys, no connection strings with secrets.'
metadata owner = 'Elastic Jobs team'

targetScope = 'resourceGroup'

// ============== //
// Parameters     //
// ============== //

@minLength(1)
@maxLength(64)
@description('Required. Name of the environment (azd environment name); it seeds the unique names of every resource.')
param environmentName string

@description('Optional. Location of every resource. Flex Consumption is offered in a subset of regions.')
param location string = resourceGroup().location

@description('Optional. Tags for every resource.')
param tags object = {}

@description('Required. Display name of the Entra principal that administers the SQL server (a user principal name, group or application name). Entra-only authentication: there is no SQL login.')
param sqlAdministratorLogin string

@description('Required. Object id of the Entra principal that administers the SQL server; the post-provision hook runs as this principal to create the app identity\'s database user.')
param sqlAdministratorObjectId string

@allowed([
  'User'
  'Group'
  'Application'
])
@description('Optional. Kind of the SQL administrator principal.')
param sqlAdministratorPrincipalType string = 'User'

@allowed([
  'FlexConsumption'
  'ElasticPremium'
])
@description('Optional. Hosting plan of the Function App. ElasticPremium is the route for a custom container image that carries sqlpackage (DACPAC contents).')
param hostingPlan string = 'FlexConsumption'

@allowed([
  'EP1'
  'EP2'
  'EP3'
])
@description('Optional. Elastic Premium plan size, when hostingPlan is ElasticPremium.')
param elasticPremiumSku string = 'EP1'

@description('Optional. Custom container image (registry/name:tag) for Elastic Premium, e.g. one that adds sqlpackage; the user-assigned identity pulls it (grant it AcrPull on the registry). Empty: the app runs from its code package.')
param containerImage string = ''

@description('Optional. Path of sqlpackage inside the custom container image; set as SQLPACKAGE_PATH when containerImage is given. Default: /opt/sqlpackage/sqlpackage.')
param sqlpackagePath string = '/opt/sqlpackage/sqlpackage'

@description('Optional. Resource id of the Azure Container Registry that holds containerImage. Given: the app identity gets AcrPull on it in this same provision, before the app is created, so a fresh environment needs no earlier run (the deployer needs Owner or User Access Administrator on the registry). Empty: grant AcrPull yourself (docs/azure.md).')
param containerRegistryResourceId string = ''

// Operational settings of the product (src/config.ts). Set here, not in the portal: the app
// settings resource is written whole at every provision, so a value changed only in the portal
// is undone by the next `azd provision`; main.bicepparam reads each from the azd environment.

@description('Optional. HISTORY_RETENTION: how long finished executions are kept, an ISO 8601 duration. Product default: P45D.')
param historyRetention string = 'P45D'

@minValue(1)
@maxValue(10000)
@description('Optional. DEFAULT_MAX_PARALLELISM: databases a job runs on at once when its policy sets no limit. Product default: 100.')
param defaultMaxParallelism int = 100

@allowed([
  'debug'
  'info'
  'warn'
  'error'
  'silent'
])
@description('Optional. LOG_LEVEL of the app\'s own log lines. Product default: info.')
param logLevel string = 'info'

@description('Optional. DACPAC_ALLOWED_HOSTS: comma-separated hosts a DACPAC may be fetched from (name, *.suffix, optional :port). Empty: this cloud\'s blob endpoints, *.blob.<storage suffix> (the product\'s default, *.blob.core.windows.net, in the public cloud).')
param dacpacAllowedHosts string = ''

@allowed([
  'strict'
  'true'
  'false'
])
@description('Optional. SQLSERVER_ENCRYPT of connections to SQL Server targets: strict (TDS 8), true (TLS required) or false (test servers only). Product default: true.')
param sqlServerEncrypt string = 'true'

@description('Optional. SQLSERVER_TRUST_SERVER_CERTIFICATE: accept a SQL Server target\'s certificate without validating it (test servers only). Product default: false.')
param sqlServerTrustServerCertificate bool = false

@allowed([
  'disable'
  'require'
  'verify-full'
])
@description('Optional. POSTGRES_SSLMODE of connections to PostgreSQL targets. Product default on Azure: verify-full.')
param postgresSslMode string = 'verify-full'

@description('Optional. SQLITE_TARGETS_ENABLED: allow SQLite file targets, which exist only on the instance\'s own disk (for tests). Product default on Azure: false.')
param sqliteTargetsEnabled bool = false

@minValue(40)
@maxValue(1000)
@description('Optional. Flex Consumption: most instances the app scales out to.')
param maximumInstanceCount int = 100

@allowed([
  2048
  4096
])
@description('Optional. Flex Consumption: memory of each instance, in MB.')
param instanceMemoryMB int = 2048

@minLength(3)
@maxLength(45)
@description('Optional. Durable Functions task hub name (letters and digits, starting with a letter); two apps sharing a storage account need different hubs.')
param durableTaskHubName string = 'elasticjobs'

@description('Optional. Name of the control database.')
param controlDatabaseName string = 'elasticjobs'

@description('Optional. SKU of the control database.')
param controlDatabaseSku object = {
  name: 'S1'
  tier: 'Standard'
}

@description('Optional. Put storage, Key Vault and SQL behind private endpoints in a new virtual network, with the Function App integrated into it, and turn their public network access off.')
param enablePrivateEndpoints bool = false

@description('Optional. Client id of an Entra app registration that exposes the app roles Jobs.Reader, Jobs.Operator and Jobs.Admin. Set: App Service authentication validates bearer tokens for it and the app enforces the roles; requests without a token still need a function key. Empty: function keys only.')
param authClientId string = ''

@description('Optional. Key Vault purge protection. Turn it off only for throwaway environments: with it on, `azd down --purge` cannot purge the vault and the environment name cannot be reused for 90 days.')
param enableKeyVaultPurgeProtection bool = true

@description('Optional. A public IP address allowed through the SQL server firewall, for the post-provision hook run from a workstation.')
param allowedClientIp string = ''

@minValue(30)
@maxValue(730)
@description('Optional. Log Analytics retention in days.')
param logRetentionInDays int = 30

@secure()
@description('Optional. WEBHOOK_SIGNING_KEY (at least 32 characters): signs the webhooks of jobs with notify. Kept as a Key Vault secret; the app setting is only a Key Vault reference. Empty (the product default): no key, and jobs with notify are refused.')
param webhookSigningKey string = ''

@description('Optional. Email address told when job executions fail (the failed executions alert). Empty: the alert shows in the portal only.')
param alertEmail string = ''

// ============== //
// Variables      //
// ============== //

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var allTags = union(tags, { 'azd-env-name': environmentName })
var names = {
  identity: 'id-${resourceToken}'
  logAnalytics: 'log-${resourceToken}'
  applicationInsights: 'appi-${resourceToken}'
  storage: 'st${resourceToken}'
  keyVault: 'kv-${resourceToken}'
  sqlServer: 'sql-${resourceToken}'
  // Each SKU its own plan: Azure cannot turn an FC1 plan into EP1 in place. The Flex name is the one earlier versions used.
  plan: hostingPlan == 'FlexConsumption' ? 'plan-${resourceToken}' : 'plan-ep-${resourceToken}'
  functionApp: 'func-${resourceToken}'
  failedExecutionsAlert: 'alert-failed-executions-${resourceToken}'
  virtualNetwork: 'vnet-${resourceToken}'
  deploymentContainer: 'app-package-${resourceToken}'
}
var usesContainer = hostingPlan == 'ElasticPremium' && !empty(containerImage)
var grantsAcrPull = usesContainer && !empty(containerRegistryResourceId)
// /subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.ContainerRegistry/registries/<name>
var registryIdParts = split(containerRegistryResourceId, '/')

// ============== //
// Resources      //
// ============== //

// The one identity of the app: host storage, Key Vault, the control database and Application Insights all see this principal.
module identity 'br/public:avm/res/managed-identity/user-assigned-identity:0.4.1' = {
  name: 'identity'
  params: {
    name: names.identity
    location: location
    tags: allTags
  }
}

module logAnalytics 'br/public:avm/res/operational-insights/workspace:0.11.1' = {
  name: 'logAnalytics'
  params: {
    name: names.logAnalytics
    location: location
    tags: allTags
    dataRetention: logRetentionInDays
  }
}

module applicationInsights 'br/public:avm/res/insights/component:0.6.0' = {
  name: 'applicationInsights'
  params: {
    name: names.applicationInsights
    location: location
    tags: allTags
    workspaceResourceId: logAnalytics.outputs.resourceId
    // Ingestion with the app's Entra identity only (Monitoring Metrics Publisher below).
    disableLocalAuth: true
  }
}

// Host storage of the Functions runtime and Durable Functions (queues, tables, blobs), and the Flex deployment package.
module storage 'br/public:avm/res/storage/storage-account:0.8.3' = {
  name: 'storage'
  params: {
    name: names.storage
    location: location
    tags: allTags
    skuName: 'Standard_LRS'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    dnsEndpointType: 'Standard'
    minimumTlsVersion: 'TLS1_2'
    publicNetworkAccess: enablePrivateEndpoints ? 'Disabled' : 'Enabled'
    networkAcls: enablePrivateEndpoints
      ? {
          defaultAction: 'Deny'
          bypass: 'None'
        }
      : {
          defaultAction: 'Allow'
          bypass: 'AzureServices'
        }
    blobServices: {
      containers: [
        {
          name: names.deploymentContainer
        }
      ]
    }
  }
}

module keyVault 'modules/keyVault.bicep' = {
  name: 'keyVault'
  params: {
    name: names.keyVault
    location: location
    tags: allTags
    publicNetworkAccess: !enablePrivateEndpoints
    enablePurgeProtection: enableKeyVaultPurgeProtection
    webhookSigningKey: webhookSigningKey
  }
}

// Fires per job when executions end Failed or TimedOut (the app's JobExecutionEnded custom events).
module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  params: {
    name: names.failedExecutionsAlert
    location: location
    tags: allTags
    applicationInsightsName: applicationInsights.outputs.name
    alertEmail: alertEmail
  }
}

module controlDatabase 'modules/controlDatabase.bicep' = {
  name: 'controlDatabase'
  params: {
    serverName: names.sqlServer
    databaseName: controlDatabaseName
    location: location
    tags: allTags
    administratorLogin: sqlAdministratorLogin
    administratorObjectId: sqlAdministratorObjectId
    administratorPrincipalType: sqlAdministratorPrincipalType
    sku: controlDatabaseSku
    publicNetworkAccess: !enablePrivateEndpoints
    allowedClientIp: allowedClientIp
  }
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  params: {
    principalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    keyVaultName: keyVault.outputs.name
    applicationInsightsName: applicationInsights.outputs.name
  }
}

module network 'modules/network.bicep' = if (enablePrivateEndpoints) {
  name: 'network'
  params: {
    name: names.virtualNetwork
    location: location
    tags: allTags
    hostingPlan: hostingPlan
    storageAccountName: storage.outputs.name
    keyVaultName: keyVault.outputs.name
    sqlServerName: controlDatabase.outputs.serverName
  }
}

// AcrPull for the app identity on the registry of its image, in the registry's resource group.
module acrPull 'modules/acrPull.bicep' = if (grantsAcrPull) {
  name: 'acrPull'
  scope: resourceGroup(grantsAcrPull ? registryIdParts[2] : subscription().subscriptionId, grantsAcrPull ? registryIdParts[4] : resourceGroup().name)
  params: {
    registryName: grantsAcrPull ? last(registryIdParts) : ''
    principalId: identity.outputs.principalId
  }
}

module functionApp 'modules/functionApp.bicep' = {
  name: 'functionApp'
  params: {
    name: names.functionApp
    planName: names.plan
    location: location
    tags: allTags
    hostingPlan: hostingPlan
    elasticPremiumSku: elasticPremiumSku
    containerImage: containerImage
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    identityResourceId: identity.outputs.resourceId
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: names.deploymentContainer
    applicationInsightsName: applicationInsights.outputs.name
    virtualNetworkSubnetId: enablePrivateEndpoints ? network.outputs.appSubnetId : ''
    authClientId: authClientId
    appSettings: union(
      {
        // Entra authentication to Azure SQL: tedious' default credential picks the identity named by AZURE_CLIENT_ID.
        CONTROL_DB: 'mssql://${controlDatabase.outputs.serverFqdn}/${controlDatabase.outputs.databaseName}'
        SECRETS_PROVIDER: 'keyvault'
        KEY_VAULT_URL: keyVault.outputs.uri
        AZURE_CLIENT_ID: identity.outputs.clientId
        DURABLE_TASK_HUB_NAME: durableTaskHubName
        SQLITE_TARGETS_ENABLED: string(sqliteTargetsEnabled)
        // Blob endpoints of this cloud only (core.windows.net in the public one) unless the operator lists others.
        DACPAC_ALLOWED_HOSTS: empty(dacpacAllowedHosts) ? '*.blob.${environment().suffixes.storage}' : dacpacAllowedHosts
        LOG_LEVEL: logLevel
        HISTORY_RETENTION: historyRetention
        DEFAULT_MAX_PARALLELISM: string(defaultMaxParallelism)
        SQLSERVER_ENCRYPT: sqlServerEncrypt
        SQLSERVER_TRUST_SERVER_CERTIFICATE: string(sqlServerTrustServerCertificate)
        POSTGRES_SSLMODE: postgresSslMode
      },
      // Without it, the app believes x-ms-client-principal only when the platform says WEBSITE_AUTH_ENABLED=True.
      empty(authClientId) ? {} : { TRUST_CLIENT_PRINCIPAL: 'true' },
      usesContainer ? { SQLPACKAGE_PATH: sqlpackagePath } : {},
      // A secret: the setting holds only a reference, the app identity reads the value from the vault.
      empty(webhookSigningKey) ? {} : { WEBHOOK_SIGNING_KEY: '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.webhookSigningKeySecretUri})' }
    )
  }
  // The app starts using storage, the vault and the database as soon as it exists, and pulls its image at once.
  dependsOn: [
    roles
    acrPull
  ]
}

// ============== //
// Outputs        //
// ============== //

@description('The base URL of the HTTP API (routes under /api).')
output SERVICE_API_URI string = functionApp.outputs.uri

@description('The name of the Function App.')
output SERVICE_API_NAME string = functionApp.outputs.name

@description('The name of the Function App (azd and docs use either name).')
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name

@description('The location of the deployment.')
output AZURE_LOCATION string = location

@description('The tenant of the deployment.')
output AZURE_TENANT_ID string = tenant().tenantId

@description('The name of the user-assigned managed identity of the app.')
output AZURE_MANAGED_IDENTITY_NAME string = identity.outputs.name

@description('The client id of the user-assigned managed identity of the app.')
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId

@description('The name of the host storage account.')
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name

@description('The name of the Key Vault that holds credential passwords.')
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name

@description('The URL of the Key Vault that holds credential passwords.')
output AZURE_KEY_VAULT_URL string = keyVault.outputs.uri

@description('The name of the SQL logical server.')
output AZURE_SQL_SERVER_NAME string = controlDatabase.outputs.serverName

@description('The host name of the SQL logical server.')
output AZURE_SQL_SERVER_FQDN string = controlDatabase.outputs.serverFqdn

@description('The name of the control database.')
output AZURE_SQL_DATABASE_NAME string = controlDatabase.outputs.databaseName

@description('The name of the Application Insights component.')
output APPLICATIONINSIGHTS_NAME string = applicationInsights.outputs.name
