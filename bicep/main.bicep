// The costing sample on an existing (or just created, see infra.bicep) APIM service: the four
// APIs with their policies from policies/, the policy fragments, one subscription per business
// unit, API diagnostics, the storage for cost exports, the workbook and, optionally, Azure AI
// Services with the model deployments behind a managed-identity backend.

targetScope = 'resourceGroup'

import { modelSpec } from 'modules/foundry.bicep'
import { resourceRef } from 'modules/apim-monitoring.bicep'

@description('One business unit: its APIM subscription name (bu-...) and display name.')
type businessUnit = {
  @description('Subscription name, logged as ApimSubscriptionId.')
  name: string
  @description('Display name.')
  displayName: string
}

@description('Azure region of the new resources.')
param location string = resourceGroup().location

@description('Existing APIM service in this resource group (main.bicep is deployed to the APIM\'s resource group).')
param apimName string

@description('Resource group of the kit\'s own resources (storage, workbook, Foundry): the APIM\'s, or another one when the APIM is the user\'s (issue 13).')
param kitResourceGroup string = resourceGroup().name

@description('Prefix of every API id and path.')
param apiPrefix string = 'costing-'

@description('Application Insights (made by infra.bicep, or the user\'s): where it lives.')
param appInsightsRef resourceRef

@description('Log Analytics workspace (made by infra.bicep, or the user\'s): where it lives.')
param workspaceRef resourceRef

@description('Existing APIM logger that points to Application Insights (infra.bicep); namespaced per index so a user logger of a common name is never reused.')
param apimLoggerName string

@description('Business units; one APIM subscription each, scoped to all APIs.')
param businessUnits businessUnit[]

@description('Deploy the Entra ID API with the caller-requests metric.')
param enableEntraIdTracking bool = true

@description('Deploy the token-tracking API with the mock AI response.')
param enableTokenTracking bool = true

@description('Deploy Azure AI Services, the model deployments and the AOAI gateway API.')
param enableFoundry bool = false

@description('Model deployments when enableFoundry is true.')
param models modelSpec[] = []

@description('Azure AI Services account name when enableFoundry is true.')
param aiServicesName string = 'ais-${uniqueString(resourceGroup().id)}'

@description('Foundry project under the AI Services account when enableFoundry is true (opens in the Foundry portal with the model deployments).')
param foundryProjectName string = 'proj-apim-costing'

@description('Storage account that receives the Cost Management export.')
@minLength(3)
@maxLength(24)
param storageAccountName string

@description('Workbook resource name: a GUID, stable so that re-publishing updates it in place.')
param workbookId string = guid(resourceGroup().id, 'apim-costing-workbook')

@description('Workbook display name.')
param workbookDisplayName string = 'APIM Costing & Showback'

@description('The workbook as cell F publishes it (workbook.json with its placeholders filled, built by lib/workbook): one serialization for both, so the deployed and published workbooks are identical.')
param workbookData string

@description('Deploy the service-level azuremonitor diagnostic (false when an existing APIM already has its own, which the kit leaves alone).')
param deployServiceDiagnostic bool = true

@description('Tags for every resource the template creates.')
param tags object = {}

// --- Budgets (issue 18): per-BU llm-token-limit values, see modules/budget-limits.bicep ---

@description('Per-BU token limits for the budget-token-limit fragment (lib/config/budget-limits.ts).')
param budgetTokenLimits string = '*,2147483647,1000000000000000,Yearly'

@description('estimate-prompt-tokens of the per-BU llm-token-limit.')
param budgetEstimatePromptTokens bool = false
// --- forceStreamIncludeUsage (issue 13): false leaves out the fragment and every include of it ---

@description('Deploy the ensure-stream-include-usage fragment and include it in the AI APIs (config features.forceStreamIncludeUsage); false leaves both out, as the original sample does.')
param forceStreamIncludeUsage bool = true

@description('Data collection endpoint of the cost allocation table.')
param costAllocationEndpointName string = 'dce-apim-costing'

