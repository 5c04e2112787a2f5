// Optional base infrastructure: APIM (when the subscription has none yet), Log Analytics,
// workspace-based Application Insights, the APIM logger to App Insights and the diagnostic
// setting that sends gateway logs and LLM gateway logs to resource-specific tables.
// With createApim = false it attaches the same monitoring to an existing APIM service.

targetScope = 'resourceGroup'

@description('Azure region of the new resources.')
param location string = resourceGroup().location

@description('APIM service name (existing, or the one to create).')
param apimName string

@description('Create the APIM service (true) or use an existing one in this resource group (false).')
param createApim bool = true

@description('APIM SKU when the service is created.')
@allowed(['Developer', 'Basic', 'Standard', 'Premium', 'BasicV2', 'StandardV2', 'PremiumV2'])
param apimSku string = 'BasicV2'

@description('Publisher e-mail APIM requires on creation.')
param publisherEmail string = 'noreply@example.com'

@description('Publisher name APIM requires on creation.')
param publisherName string = 'APIM Costing'

@description('Log Analytics workspace name.')
param workspaceName string

@description('Application Insights name.')
param appInsightsName string

@description('Name of the APIM logger that points to Application Insights.')
param apimLoggerName string

@description('Tags for every resource; the kit adds its own marker tag.')
param tags object = {}

module apimService 'modules/apim-service.bicep' = if (createApim) {
  name: 'apim-costing-apim-service'
  params: {
    apimName: apimName
    location: location
    apimSku: apimSku
    publisherEmail: publisherEmail
    publisherName: publisherName
    tags: tags
  }
}

resource apim 'Microsoft.ApiManagement/service@2024-05-01' existing = {
  name: apimName
}

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-07-01' = {
  name: workspaceName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
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
    // emit-metric dimensions (CallerId, API, Operation) are kept only with custom metrics
    // "With dimensions" (PROTOCOLS 5.1). The service accepts this property; the Bicep type
    // definition does not list it yet, hence the one suppressed type check.
    #disable-next-line BCP037
    CustomMetricsOptedInType: 'WithDimensions'
  }
}

resource logger 'Microsoft.ApiManagement/service/loggers@2024-05-01' = {
  parent: apim
  name: apimLoggerName
  properties: {
    loggerType: 'applicationInsights'
    description: 'apim-costing-kit: Application Insights (custom metrics, requests)'
    resourceId: appInsights.id
    credentials: {
      connectionString: appInsights.properties.ConnectionString
    }
    isBuffered: true
  }
  dependsOn: [apimService]
}

// Resource-specific tables (Dedicated): ApiManagementGatewayLogs and ApiManagementGatewayLlmLog.
// 2021-05-01-preview is the newest diagnosticSettings version; the only one the linter prefers,
// 2016-09-01, is the older non-extension type without logAnalyticsDestinationType.
#disable-next-line use-recent-api-versions
resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'apim-costing-logs'
  scope: apim
  properties: {
    workspaceId: workspace.id
    logAnalyticsDestinationType: 'Dedicated'
    logs: [
      {
        category: 'GatewayLogs'
        enabled: true
      }
      {
        category: 'GatewayLlmLogs'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
  dependsOn: [apimService]
}

output apimName string = apim.name
output gatewayUrl string = apim.properties.gatewayUrl
output workspaceName string = workspace.name
output workspaceResourceId string = workspace.id
output workspaceCustomerId string = workspace.properties.customerId
output appInsightsName string = appInsights.name
output appInsightsResourceId string = appInsights.id
output appInsightsAppId string = appInsights.properties.AppId
output apimLoggerName string = logger.name
output diagnosticSettingName string = diagnostics.name
