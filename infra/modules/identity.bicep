// The app's user-assigned managed identity: storage, Application Insights, Key Vault, Azure OpenAI and the
// investigated scopes all grant their roles to it, so the grants survive re-creating the function app.
param name string
param location string
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output principalId string = identity.properties.principalId
output clientId string = identity.properties.clientId