@description('Data collection rule of the cost allocation table.')
param costAllocationRuleName string = 'dcr-apim-costing-allocation'

@description('Object id of who runs cell E4 (Monitoring Metrics Publisher on the rule); empty: none.')
param costAllocationPrincipalId string = ''

@description('Principal type of costAllocationPrincipalId.')
@allowed(['User', 'ServicePrincipal', 'Group'])
param costAllocationPrincipalType string = 'User'

// The include line as the policy files write it (one line, two tabs in); the local target's policy
// engine leaves out the same element (lib/local/policy-engine.ts).
var streamUsageInclude = '\n\t\t<include-fragment fragment-id="ensure-stream-include-usage" />'
var tokenTrackingPolicyXml = forceStreamIncludeUsage
  ? loadTextContent('../policies/token-tracking-api.xml')
  : replace(loadTextContent('../policies/token-tracking-api.xml'), streamUsageInclude, '')
var aoaiPolicyXml = forceStreamIncludeUsage
  ? loadTextContent('../policies/aoai-gateway-api.xml')
  : replace(loadTextContent('../policies/aoai-gateway-api.xml'), streamUsageInclude, '')

var costingApiId = '${apiPrefix}subscription-api'
var entraApiId = '${apiPrefix}entraid-api'
var tokenTrackingApiId = '${apiPrefix}token-tracking-api'
var aoaiApiId = '${apiPrefix}aoai-gateway-api'
var aoaiBackendId = 'aoai-backend'
// The Entra ID and token-tracking APIs' own API-scoped subscriptions (not `bu-`): C2, C3 and D2
// send with them, as the original sample does, so their traffic is never billed to a BU.
var entraSubscriptionName = 'api-${entraApiId}'
var tokenTrackingSubscriptionName = 'api-${tokenTrackingApiId}'
// Display names are `context.Api.Name`, the API dimension of the caller-requests metric (E2).
var entraApiDisplayName = 'Costing: Entra ID applications'
var tokenTrackingApiDisplayName = 'Costing: AI token tracking (mock)'
var aoaiApiDisplayName = 'Costing: AOAI gateway'
var costExportContainer = 'cost-exports'
// Starts the description of every APIM entity the kit owns but cannot tag (fragments): the
// preflight refuses to overwrite an entity of the same name without it (lib/azure/preflight.ts).
var kitMarker = 'apim-costing-kit:'
// The AI APIs take the subscription key in `api-key`, the header the OpenAI SDKs send.
var aiKeyNames = {
  header: 'api-key'
  query: 'api-key'
}
var llmMessages = {
  messages: 'all'
  maxSizeInBytes: 262144
}

resource apim 'Microsoft.ApiManagement/service@2024-05-01' existing = {
  name: apimName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsRef.name
  scope: resourceGroup(appInsightsRef.subscriptionId, appInsightsRef.resourceGroup)
}

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-07-01' existing = {
  name: workspaceRef.name
  scope: resourceGroup(workspaceRef.subscriptionId, workspaceRef.resourceGroup)
}

resource logger 'Microsoft.ApiManagement/service/loggers@2024-05-01' existing = {
  parent: apim
  name: apimLoggerName
}

// --- Policy fragments (ids are the ones the policies reference with include-fragment) ---
// The policy files are well-formed XML (expressions escape `<` as `&lt;`), hence format 'xml'.

resource extractCallerIdFragment 'Microsoft.ApiManagement/service/policyFragments@2024-05-01' = {
  parent: apim
  name: 'extract-caller-id'
  properties: {
    description: '${kitMarker} sets variable callerId from the JWT appid/azp claim, else the subscription id.'
    format: 'xml'
    value: loadTextContent('../policies/fragments/extract-caller-id.xml')
  }
}

module budgetLimits 'modules/budget-limits.bicep' = if (enableFoundry) {
  name: 'budget-limits'
  params: {
    apimName: apimName
    tokenLimits: budgetTokenLimits
    estimatePromptTokens: budgetEstimatePromptTokens
    kitMarker: kitMarker
  }
}

