// The Cost Management export in Bicep, for those who prefer it to cell B2: a month-to-date
// actual-cost CSV export to the cost-exports container with a system-assigned identity, and
// Storage Blob Data Contributor for that identity on the storage account.

targetScope = 'subscription'

@description('Export name.')
param exportName string = 'apim-costing-export'

@description('Resource group of the storage account (main.bicep).')
param resourceGroupName string

@description('Storage account that receives the export (main.bicep).')
param storageAccountName string

@description('Blob container of the export.')
param container string = 'cost-exports'

@description('Folder inside the container.')
param rootFolderPath string = 'apim-costing'

@description('How often the export runs.')
@allowed(['Daily', 'Weekly', 'Monthly'])
param recurrence string = 'Daily'

@description('First scheduled run (ISO 8601); the default is tomorrow, as the service rejects past dates.')
param recurrenceFrom string = dateTimeAdd(utcNow(), 'P1D')

@description('Last scheduled run (ISO 8601).')
param recurrenceTo string = dateTimeAdd(utcNow(), 'P1Y')

resource costExport 'Microsoft.CostManagement/exports@2025-03-01' = {
  name: exportName
  location: 'global'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    definition: {
      type: 'ActualCost'
      timeframe: 'MonthToDate'
      dataSet: {
        granularity: 'Daily'
        configuration: {
          dataVersion: '2023-05-01'
        }
      }
    }
    deliveryInfo: {
      destination: {
        type: 'AzureBlob'
        resourceId: resourceId(subscription().subscriptionId, resourceGroupName, 'Microsoft.Storage/storageAccounts', storageAccountName)
        container: container
        rootFolderPath: rootFolderPath
      }
    }
    schedule: {
      status: 'Active'
      recurrence: recurrence
      recurrencePeriod: {
        from: recurrenceFrom
        to: recurrenceTo
      }
    }
    format: 'Csv'
    partitionData: true
    dataOverwriteBehavior: 'OverwritePreviousReport'
    compressionMode: 'None'
  }
}

module blobContributor 'modules/storage-blob-contributor.bicep' = {
  name: 'apim-costing-export-blob-contributor'
  scope: resourceGroup(resourceGroupName)
  params: {
    storageAccountName: storageAccountName
    principalId: costExport.identity.principalId
  }
}

output exportId string = costExport.id
output principalId string = costExport.identity.principalId
output roleAssignmentId string = blobContributor.outputs.roleAssignmentId
