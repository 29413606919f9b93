// azd entry point: one resource group holding the Flex Consumption function app and everything it uses,
// plus the read-only roles its identity needs on the scopes it investigates (which may lie outside that group).
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name (AZURE_ENV_NAME): names the resource group and seeds the unique resource names.')
param environmentName string

@minLength(1)
@description('Region of every resource. It must offer Flex Consumption: az functionapp list-flexconsumption-locations.')
@metadata({ azd: { type: 'location' } })
param location string

@description('Object id of the person or pipeline running azd (AZURE_PRINCIPAL_ID). It may read the app secrets in Key Vault, so that the next azd up reads them back instead of generating new ones. Empty: no such role.')
param principalId string = ''

@description('Whether the app calls Azure with its own identity (DEBUG_AZURE_ACCESS): app = yes, none = no Azure call (the service asks the client to run the equivalent az command). The reader roles are assigned only with app.')
@allowed(['app', 'none'])
param azureAccess string = 'app'

@description('Comma-separated scopes the app may read: /subscriptions/<id> or /subscriptions/<id>/resourceGroups/<name>. Empty: the resource group of this deployment only. Each gets Reader, Monitoring Reader and Log Analytics Reader.')
param investigationScopes string = ''

@description('Deploy Azure OpenAI (an account, a model deployment, Cognitive Services OpenAI User for the app). Off: the rules engine answers.')
param openAiEnabled bool = false

@description('Region of the Azure OpenAI account (model availability differs by region). Empty: the same as location.')
param openAiLocation string = ''

@description('Model deployed in the Azure OpenAI account; it must support tool calling.')
param openAiModelName string = 'gpt-4o'

@description('Version of that model.')
param openAiModelVersion string = '2024-11-20'

@description('Deployment type of the model (GlobalStandard, Standard, DataZoneStandard...).')
param openAiDeploymentSku string = 'GlobalStandard'

@minValue(1)
@description('Capacity of the model deployment in thousands of tokens per minute.')
param openAiCapacity int = 10

@description('Engine that decides each step (DEBUG_ENGINE): rules, hybrid or llm. Empty: the app default (hybrid with a model endpoint, else rules).')
@allowed(['', 'rules', 'hybrid', 'llm'])
param engine string = ''

@description('Durable Functions backend (DURABLE_BACKEND): azureStorage = the task hub in the app\'s storage account (queues, tables, blobs); scheduler = a Durable Task Scheduler and task hub (modules/durable-task-scheduler.bicep), the app switched to it by app settings. See docs/deploying.md, Durable backend.')
@allowed(['azureStorage', 'scheduler'])
param durableBackend string = 'azureStorage'

@description('Billing SKU of the Durable Task Scheduler (DURABLE_SCHEDULER_SKU), only with durableBackend = scheduler: Consumption (pay per action, up to 500 actions/s) or Dedicated (one capacity unit, 2,000 actions/s, fixed monthly price).')
@allowed(['Consumption', 'Dedicated'])
param durableSchedulerSku string = 'Consumption'

@description('Maximum number of instances the app scales out to.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Memory of each instance in MB.')
@allowed([2048, 4096])
param instanceMemoryMB int = 2048

@description('Deploy the Azure Monitor workbook infra/workbook-debug-sessions.json on the Application Insights resource.')
param deployWorkbook bool = true

@secure()
@minLength(15)
@description('HMAC secret of poll tokens (DEBUG_POLL_TOKEN_SECRET). main.parameters.json has azd read it back from Key Vault, or generate one the first time.')
param pollTokenSecret string