resource ensureIncludeUsageFragment 'Microsoft.ApiManagement/service/policyFragments@2024-05-01' = if (forceStreamIncludeUsage) {
  parent: apim
  name: 'ensure-stream-include-usage'
  properties: {
    description: '${kitMarker} adds stream_options.include_usage to streaming chat requests that lack it.'
    format: 'xml'
    value: loadTextContent('../policies/fragments/ensure-stream-include-usage.xml')
  }
}

// --- Costing API (subscription keys) ---

resource costingApi 'Microsoft.ApiManagement/service/apis@2024-05-01' = {
  parent: apim
  name: costingApiId
  properties: {
    displayName: 'Costing: subscription-based'
    path: '${apiPrefix}subscription'
    protocols: ['https']
    subscriptionRequired: true
  }
}

resource costingGet 'Microsoft.ApiManagement/service/apis/operations@2024-05-01' = {
  parent: costingApi
  name: 'get-all'
  properties: {
    displayName: 'GET any path'
    method: 'GET'
    urlTemplate: '/*'
  }
}

resource costingPost 'Microsoft.ApiManagement/service/apis/operations@2024-05-01' = {
  parent: costingApi
  name: 'post-all'
  properties: {
    displayName: 'POST any path'
    method: 'POST'
    urlTemplate: '/*'
  }
}

resource costingPolicy 'Microsoft.ApiManagement/service/apis/policies@2024-05-01' = {
  parent: costingApi
  name: 'policy'
  properties: {
    format: 'xml'
    value: loadTextContent('../policies/costing-api.xml')
  }
  dependsOn: [extractCallerIdFragment]
}

// --- Entra ID API (caller-requests metric keyed on the JWT appid) ---

resource entraApi 'Microsoft.ApiManagement/service/apis@2024-05-01' = if (enableEntraIdTracking) {
  parent: apim
  name: entraApiId
  properties: {
    displayName: entraApiDisplayName
    path: '${apiPrefix}entraid'
    protocols: ['https']
    subscriptionRequired: true
  }
}

resource entraGet 'Microsoft.ApiManagement/service/apis/operations@2024-05-01' = if (enableEntraIdTracking) {
  parent: entraApi
  name: 'get-all'
  properties: {
    displayName: 'GET any path'
    method: 'GET'
    urlTemplate: '/*'
  }
}

resource entraPost 'Microsoft.ApiManagement/service/apis/operations@2024-05-01' = if (enableEntraIdTracking) {
  parent: entraApi
  name: 'post-all'
  properties: {
    displayName: 'POST any path'
    method: 'POST'
    urlTemplate: '/*'
  }
}

resource entraPolicy 'Microsoft.ApiManagement/service/apis/policies@2024-05-01' = if (enableEntraIdTracking) {
  parent: entraApi
  name: 'policy'
  properties: {
    format: 'xml'
    value: loadTextContent('../policies/entraid-api.xml')
  }
  dependsOn: [extractCallerIdFragment]
}

// --- Token-tracking API (mock AI response with fixed usage) ---

resource tokenTrackingApi 'Microsoft.ApiManagement/service/apis@2024-05-01' = if (enableTokenTracking) {
  parent: apim
  name: tokenTrackingApiId
  properties: {
    displayName: tokenTrackingApiDisplayName
    path: '${apiPrefix}token-tracking'
    protocols: ['https']
    subscriptionRequired: true
    subscriptionKeyParameterNames: aiKeyNames
  }
}

resource tokenTrackingOperation 'Microsoft.ApiManagement/service/apis/operations@2024-05-01' = if (enableTokenTracking) {
  parent: tokenTrackingApi
  name: 'chat-completions-create'
  properties: {
    displayName: 'Chat completions (mock)'
    method: 'POST'
    urlTemplate: '/deployments/{deploymentId}/chat/completions'
    templateParameters: [
      {
        name: 'deploymentId'
        type: 'string'
        required: true
      }
    ]
  }
}

