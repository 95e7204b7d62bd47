metadata name = 'AcrPull of the app identity'
metadata description = 'Lets the Function App\'s user-assigned identity pull its custom container image (Elastic Premium), on the one registry that holds it. Deployed in the registry\'s resource group, in the same provision as the identity, so a fresh environment needs no earlier run.'

@description('Required. Name of the Azure Container Registry that holds the app image, in this module\'s resource group.')
param registryName string

@description('Required. Principal (object) id of the app\'s user-assigned identity.')
param principalId string

// Built-in role definition id of AcrPull (the same in every tenant).
var acrPullRoleId = '7f951dda-4ed3-4680-a7ca-43fe172d538d'

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' existing = {
  name: registryName
}

resource acrPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, principalId, acrPullRoleId)
  scope: registry
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', acrPullRoleId)
  }
}
