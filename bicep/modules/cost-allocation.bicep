// The custom table ApimCostAllocation_CL (columns from schemas/, the one home of the schema), a
// data collection endpoint and a data collection rule that route the Logs Ingestion API stream
// `Custom-ApimCostAllocation_CL` into it, and Monitoring Metrics Publisher on the rule for the
// user who deploys (cell E4 uploads with the user's own sign-in).

@description('Azure region of the endpoint and the rule (the workspace region).')
param location string

@description('Existing Log Analytics workspace in this resource group.')
param workspaceName string

@description('Data collection endpoint name.')
param endpointName string

@description('Data collection rule name.')
param ruleName string

@description('Object id of who uploads the allocation (the deploying user); empty: no role assignment.')
param principalId string = ''

@description('Principal type of principalId.')
@allowed(['User', 'ServicePrincipal', 'Group'])
param principalType string = 'User'

param tags object = {}

var schema = loadJsonContent('../../schemas/ApimCostAllocation_CL.json')
var tableName = schema.table
var streamName = 'Custom-${schema.table}'
// Built-in role: Monitoring Metrics Publisher (the Logs Ingestion API's data action).
var metricsPublisherRoleId = '3913510d-42f4-4e42-8a64-420c390055eb'

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-07-01' existing = {
  name: workspaceName
}

resource table 'Microsoft.OperationalInsights/workspaces/tables@2025-07-01' = {
  parent: workspace
  name: tableName
  properties: {
    plan: 'Analytics'
    schema: {
      name: tableName
      // The tables API spells the date type `dateTime`; the schema file (and the DCR) `datetime`.
      columns: map(schema.columns, c => {
        name: c.name
        type: c.type == 'datetime' ? 'dateTime' : c.type
        description: c.description
      })
    }
  }
}

resource endpoint 'Microsoft.Insights/dataCollectionEndpoints@2024-03-11' = {
  name: endpointName
  location: location
  tags: tags
  properties: {
    networkAcls: {
      publicNetworkAccess: 'Enabled'
    }
  }
}

resource rule 'Microsoft.Insights/dataCollectionRules@2024-03-11' = {
  name: ruleName
  location: location
  tags: tags
  properties: {
    dataCollectionEndpointId: endpoint.id
    streamDeclarations: {
      '${streamName}': {
        columns: map(schema.columns, c => { name: c.name, type: c.type })
      }
    }
    destinations: {
      logAnalytics: [
        {
          name: 'workspace'
          workspaceResourceId: workspace.id
        }
      ]
    }
    dataFlows: [
      {
        streams: [streamName]
        destinations: ['workspace']
        transformKql: 'source'
        outputStream: streamName
      }
    ]
  }
  dependsOn: [table]
}

resource publisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(principalId)) {
  name: guid(rule.id, principalId, metricsPublisherRoleId)
  scope: rule
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', metricsPublisherRoleId)
    principalId: principalId
    principalType: principalType
  }
}

output endpoint string = endpoint.properties.logsIngestion.endpoint
output ruleId string = rule.properties.immutableId
output stream string = streamName
output ruleResourceId string = rule.id