resource tokenTrackingPolicy 'Microsoft.ApiManagement/service/apis/policies@2024-05-01' = if (enableTokenTracking) {
  parent: tokenTrackingApi
  name: 'policy'
  properties: {
    format: 'xml'
    value: tokenTrackingPolicyXml
  }
  dependsOn: [extractCallerIdFragment, ensureIncludeUsageFragment]
}

resource tokenTrackingOperationPolicy 'Microsoft.ApiManagement/service/apis/operations/policies@2024-05-01' = if (enableTokenTracking) {
  parent: tokenTrackingOperation
  name: 'policy'
  properties: {
    format: 'xml'
    value: loadTextContent('../policies/token-tracking-mock-operation.xml')
  }
}

// --- Azure AI Services and the AOAI gateway API ---

module foundry 'modules/foundry.bicep' = if (enableFoundry) {
  name: 'apim-costing-foundry'
  scope: resourceGroup(kitResourceGroup)
  params: {
    accountName: aiServicesName
    location: location
    models: models
    apimPrincipalId: apim.identity.principalId
    tags: tags
    projectName: foundryProjectName
  }
}

// The token comes from the authentication-managed-identity policy of the AOAI gateway API (the
// backend credentials contract has no managed-identity option in these API versions).
resource aoaiBackend 'Microsoft.ApiManagement/service/backends@2024-05-01' = if (enableFoundry) {
  parent: apim
  name: aoaiBackendId
  properties: {
    description: 'Azure AI Services (Azure OpenAI), called with the APIM managed identity'
    url: '${foundry.?outputs.endpoint ?? ''}openai'
    protocol: 'http'
  }
}

resource aoaiApi 'Microsoft.ApiManagement/service/apis@2024-05-01' = if (enableFoundry) {
  parent: apim
  name: aoaiApiId
  properties: {
    displayName: aoaiApiDisplayName
    path: '${apiPrefix}aoai-gateway'
    protocols: ['https']
    subscriptionRequired: true
    subscriptionKeyParameterNames: aiKeyNames
  }
}

resource aoaiChat 'Microsoft.ApiManagement/service/apis/operations@2024-05-01' = if (enableFoundry) {
  parent: aoaiApi
  name: 'chat-completions-create'
  properties: {
    displayName: 'Chat completions'
    method: 'POST'
    urlTemplate: '/deployments/{deploymentId}/chat/completions'
    templateParameters: [
      {
        name: 'deploymentId'
        type: 'string'
        required: true
      }
    ]
  }
}

resource aoaiResponses 'Microsoft.ApiManagement/service/apis/operations@2024-05-01' = if (enableFoundry) {
  parent: aoaiApi
  name: 'responses-create'
  properties: {
    displayName: 'Responses'
    method: 'POST'
    urlTemplate: '/responses'
  }
}

resource aoaiPolicy 'Microsoft.ApiManagement/service/apis/policies@2024-05-01' = if (enableFoundry) {
  parent: aoaiApi
  name: 'policy'
  properties: {
    format: 'xml'
    value: aoaiPolicyXml
  }
  dependsOn: [aoaiBackend, extractCallerIdFragment, ensureIncludeUsageFragment, budgetLimits]
}

resource aoaiChatPolicy 'Microsoft.ApiManagement/service/apis/operations/policies@2024-05-01' = if (enableFoundry) {
  parent: aoaiChat
  name: 'policy'
  properties: {
    format: 'xml'
    value: loadTextContent('../policies/aoai-chat-completions-operation.xml')
  }
}

resource aoaiResponsesPolicy 'Microsoft.ApiManagement/service/apis/operations/policies@2024-05-01' = if (enableFoundry) {
  parent: aoaiResponses
  name: 'policy'
  properties: {
    format: 'xml'
    value: loadTextContent('../policies/aoai-responses-operation.xml')
  }
}

// --- Business-unit subscriptions (scope: all APIs) ---

