// The kit's own resources outside the APIM: the storage account the Cost Management export writes
// to and the workbook. A module because main.bicep is deployed to the APIM's resource group,
// which may not be the kit's (bring-your-own infrastructure, issue 13).

@description('Azure region of the new resources.')
param location string

@description('Storage account that receives the Cost Management export.')
@minLength(3)
@maxLength(24)
param storageAccountName string

@description('Blob container of the export.')
param costExportContainer string

@description('Workbook resource name: a GUID, stable so that re-publishing updates it in place.')
param workbookId string

@description('Workbook display name.')
param workbookDisplayName string

@description('The workbook as cell F publishes it (built by lib/workbook).')
param workbookData string

@description('Resource id of the Log Analytics workspace the workbook queries.')
param workspaceId string

@description('Tags for every resource the module creates.')
param tags object

// --- Storage for the Cost Management export ---

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: storageAccountName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    // The export writes with its managed identity (Storage Blob Data Contributor); no keys.
    allowSharedKeyAccess: false
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    supportsHttpsTrafficOnly: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-06-01' = {
  parent: storage
  name: 'default'
}

resource exportContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' = {
  parent: blobService
  name: costExportContainer
  properties: {
    publicAccess: 'None'
  }
}

// --- Workbook (built by the kit: the same serialization cell F publishes) ---

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: workbookId
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: workbookDisplayName
    serializedData: workbookData
    sourceId: workspaceId
    category: 'workbook'
    version: 'Notebook/1.0'
  }
}

output storage object = {
  accountName: storage.name
  container: exportContainer.name
  resourceId: storage.id
}
output workbook object = {
  name: workbook.name
  resourceId: workbook.id
}
