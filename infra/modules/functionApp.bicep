metadata name = 'Function App'
metadata description = 'The Elastic Jobs Function App: Node 22 on Flex Consumption, or on Elastic Premium (code package, or a custom container image that carries sqlpackage). One user-assigned identity reaches host storage (identity-based AzureWebJobsStorage, also used by Durable Functions), Application Insights, Key Vault and the control database.'

@description('Required. Name of the Function App.')
param name string

@description('Required. Name of the hosting plan.')
param planName string

@description('Optional. Location of the app and its plan.')
param location string = resourceGroup().location

@description('Optional. Tags of the app and its plan.')
param tags object = {}

@allowed([
  'FlexConsumption'
  'ElasticPremium'
])
@description('Required. Hosting plan.')
param hostingPlan string

@allowed([
  'EP1'
  'EP2'
  'EP3'
])
@description('Optional. Elastic Premium plan size.')
param elasticPremiumSku string = 'EP1'

@description('Optional. Elastic Premium only: custom container image to run instead of the code package.')
param containerImage string = ''

@description('Optional. Flex Consumption: most instances.')
param maximumInstanceCount int = 100

@description('Optional. Flex Consumption: memory per instance in MB.')
param instanceMemoryMB int = 2048

@description('Required. Resource id of the user-assigned identity.')
param identityResourceId string

@description('Required. Client id of the user-assigned identity.')
param identityClientId string

@description('Required. Name of the host storage account.')
param storageAccountName string

@description('Required. Blob container of the Flex Consumption deployment package.')
param deploymentContainerName string

@description('Required. Name of the Application Insights component.')
param applicationInsightsName string

@description('Required. Settings of the product (CONTROL_DB, SECRETS_PROVIDER...), merged with the host settings made here.')
param appSettings object

@description('Optional. Subnet for regional VNet integration; empty for none.')
param virtualNetworkSubnetId string = ''

@description('Optional. Client id of the Entra app registration for App Service authentication; empty leaves it off.')
param authClientId string = ''

var isFlex = hostingPlan == 'FlexConsumption'
var usesContainer = !isFlex && !empty(containerImage)
var integrated = !empty(virtualNetworkSubnetId)

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: isFlex ? 'functionapp' : 'elastic'
  sku: isFlex
    ? {
        name: 'FC1'
        tier: 'FlexConsumption'
      }
    : {
        name: elasticPremiumSku
        tier: 'ElasticPremium'
      }
  properties: {
    // Linux.
    reserved: true
    maximumElasticWorkerCount: isFlex ? null : 20
  }
}

// Identity-based host storage: no connection string, no key. Durable Functions (Azure Storage
// provider) reads the same AzureWebJobsStorage__* settings.
var hostSettings = {
  AzureWebJobsStorage__accountName: storage.name
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
}

// Flex Consumption takes runtime and version from functionAppConfig and refuses these settings.
// Elastic Premium without Azure Files (it would need a storage key) runs from a package or an image.
var premiumSettings = isFlex
  ? {}
  : union(
      {
        FUNCTIONS_EXTENSION_VERSION: '~4'
        FUNCTIONS_WORKER_RUNTIME: 'node'
      },
      usesContainer
        ? {
            WEBSITES_ENABLE_APP_SERVICE_STORAGE: 'false'
          }
        : {
            WEBSITE_RUN_FROM_PACKAGE: '1'
          }
    )

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: usesContainer ? 'functionapp,linux,container' : 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityResourceId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityResourceId
    virtualNetworkSubnetId: integrated ? virtualNetworkSubnetId : null
    vnetRouteAllEnabled: integrated
    functionAppConfig: isFlex
      ? {
          deployment: {
            storage: {
              type: 'blobContainer'
              value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
              authentication: {
                type: 'UserAssignedIdentity'
                userAssignedIdentityResourceId: identityResourceId
              }
            }
          }
          scaleAndConcurrency: {
            maximumInstanceCount: maximumInstanceCount
            instanceMemoryMB: instanceMemoryMB
          }
          runtime: {
            name: 'node'
            version: '22'
          }
        }
      : null
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      linuxFxVersion: isFlex ? null : (usesContainer ? 'DOCKER|${containerImage}' : 'Node|22')
      acrUseManagedIdentityCreds: usesContainer
      acrUserManagedIdentityID: usesContainer ? identityClientId : null
      // Durable Functions' queues behind a private endpoint: the plan's scale controller cannot see them, the runtime can.
      functionsRuntimeScaleMonitoringEnabled: !isFlex && integrated
    }
  }
}

resource settings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: union(appSettings, premiumSettings, hostSettings)
}

// Bearer tokens for the app registration are validated by the platform, which then hands the app
// the caller's principal (x-ms-client-principal) and strips any copy the caller sent. Anonymous
// requests still pass, to be checked against a function key by the Functions host.
resource authentication 'Microsoft.Web/sites/config@2024-04-01' = if (!empty(authClientId)) {
  parent: site
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: false
      unauthenticatedClientAction: 'AllowAnonymous'
    }
    httpSettings: {
      requireHttps: true
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: authClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
        }
        validation: {
          allowedAudiences: [
            'api://${authClientId}'
            authClientId
          ]
        }
      }
    }
    login: {
      tokenStore: {
        enabled: false
      }
    }
  }
}

@description('The name of the Function App.')
output name string = site.name

@description('The base URL of the app.')
output uri string = 'https://${site.properties.defaultHostName}'