resource buSubscriptions 'Microsoft.ApiManagement/service/subscriptions@2024-05-01' = [
  for bu in businessUnits: {
    parent: apim
    name: bu.name
    properties: {
      displayName: bu.displayName
      scope: '/apis'
      state: 'active'
      allowTracing: false
    }
  }
]

// --- API-scoped subscriptions: the Entra ID and token-tracking APIs' own keys ---

resource entraSubscription 'Microsoft.ApiManagement/service/subscriptions@2024-05-01' = if (enableEntraIdTracking) {
  parent: apim
  name: entraSubscriptionName
  properties: {
    displayName: 'Entra ID applications API (its own key, not a business unit)'
    scope: '/apis/${entraApiId}'
    state: 'active'
    allowTracing: false
  }
  dependsOn: [entraApi]
}

resource tokenTrackingSubscription 'Microsoft.ApiManagement/service/subscriptions@2024-05-01' = if (enableTokenTracking) {
  parent: apim
  name: tokenTrackingSubscriptionName
  properties: {
    displayName: 'AI token-tracking API (its own key, not a business unit)'
    scope: '/apis/${tokenTrackingApiId}'
    state: 'active'
    allowTracing: false
  }
  dependsOn: [tokenTrackingApi]
}

// --- Diagnostics ---

// Service-level Azure Monitor diagnostic, as the original sample deploys it: without it, gateway
// resource logs of a new service can lag by tens of minutes (E1 waits at most 20).
resource serviceDiagnostic 'Microsoft.ApiManagement/service/diagnostics@2024-05-01' = if (deployServiceDiagnostic) {
  parent: apim
  name: 'azuremonitor'
  properties: {
    loggerId: '${apim.id}/loggers/azuremonitor'
    logClientIp: true
    sampling: {
      samplingType: 'fixed'
      percentage: 100
    }
    verbosity: 'information'
  }
}

// App Insights: requests plus the emit-metric custom metrics (metrics: true).
var appInsightsDiagnostic = {
  loggerId: logger.id
  alwaysLog: 'allErrors'
  sampling: {
    samplingType: 'fixed'
    percentage: 100
  }
  verbosity: 'information'
  httpCorrelationProtocol: 'W3C'
  logClientIp: true
  metrics: true
}

// Azure Monitor resource logs with LLM message logging (ApiManagementGatewayLlmLog).
var llmDiagnostic = {
  loggerId: '${apim.id}/loggers/azuremonitor'
  sampling: {
    samplingType: 'fixed'
    percentage: 100
  }
  verbosity: 'verbose'
  largeLanguageModel: {
    logs: 'enabled'
    requests: llmMessages
    responses: llmMessages
  }
}

resource costingDiagnostic 'Microsoft.ApiManagement/service/apis/diagnostics@2025-09-01-preview' = {
  parent: costingApi
  name: 'applicationinsights'
  properties: appInsightsDiagnostic
}

resource entraDiagnostic 'Microsoft.ApiManagement/service/apis/diagnostics@2025-09-01-preview' = if (enableEntraIdTracking) {
  parent: entraApi
  name: 'applicationinsights'
  properties: appInsightsDiagnostic
}

resource tokenTrackingDiagnostic 'Microsoft.ApiManagement/service/apis/diagnostics@2025-09-01-preview' = if (enableTokenTracking) {
  parent: tokenTrackingApi
  name: 'applicationinsights'
  properties: appInsightsDiagnostic
}

resource tokenTrackingLlmDiagnostic 'Microsoft.ApiManagement/service/apis/diagnostics@2025-09-01-preview' = if (enableTokenTracking) {
  parent: tokenTrackingApi
  name: 'azuremonitor'
  properties: llmDiagnostic
}

resource aoaiDiagnostic 'Microsoft.ApiManagement/service/apis/diagnostics@2025-09-01-preview' = if (enableFoundry) {
  parent: aoaiApi
  name: 'applicationinsights'
  properties: appInsightsDiagnostic
}

