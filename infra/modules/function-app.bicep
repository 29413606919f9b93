// The Flex Consumption plan and the Python 3.11 function app. Everything it reaches (host storage, deployment
// package, Application Insights, Key Vault, Azure Resource Manager, Azure OpenAI) it reaches as the
// user-assigned identity; no connection string or key is stored in its settings.
param name string
param planName string
param location string
param tags object
@description('The service name in azure.yaml: azd deploys to the app carrying this azd-service-name tag.')
param serviceName string
param identityId string
param identityClientId string
param storageAccountName string
@description('URL of the blob container holding the deployment package.')
param deploymentContainerUrl string
param appInsightsConnectionString string
@description('Key Vault reference (not the value) of DEBUG_POLL_TOKEN_SECRET.')
param pollTokenSecretReference string
@description('Key Vault reference (not the value) of DEBUG_CALLER_SECRET.')
param callerSecretReference string
@allowed(['app', 'none'])
param azureAccess string
@description('The subscription and resource group ids the app may investigate (AZURE_INVESTIGATION_SCOPES); empty: no bound beyond its roles.')
param investigationScopes array = []
@description('Settings that depend on optional parts (DEBUG_ENGINE, AZURE_OPENAI_*).')
param extraAppSettings object = {}
param maximumInstanceCount int
param instanceMemoryMB int

// The Portal's Test/Run calls the function from the browser, from this origin.
var portalOrigin = 'https://portal.azure.com'

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true // Linux
  }
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId // without it Key Vault references look for a system-assigned identity
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      cors: {
        allowedOrigins: [portalOrigin]
        supportCredentials: false
      }
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'python'
        version: '3.11'
      }
    }
  }
}

// Flex Consumption takes the runtime from functionAppConfig: FUNCTIONS_WORKER_RUNTIME and
// FUNCTIONS_EXTENSION_VERSION must not be set (the platform rejects them).
var appSettings = union({
  // Host storage and the Durable task hub, as the user-assigned identity.
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  // DefaultAzureCredential (Azure tools, keyless Azure OpenAI) picks the user-assigned identity by this id.
  AZURE_CLIENT_ID: identityClientId
  // Telemetry: the app configures azure-monitor-opentelemetry itself (shared/telemetry/setup.py); the
  // exporter, like the host, authenticates with the identity named in the authentication string.
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  PYTHON_APPLICATIONINSIGHTS_ENABLE_TELEMETRY: 'false'
  // Secrets as Key Vault references: the values never appear in the template, the settings or the deployment.
  DEBUG_POLL_TOKEN_SECRET: pollTokenSecretReference
  DEBUG_CALLER_SECRET: callerSecretReference
  DEBUG_AZURE_ACCESS: azureAccess
  // Every session reads only within these (shared/azure/scope.py): the scopes main.bicep grants Reader on.
  AZURE_INVESTIGATION_SCOPES: join(investigationScopes, ',')
  // The memory guard's marks are shares of the instance size (shared/resilience/memory_guard.py).
  DEBUG_INSTANCE_MEMORY_MB: string(instanceMemoryMB)
}, extraAppSettings)

resource settings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: app
  name: 'appsettings'
  properties: appSettings
}

// Deployments go through Entra ID (azd uses its token); basic-auth publishing stays off.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'scm'
  properties: {
    allow: false
  }
}

output name string = app.name
output uri string = 'https://${app.properties.defaultHostName}'
