// The app's two HMAC secrets, kept in Key Vault and read by the app through Key Vault references.
// azd reads them back on the next `azd up` ($(secretOrRandomPassword ...) in main.parameters.json), so
// re-provisioning keeps them and running sessions keep their poll tokens and owners.
param name string
param location string
param tags object
@description('Principal id of the app identity: reads each secret (Key Vault Secrets User on the secret only).')
param appPrincipalId string
@description('Object id of whoever runs azd (may be empty): reads the secrets back on the next provision.')
param deployerPrincipalId string
@secure()
param pollTokenSecret string
@secure()
param callerSecret string

var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'
var pollTokenSecretName = 'debug-poll-token-secret'
var callerSecretName = 'debug-caller-secret'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    publicNetworkAccess: 'Enabled' // azd reads the secrets from the deploying machine
  }
}

resource pollToken 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: pollTokenSecretName
  properties: {
    value: pollTokenSecret
    contentType: 'text/plain'
  }
}

resource caller 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: callerSecretName
  properties: {
    value: callerSecret
    contentType: 'text/plain'
  }
}

resource appReadsPollToken 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(pollToken.id, appPrincipalId, keyVaultSecretsUser)
  scope: pollToken
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource appReadsCaller 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(caller.id, appPrincipalId, keyVaultSecretsUser)
  scope: caller
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// No principalType: azd may run as a user or as a pipeline's service principal.
resource deployerReadsPollToken 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(pollToken.id, deployerPrincipalId, keyVaultSecretsUser)
  scope: pollToken
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: deployerPrincipalId
  }
}

resource deployerReadsCaller 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(caller.id, deployerPrincipalId, keyVaultSecretsUser)
  scope: caller
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: deployerPrincipalId
  }
}

output name string = vault.name
// App Service resolves these with the identity named in keyVaultReferenceIdentity; no secret value leaves here.
output pollTokenSecretReference string = '@Microsoft.KeyVault(VaultName=${vault.name};SecretName=${pollTokenSecretName})'
output callerSecretReference string = '@Microsoft.KeyVault(VaultName=${vault.name};SecretName=${callerSecretName})'
