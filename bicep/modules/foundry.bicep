// Azure AI Services with the model deployments, and the Cognitive Services OpenAI User role
// for the APIM managed identity, so the gateway can call the models without keys.
//
// The Foundry environment (issue 13): a Foundry project under the AI Services account
// (accounts/projects, allowProjectManagement: true), not the original's hub + project. Microsoft
// now builds new work on the Foundry resource and its projects (learn.microsoft.com/azure/foundry
// -classic: "For net-new implementations, use Microsoft Foundry (new)"; hub-based projects are
// the classic portal's only). The project needs no storage account, key vault or connection of
// its own, and the new Foundry portal shows the account's model deployments in it directly.

@description('Azure AI Services account name (also its custom subdomain).')
param accountName string

@description('Azure region.')
param location string

@description('Model deployments: name, version and capacity in K tokens per minute.')
param models modelSpec[]

@description('Principal id of the APIM system-assigned identity.')
param apimPrincipalId string

@description('Tags for every resource.')
param tags object

@description('Foundry project name (under the account).')
param projectName string

@description('Foundry project display name, as the Foundry portal lists it.')
param projectDisplayName string = 'APIM Costing & Showback'

@export()
@description('One model deployment.')
type modelSpec = {
  @description('Model and deployment name, e.g. gpt-4o-mini.')
  name: string
  @description('Model version, e.g. 2024-07-18.')
  version: string
  @description('Capacity in thousands of tokens per minute.')
  capacityKTpm: int
}

// Built-in role: Cognitive Services OpenAI User.
var openAiUserRoleId = '5e0bd9bd-7b93-4f28-af87-19fc36ad61bd'

resource account 'Microsoft.CognitiveServices/accounts@2025-06-01' = {
  name: accountName
  location: location
  tags: tags
  kind: 'AIServices'
  sku: {
    name: 'S0'
  }
  // A project needs the account's managed identity and project management turned on.
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    allowProjectManagement: true
    customSubDomainName: accountName
    publicNetworkAccess: 'Enabled'
    // Only Entra ID (the APIM identity) may call the models.
    disableLocalAuth: true
  }
}

// Serial: the service rejects parallel deployment changes on one account.
@batchSize(1)
resource deployments 'Microsoft.CognitiveServices/accounts/deployments@2025-06-01' = [
  for model in models: {
    parent: account
    name: model.name
    sku: {
      name: 'GlobalStandard'
      capacity: model.capacityKTpm
    }
    properties: {
      model: {
        format: 'OpenAI'
        name: model.name
        version: model.version
      }
    }
  }
]

resource apimOpenAiUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, apimPrincipalId, openAiUserRoleId)
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', openAiUserRoleId)
    principalId: apimPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource project 'Microsoft.CognitiveServices/accounts/projects@2025-06-01' = {
  parent: account
  name: projectName
  location: location
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    displayName: projectDisplayName
    description: 'Model deployments behind the APIM AOAI gateway API of the APIM costing kit.'
  }
}

output accountName string = account.name
output accountId string = account.id
output projectName string = project.name
output projectId string = project.id
// The project's Foundry API endpoint (https://<account>.services.ai.azure.com/api/projects/<name>).
output projectEndpoint string = project.properties.endpoints['AI Foundry API']
output endpoint string = account.properties.endpoint
output deploymentNames string[] = [for (model, i) in models: deployments[i].name]
