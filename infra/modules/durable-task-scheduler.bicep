// Durable Task Scheduler backend (durableBackend = 'scheduler'): a scheduler and one task hub in the deployment's
// region, and the app identity's data role on the scheduler. The app reaches it over gRPC/TLS as the user-assigned
// identity only (the scheduler supports managed identity only; no key exists).
// Sources (Microsoft public docs and samples):
// - resource types, properties, api-version: learn.microsoft.com/azure/templates/microsoft.durabletask/schedulers
//   and .../schedulers/taskhubs (name pattern ^[a-zA-Z0-9-]{3,64}$, ipAllowlist required, sku 'Consumption' |
//   'Dedicated', capacity for Dedicated); the same api-version in Azure-Samples/Durable-Task-Scheduler
//   samples/durable-functions/python/pdf-summarizer/infra/app/dts.bicep (a Python Durable Functions app).
// - role: MicrosoftDocs/azure-docs articles/role-based-access-control/built-in-roles.md (Integration:
//   "Durable Task Data Contributor", 0ad04412-c4d5-4796-b79c-f76d14c8d402); which role an app needs:
//   articles/durable-task/scheduler/durable-task-scheduler-identity.md ("Most apps require the Durable Task Data
//   Contributor role"; scheduler scope grants every task hub in it, here exactly one).
// - SKUs and limits: articles/durable-task/scheduler/durable-task-scheduler-billing.md (Consumption: up to 500
//   actions/s, 30 days retention; Dedicated: 2,000 actions/s per capacity unit, up to 3).
param name string
param location string
param tags object
@description('Task hub name; the app setting TASKHUB_NAME and the host.json hubName override carry the same name.')
param taskHubName string
@allowed(['Consumption', 'Dedicated'])
param skuName string
@description('Principal id of the app identity.')
param principalId string

// Built-in role definition id (learn.microsoft.com/azure/role-based-access-control/built-in-roles).
var durableTaskDataContributor = '0ad04412-c4d5-4796-b79c-f76d14c8d402' // start, query, run orchestrations

resource scheduler 'Microsoft.DurableTask/schedulers@2025-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    // Required; an empty list admits no client. No virtual network in this template and Flex Consumption has no
    // fixed outbound address, so every address may connect; access still needs an Entra token and the role.
    ipAllowlist: ['0.0.0.0/0']
    // Dedicated is billed per capacity unit: one here (three are needed for high availability).
    sku: (skuName == 'Dedicated') ? {
      name: skuName
      capacity: 1
    } : {
      name: skuName
    }
  }
}

resource taskHub 'Microsoft.DurableTask/schedulers/taskHubs@2025-11-01' = {
  parent: scheduler
  name: taskHubName
}

resource dataRoleAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(scheduler.id, principalId, durableTaskDataContributor)
  scope: scheduler
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', durableTaskDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

output name string = scheduler.name
output id string = scheduler.id
@description('https://<name>.<region>.durabletask.io: the Endpoint of the connection string.')
output endpoint string = scheduler.properties.endpoint
output taskHubName string = taskHub.name
