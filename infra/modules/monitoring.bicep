// Log Analytics workspace and the workspace-based Application Insights resource the app exports to.
// Ingestion needs Entra ID (local auth off): the app identity publishes with Monitoring Metrics Publisher.
param workspaceName string
param appInsightsName string
param location string
param tags object
@description('Principal id of the app identity.')
param principalId string
param deployWorkbook bool

var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: workspaceName
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    DisableLocalAuth: true // only Entra ID tokens may ingest; the connection string alone sends nothing
    IngestionMode: 'LogAnalytics'
  }
}

resource publisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, principalId, monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// The workbook file stays as it is (it is also imported by hand); here it is attached to this resource.
resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = if (deployWorkbook) {
  name: guid(appInsights.id, 'workbook-debug-sessions')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: 'Debug sessions'
    category: 'workbook'
    sourceId: appInsights.id
    serializedData: loadTextContent('../workbook-debug-sessions.json')
  }
}

// Memory pressure (shared/resilience/memory_guard.py): an instance that starts shedding load counts the metric
// debug.memory.pressure with state "shedding". No action group is attached: the alert shows in the portal; add one
// (email, Teams, a runbook) for your on-call.
resource memoryPressureAlert 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = {
  name: 'alert-memory-pressure-${appInsightsName}'
  location: location
  tags: tags
  properties: {
    displayName: 'Debug service sheds load under memory pressure'
    description: 'An instance went over its memory high-water mark: large starts get 503, caches were cleared, the model engine gave way to the rules.'
    severity: 2
    enabled: true
    scopes: [appInsights.id]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: 'customMetrics | where name == "debug.memory.pressure" and tostring(customDimensions.state) == "shedding" | summarize shedding = sum(valueCount)'
          timeAggregation: 'Total'
          metricMeasureColumn: 'shedding'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
  }
}

output appInsightsName string = appInsights.name
output appInsightsId string = appInsights.id
output connectionString string = appInsights.properties.ConnectionString
output workspaceId string = workspace.id