resource aoaiLlmDiagnostic 'Microsoft.ApiManagement/service/apis/diagnostics@2025-09-01-preview' = if (enableFoundry) {
  parent: aoaiApi
  name: 'azuremonitor'
  properties: llmDiagnostic
}

// --- The kit's own resources (storage for the export, workbook) in the kit's resource group ---

module kitResources 'modules/kit-resources.bicep' = {
  name: 'apim-costing-kit-resources'
  scope: resourceGroup(kitResourceGroup)
  params: {
    location: location
    storageAccountName: storageAccountName
    costExportContainer: costExportContainer
    workbookId: workbookId
    workbookDisplayName: workbookDisplayName
    workbookData: workbookData
    workspaceId: workspace.id
    tags: tags
  }
}

// --- Actual cost: the custom table E4 ingests into (Logs Ingestion API), beside the workspace ---

module costAllocation 'modules/cost-allocation.bicep' = {
  name: 'cost-allocation'
  // The table is a child of the workspace, so the module deploys where the workspace lives (the
  // kit's group, or the user's when a workspace is reused).
  scope: resourceGroup(workspaceRef.subscriptionId, workspaceRef.resourceGroup)
  params: {
    location: location
    workspaceName: workspace.name
    endpointName: costAllocationEndpointName
    ruleName: costAllocationRuleName
    principalId: costAllocationPrincipalId
    principalType: costAllocationPrincipalType
    tags: tags
  }
}

// --- Outputs: everything cell A2 exposes (keys come from listSecrets, never from outputs) ---

output gatewayUrl string = apim.properties.gatewayUrl
output apimName string = apim.name
// An existing APIM may have no system-assigned identity (it needs one only for Foundry).
output apimPrincipalId string = apim.?identity.?principalId ?? ''
output apis object = {
  costing: {
    apiId: costingApi.name
    path: costingApi.properties.path
    displayName: costingApi.properties.displayName
  }
  entra: {
    apiId: entraApiId
    path: '${apiPrefix}entraid'
    displayName: entraApiDisplayName
    deployed: enableEntraIdTracking
    subscriptionName: entraSubscriptionName
  }
  tokenTracking: {
    apiId: tokenTrackingApiId
    path: '${apiPrefix}token-tracking'
    displayName: tokenTrackingApiDisplayName
    deployed: enableTokenTracking
    subscriptionName: tokenTrackingSubscriptionName
  }
  aoai: {
    apiId: aoaiApiId
    path: '${apiPrefix}aoai-gateway'
    displayName: aoaiApiDisplayName
    deployed: enableFoundry
  }
}
output subscriptionNames string[] = [for (bu, i) in businessUnits: buSubscriptions[i].name]
output appInsights object = {
  name: appInsights.name
  appId: appInsights.properties.AppId
  resourceId: appInsights.id
}
output logAnalytics object = {
  name: workspace.name
  workspaceId: workspace.properties.customerId
  resourceId: workspace.id
}
output storage object = kitResources.outputs.storage
output aoai object = {
  deployed: enableFoundry
  accountName: enableFoundry ? aiServicesName : ''
  endpoint: foundry.?outputs.endpoint ?? ''
  backendId: aoaiBackendId
  deploymentNames: foundry.?outputs.deploymentNames ?? []
  // The Foundry project (issue 13): cell F links it in the Foundry and Azure portals.
  accountId: foundry.?outputs.accountId ?? ''
  projectName: foundry.?outputs.projectName ?? ''
  projectId: foundry.?outputs.projectId ?? ''
  projectEndpoint: foundry.?outputs.projectEndpoint ?? ''
}
// Where cell E4 sends ApimCostAllocation_CL rows (the Logs Ingestion API).
output costAllocation object = {
  endpoint: costAllocation.outputs.endpoint
  ruleId: costAllocation.outputs.ruleId
  stream: costAllocation.outputs.stream
  ruleResourceId: costAllocation.outputs.ruleResourceId
}
output workbook object = kitResources.outputs.workbook