@secure()
@minLength(15)
@description('HMAC key of caller ids and placeholders (DEBUG_CALLER_SECRET); kept in Key Vault like the poll-token secret.')
param callerSecret string

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var serviceName = 'api' // the service in azure.yaml; azd finds the app by its azd-service-name tag
var functionAppName = 'func-${resourceToken}'
// The deployment container is named after the app so one storage account could hold several apps' packages.
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    principalId: identity.outputs.principalId
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    workspaceName: 'log-${resourceToken}'
    appInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
    principalId: identity.outputs.principalId
    deployWorkbook: deployWorkbook
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: 'kv-${resourceToken}'
    location: location
    tags: tags
    appPrincipalId: identity.outputs.principalId
    deployerPrincipalId: principalId
    pollTokenSecret: pollTokenSecret
    callerSecret: callerSecret
  }
}

module openAi 'modules/openai.bicep' = if (openAiEnabled) {
  name: 'openai'
  scope: rg
  params: {
    name: 'oai-${resourceToken}'
    location: empty(openAiLocation) ? location : openAiLocation
    tags: tags
    principalId: identity.outputs.principalId
    modelName: openAiModelName
    modelVersion: openAiModelVersion
    deploymentSku: openAiDeploymentSku
    capacity: openAiCapacity
  }
}

// The same name as host.json's extensions.durableTask.hubName, so the task hub keeps its name whichever the backend.
var durableTaskHubName = 'DebugSessionsHub'

module durableTaskScheduler 'modules/durable-task-scheduler.bicep' = if (durableBackend == 'scheduler') {
  name: 'durable-task-scheduler'
  scope: rg
  params: {
    name: 'dts-${resourceToken}'
    location: location // the app's region: the scheduler is reached on every orchestration step
    tags: tags
    taskHubName: durableTaskHubName
    skuName: durableSchedulerSku
    principalId: identity.outputs.principalId
  }
}

// App settings that depend on the parameters; the function-app module adds the fixed ones.
var engineSettings = empty(engine) ? {} : { DEBUG_ENGINE: engine }
var openAiSettings = openAiEnabled ? {
  AZURE_OPENAI_ENDPOINT: openAi.outputs.endpoint
  AZURE_OPENAI_DEPLOYMENT: openAi.outputs.deploymentName
  AZURE_OPENAI_API_VERSION: '2024-10-21'
} : {}
// host.json is one file for both backends and names no storage provider type (the extension's default is Azure
// Storage); with the scheduler, app settings override it. The AzureFunctionsJobHost__path__to__setting override is
// MicrosoftDocs/azure-docs articles/azure-functions/functions-host-json.md, "Override host.json values"; the
// provider type, connectionStringName, the connection string's form (user-assigned identity: ClientID) and
// TASKHUB_NAME are articles/durable-task/scheduler/quickstart-durable-task-scheduler.md ("Update host.json") and
// articles/durable-task/scheduler/durable-task-scheduler-identity.md ("Add environment variables to your app").
// The provider ships in the Python extension bundle Microsoft.Azure.Functions.ExtensionBundle from 4.30.0 on
// (Azure/azure-functions-extension-bundles, src/Microsoft.Azure.Functions.ExtensionBundle/extensions.json at tag
// 4.30.0: Microsoft.Azure.WebJobs.Extensions.DurableTask.AzureManaged), which host.json's [4.*, 5.0.0) admits.
var durableSettings = (durableBackend == 'scheduler') ? {
  DURABLE_TASK_SCHEDULER_CONNECTION_STRING: 'Endpoint=${durableTaskScheduler.outputs.endpoint};Authentication=ManagedIdentity;ClientID=${identity.outputs.clientId}'
  TASKHUB_NAME: durableTaskScheduler.outputs.taskHubName
  AzureFunctionsJobHost__extensions__durableTask__storageProvider__type: 'azureManaged'
  AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionStringName: 'DURABLE_TASK_SCHEDULER_CONNECTION_STRING'
  AzureFunctionsJobHost__extensions__durableTask__hubName: durableTaskScheduler.outputs.taskHubName
} : {}

