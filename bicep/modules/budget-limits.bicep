// Per-BU token limits (issue 18): the named values the budget-token-limit fragment reads and the
// fragment itself. llm-token-limit is keyed on the subscription; the per-BU values are entries of
// one named value, so the enforcement plan (cell E5) lowers a quota by rewriting one value.

@description('Existing APIM service.')
param apimName string

@description('Per-BU limits: "<subscription>,<tokens per minute>,<token quota>,<quota period>" entries joined by ";", with a "*" entry for any other subscription (lib/config/budget-limits.ts writes it).')
@maxLength(4096)
param tokenLimits string

@description('estimate-prompt-tokens of llm-token-limit.')
param estimatePromptTokens bool

@description('Marker that starts the description of entities the kit owns but cannot tag.')
param kitMarker string

resource apim 'Microsoft.ApiManagement/service@2024-05-01' existing = {
  name: apimName
}

resource tokenLimitsValue 'Microsoft.ApiManagement/service/namedValues@2024-05-01' = {
  parent: apim
  name: 'budget-token-limits'
  properties: {
    displayName: 'budget-token-limits'
    value: tokenLimits
    secret: false
    tags: ['apim-costing']
  }
}

resource estimateValue 'Microsoft.ApiManagement/service/namedValues@2024-05-01' = {
  parent: apim
  name: 'budget-estimate-prompt-tokens'
  properties: {
    displayName: 'budget-estimate-prompt-tokens'
    value: estimatePromptTokens ? 'true' : 'false'
    secret: false
    tags: ['apim-costing']
  }
}

resource budgetFragment 'Microsoft.ApiManagement/service/policyFragments@2024-05-01' = {
  parent: apim
  name: 'budget-token-limit'
  properties: {
    description: '${kitMarker} llm-token-limit per BU subscription from the budget-token-limits named value.'
    format: 'xml'
    value: loadTextContent('../../policies/fragments/budget-token-limit.xml')
  }
  dependsOn: [tokenLimitsValue, estimateValue]
}

@description('The fragment id the AOAI gateway policy includes.')
output fragmentId string = budgetFragment.name
