// Optional base infrastructure: APIM (when the subscription has none yet), Log Analytics,
// workspace-based Application Insights, the APIM logger to App Insights and the diagnostic
// setting that sends gateway logs and LLM gateway logs to resource-specific tables.
// With createApim = false it attaches the same monitoring to an existing APIM service (in any
// resource group), and with createWorkspace / createAppInsights = false to the user's own.

targetScope = 'resourceGroup'

import { resourceRef } from 'modules/apim-monitoring.bicep'

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

@description('Resource group of the APIM service (an existing APIM may live outside this one).')
param apimResourceGroup string = resourceGroup().name

@description('Log Analytics workspace: the one to create here, or the user\'s existing one (createWorkspace false).')
param workspaceRef resourceRef

@description('Create the Log Analytics workspace (false: reuse workspaceRef).')
param createWorkspace bool = true

@description('Application Insights: the one to create here, or the user\'s existing one (createAppInsights false).')
param appInsightsRef resourceRef

@description('Create Application Insights (false: reuse appInsightsRef).')
param createAppInsights bool = true

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
  scope: resourceGroup(apimResourceGroup)
}

// Reused when the user names them (deployment.logAnalyticsWorkspaceId, deployment.appInsightsId):
// then the kit deploys neither, and reads them where they are.
resource newWorkspace 'Microsoft.OperationalInsights/workspaces@2025-07-01' = if (createWorkspace) {
  name: workspaceRef.name
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
  }
}

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-07-01' existing = {
  name: workspaceRef.name
  scope: resourceGroup(workspaceRef.subscriptionId, workspaceRef.resourceGroup)
}

resource newAppInsights 'Microsoft.Insights/components@2020-02-02' = if (createAppInsights) {
  name: appInsightsRef.name
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
  dependsOn: [newWorkspace]
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsRef.name
  scope: resourceGroup(appInsightsRef.subscriptionId, appInsightsRef.resourceGroup)
}

// The logger and diagnostic setting live on the APIM, in the APIM's resource group.
module apimMonitoring 'modules/apim-monitoring.bicep' = {
  name: 'apim-costing-apim-monitoring'
  scope: resourceGroup(apimResourceGroup)
  params: {
    apimName: apimName
    apimLoggerName: apimLoggerName
    appInsightsRef: appInsightsRef
    workspaceId: workspace.id
  }
  dependsOn: [apimService, newWorkspace, newAppInsights]
}

output apimName string = apim.name
output gatewayUrl string = apim.properties.gatewayUrl
output workspaceName string = workspace.name
output workspaceResourceId string = workspace.id
output workspaceCustomerId string = workspace.properties.customerId
output appInsightsName string = appInsights.name
output appInsightsResourceId string = appInsights.id
output appInsightsAppId string = appInsights.properties.AppId
output apimLoggerName string = apimMonitoring.outputs.apimLoggerName
output diagnosticSettingName string = apimMonitoring.outputs.diagnosticSettingName
