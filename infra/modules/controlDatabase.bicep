metadata name = 'Control database'
metadata description = 'The Azure SQL logical server with Entra-only authentication (no SQL logins at all) and the control database of Elastic Jobs. The app identity\'s database user is created after deployment by infra/hooks (a data-plane step ARM cannot do).'

@description('Required. Name of the SQL logical server (globally unique).')
param serverName string

@description('Required. Name of the control database.')
param databaseName string

@description('Optional. Location of the server and database.')
param location string = resourceGroup().location

@description('Optional. Tags of the server and database.')
param tags object = {}

@description('Required. Display name of the Entra administrator.')
param administratorLogin string

@description('Required. Object id of the Entra administrator.')
param administratorObjectId string

@allowed([
  'User'
  'Group'
  'Application'
])
@description('Optional. Kind of the Entra administrator.')
param administratorPrincipalType string = 'User'

@description('Optional. SKU of the control database.')
param sku object = {
  name: 'S1'
  tier: 'Standard'
}

@description('Optional. Whether the server answers on its public endpoint (firewalled); false when a private endpoint carries the traffic.')
param publicNetworkAccess bool = true

@description('Optional. A public IP address let through the firewall, for the post-provision hook run from a workstation.')
param allowedClientIp string = ''

resource server 'Microsoft.Sql/servers@2023-08-01' = {
  name: serverName
  location: location
  tags: tags
  properties: {
    version: '12.0'
    minimalTlsVersion: '1.2'
    publicNetworkAccess: publicNetworkAccess ? 'Enabled' : 'Disabled'
    administrators: {
      administratorType: 'ActiveDirectory'
      azureADOnlyAuthentication: true
      login: administratorLogin
      sid: administratorObjectId
      principalType: administratorPrincipalType
      tenantId: tenant().tenantId
    }
  }
}

resource database 'Microsoft.Sql/servers/databases@2023-08-01' = {
  parent: server
  name: databaseName
  location: location
  tags: tags
  sku: sku
  properties: {
    collation: 'SQL_Latin1_General_CP1_CI_AS'
    zoneRedundant: false
  }
}

// Flex Consumption has no fixed outbound addresses: without private endpoints the app reaches the
// server as an Azure service (authentication is still Entra-only).
resource allowAzureServices 'Microsoft.Sql/servers/firewallRules@2023-08-01' = if (publicNetworkAccess) {
  parent: server
  name: 'AllowAllWindowsAzureIps'
  properties: {
    startIpAddress: '0.0.0.0'
    endIpAddress: '0.0.0.0'
  }
}

resource allowClient 'Microsoft.Sql/servers/firewallRules@2023-08-01' = if (publicNetworkAccess && !empty(allowedClientIp)) {
  parent: server
  name: 'AllowDeploymentClient'
  properties: {
    startIpAddress: allowedClientIp
    endIpAddress: allowedClientIp
  }
}

@description('The name of the SQL logical server.')
output serverName string = server.name

@description('The host name of the SQL logical server.')
output serverFqdn string = server.properties.fullyQualifiedDomainName

@description('The name of the control database.')
output databaseName string = database.name
