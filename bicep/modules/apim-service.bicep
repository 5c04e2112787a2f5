// The APIM service itself, only when the kit creates it (infra.bicep, createApim = true).

@description('APIM service name.')
param apimName string

@description('Azure region.')
param location string

@description('APIM SKU name, e.g. BasicV2.')
@allowed(['Developer', 'Basic', 'Standard', 'Premium', 'BasicV2', 'StandardV2', 'PremiumV2'])
param apimSku string

@description('Publisher e-mail APIM requires on creation.')
param publisherEmail string

@description('Publisher name APIM requires on creation.')
param publisherName string

@description('Tags for every resource.')
param tags object

resource apim 'Microsoft.ApiManagement/service@2024-05-01' = {
  name: apimName
  location: location
  tags: tags
  sku: {
    name: apimSku
    capacity: 1
  }
  // The system-assigned identity calls the model backend (Cognitive Services OpenAI User).
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    publisherEmail: publisherEmail
    publisherName: publisherName
  }
}

output apimName string = apim.name
output principalId string = apim.identity.principalId
