// Read-only roles for the app identity on a whole subscription (deployed at that subscription).
targetScope = 'subscription'

@description('Principal id of the app identity.')
param principalId string

var readerRoles = [
  'acdd72a7-3385-48ef-bd42-f606fba81ae7' // Reader: resources, deployments, activity log
  '43d0d8ad-25c7-4714-9337-8ba259a9fe05' // Monitoring Reader: metrics, alerts, diagnostic settings
  '73c42c96-874c-492b-b04d-ab87d138a893' // Log Analytics Reader: workspace queries
]

resource readers 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for role in readerRoles: {
  name: guid(subscription().id, principalId, role)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}]