module functionApp 'modules/function-app.bicep' = {
  name: 'function-app'
  scope: rg
  params: {
    name: functionAppName
    planName: 'plan-${resourceToken}'
    location: location
    tags: tags
    serviceName: serviceName
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerUrl: '${storage.outputs.blobEndpoint}${deploymentContainerName}'
    appInsightsConnectionString: monitoring.outputs.connectionString
    pollTokenSecretReference: keyVault.outputs.pollTokenSecretReference
    callerSecretReference: keyVault.outputs.callerSecretReference
    azureAccess: azureAccess
    investigationScopes: readerScopes
    extraAppSettings: union(engineSettings, openAiSettings, durableSettings)
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
  }
}

// The scopes the app investigates: a subscription needs a module deployed at that subscription,
// a resource group one deployed at that group (a role assignment lives at the scope it grants).
// Ids are case-insensitive: lowercased, and union(x, []) drops duplicates, so a scope listed twice is granted once.
var requestedScopes = union(map(filter(split(investigationScopes, ','), s => !empty(trim(s))), s => toLower(trim(s))), [])
var readerScopes = (azureAccess == 'app') ? (empty(requestedScopes) ? [rg.id] : requestedScopes) : []
// '/subscriptions/<id>' splits into 3 parts, '/subscriptions/<id>/resourceGroups/<name>' into 5. ARM evaluates
// both sides of && (no short-circuit), so the parts are padded: indexing them never fails on a short entry.
// (The explicit parentheses are for tests/unit/test_infra.py: its parser, pycep, gets the precedence of == and
// && wrong.)
var scopeParts = map(readerScopes, s => {
  id: s
  count: length(split(s, '/'))
  parts: concat(split(s, '/'), ['', '', '', '', ''])
})
var subscriptionScopes = map(filter(scopeParts, p => (p.count == 3) && (p.parts[0] == '') && (toLower(p.parts[1]) == 'subscriptions')), p => p.id)
var resourceGroupScopes = map(filter(scopeParts, p => (p.count == 5) && (p.parts[0] == '') && (toLower(p.parts[1]) == 'subscriptions') && (toLower(p.parts[3]) == 'resourcegroups')), p => p.id)
var unknownScopes = filter(readerScopes, s => (!contains(subscriptionScopes, s)) && (!contains(resourceGroupScopes, s)))

// Anything else (a resource id, a typo) must not be granted silently, nor widened to its group: deploying to a
// "subscription" named after the bad entry fails the deployment with an error that quotes it, before any role exists.
module rejectedScopes 'modules/reader-roles-subscription.bicep' = [for scope in unknownScopes: {
  name: 'rejected-${uniqueString(scope)}'
  scope: subscription('investigationScopes entry is neither a subscription nor a resource group id: ${scope}')
  params: {
    principalId: identity.outputs.principalId
  }
}]

module subscriptionReaders 'modules/reader-roles-subscription.bicep' = [for scope in subscriptionScopes: {
  name: 'readers-${uniqueString(scope)}'
  scope: subscription(split(scope, '/')[2])
  params: {
    principalId: identity.outputs.principalId
  }
}]

module resourceGroupReaders 'modules/reader-roles-resource-group.bicep' = [for scope in resourceGroupScopes: {
  name: 'readers-${uniqueString(scope)}'
  scope: resourceGroup(split(scope, '/')[2], split(scope, '/')[4])
  params: {
    principalId: identity.outputs.principalId
  }
}]

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output SERVICE_API_NAME string = functionApp.outputs.name
output SERVICE_API_URI string = functionApp.outputs.uri
output AZURE_FUNCTION_URL string = '${functionApp.outputs.uri}/api/debug'
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.appInsightsName
output AZURE_INVESTIGATION_SCOPES array = readerScopes
output AZURE_OPENAI_ENDPOINT string = openAiEnabled ? openAi.outputs.endpoint : ''
output AZURE_DURABLE_BACKEND string = durableBackend
output AZURE_DURABLE_TASK_SCHEDULER_ENDPOINT string = (durableBackend == 'scheduler') ? durableTaskScheduler.outputs.endpoint : ''
