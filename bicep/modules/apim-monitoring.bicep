// The APIM logger to Application Insights and the diagnostic setting that sends gateway logs and
// LLM gateway logs to resource-specific tables. A module because the APIM may live in another
// resource group than the monitoring resources (bring-your-own infrastructure, issue 13).

@description('APIM service name (in the resource group this module is deployed to).')
param apimName string

@description('Name of the APIM logger that points to Application Insights.')
param apimLoggerName string

@description('Application Insights: subscription, resource group and name (the kit\'s or the user\'s).')
param appInsightsRef resourceRef

@description('Resource id of the Log Analytics workspace the gateway logs go to.')
param workspaceId string

@description('Name of the diagnostic setting on the APIM service.')
param diagnosticSettingName string = 'apim-costing-logs'

@export()
@description('Where an existing resource lives.')
type resourceRef = {
  @description('Subscription GUID.')
  subscriptionId: string
  @description('Resource group name.')
  resourceGroup: string
  @description('Resource name.')
  name: string
}

resource apim 'Microsoft.ApiManagement/service@2024-05-01' existing = {
  name: apimName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsRef.name
  scope: resourceGroup(appInsightsRef.subscriptionId, appInsightsRef.resourceGroup)
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
}

// Resource-specific tables (Dedicated): ApiManagementGatewayLogs and ApiManagementGatewayLlmLog.
// 2021-05-01-preview is the newest diagnosticSettings version; the only one the linter prefers,
// 2016-09-01, is the older non-extension type without logAnalyticsDestinationType.
#disable-next-line use-recent-api-versions
resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: diagnosticSettingName
  scope: apim
  properties: {
    workspaceId: workspaceId
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
}

output apimLoggerName string = logger.name
output diagnosticSettingName string = diagnostics.name
