metadata name = 'Key Vault for credential passwords'
metadata description = 'A Key Vault in RBAC mode: the app identity gets Key Vault Secrets Officer (roles.bicep), nobody gets access policies. Soft delete on, and purge protection by default, since a purged secret is a credential that no longer connects.'

@description('Required. Name of the vault (3-24 letters, digits and dashes, globally unique).')
@minLength(3)
@maxLength(24)
param name string

@description('Optional. Location of the vault.')
param location string = resourceGroup().location

@description('Optional. Tags of the vault.')
param tags object = {}

@description('Optional. Whether the vault answers on its public endpoint; false when private endpoints carry the traffic.')
param publicNetworkAccess bool = true

@description('Optional. Purge protection: a deleted vault cannot be purged before its retention ends (and its name stays taken until then).')
param enablePurgeProtection bool = true

@secure()
@description('Optional. WEBHOOK_SIGNING_KEY: stored as the secret webhook-signing-key, which the app reads through a Key Vault reference. Empty: no secret (jobs with notify are refused).')
param webhookSigningKey string = ''

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    // The service takes true or absent, never false.
    enablePurgeProtection: enablePurgeProtection ? true : null
    enabledForDeployment: false
    enabledForTemplateDeployment: false
    enabledForDiskEncryption: false
    publicNetworkAccess: publicNetworkAccess ? 'Enabled' : 'Disabled'
    networkAcls: {
      defaultAction: publicNetworkAccess ? 'Allow' : 'Deny'
      bypass: 'AzureServices'
    }
  }
}

// Written by the deployment (control plane), read by the app through its Key Vault reference identity.
resource signingKey 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(webhookSigningKey)) {
  parent: vault
  name: 'webhook-signing-key'
  properties: {
    value: webhookSigningKey
    contentType: 'HMAC-SHA256 key of the X-Elastic-Jobs-Signature header'
  }
}

@description('The name of the vault.')
output name string = vault.name

@description('The resource id of the vault.')
output resourceId string = vault.id

@description('The URL of the vault, for KEY_VAULT_URL.')
output uri string = vault.properties.vaultUri

@description('The URI (without version: the latest is read) of the webhook signing key secret, or empty when none was given.')
output webhookSigningKeySecretUri string = empty(webhookSigningKey) ? '' : signingKey.properties.secretUri
