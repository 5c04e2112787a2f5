/**
 * What the kit's raw ARM calls (the ones without an SDK model: the export PUT and everything sent
 * through `armJson`) must satisfy, written down from the published REST API definitions
 * (repository Azure/azure-rest-api-specs, path named per entry). Only required fields and enum
 * values are encoded: they are what Azure rejects before anything runs. The checker is ours;
 * the facts are the definitions', and each entry names the file and the definition it came from.
 */

/** A tiny schema: the parts of an OpenAPI definition the checks need. */
export interface BodySchema {
  /** Allowed values of a string (OpenAPI `enum`, compared exactly, as `modelAsString` does not relax case). */
  enum?: readonly string[];
  /** Properties that must be present. */
  required?: readonly string[];
  properties?: Readonly<Record<string, BodySchema>>;
  /** Schema of each element of an array. */
  items?: BodySchema;
  type?: 'string' | 'boolean' | 'object' | 'array' | 'number';
}

/** One REST operation the kit calls without an SDK model. */
export interface RestOperation {
  /** Where the facts come from. */
  source: string;
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** Path of the request, as the fake transport records it (decoded). */
  path: RegExp;
  apiVersion: string;
  /** The request body's definition, when the operation has one. */
  body?: BodySchema;
  /** The definition of the answer the kit reads (the fakes must answer in this shape). */
  response?: BodySchema;
}

const COST_EXPORTS =
  'specification/cost-management/resource-manager/Microsoft.CostManagement/stable/2025-03-01/costmanagement.exports.json';
const APIM_DELETED =
  'specification/apimanagement/resource-manager/Microsoft.ApiManagement/stable/2024-05-01/apimdeletedservices.json';
const COGNITIVE =
  'specification/cognitiveservices/resource-manager/Microsoft.CognitiveServices/stable/2025-06-01/cognitiveservices.json';
const RESOURCES =
  'specification/resources/resource-manager/Microsoft.Resources/stable/2025-04-01/resources.json';
const SUBSCRIPTIONS =
  'specification/resources/resource-manager/Microsoft.Resources/stable/2022-12-01/subscriptions.json';

/** `CommonExportProperties` + `ExportProperties` of the 2025-03-01 exports definition. */
const exportProperties: BodySchema = {
  type: 'object',
  required: ['deliveryInfo', 'definition'],
  properties: {
    format: { type: 'string', enum: ['Csv', 'Parquet', 'Delta'] },
    partitionData: { type: 'boolean' },
    dataOverwriteBehavior: {
      type: 'string',
      enum: ['OverwritePreviousReport', 'CreateNewReport'],
    },
    compressionMode: { type: 'string', enum: ['gzip', 'snappy', 'None'] },
    exportDescription: { type: 'string' },
    deliveryInfo: {
      type: 'object',
      required: ['destination'],
      properties: {
        destination: {
          type: 'object',
          required: ['container'],
          properties: {
            type: { type: 'string', enum: ['AzureBlob'] },
            resourceId: { type: 'string' },
            container: { type: 'string' },
            rootFolderPath: { type: 'string' },
          },
        },
      },
    },
    definition: {
      type: 'object',
      required: ['type', 'timeframe'],
      properties: {
        type: {
          type: 'string',
          enum: [
            'Usage',
            'ActualCost',
            'AmortizedCost',
            'FocusCost',
            'PriceSheet',
            'ReservationTransactions',
            'ReservationRecommendations',
            'ReservationDetails',
          ],
        },
        timeframe: {
          type: 'string',
          enum: [
            'MonthToDate',
            'BillingMonthToDate',
            'TheLastMonth',
            'TheLastBillingMonth',
            'WeekToDate',
            'Custom',
            'TheCurrentMonth',
          ],
        },
        dataSet: {
          type: 'object',
          properties: {
            granularity: { type: 'string', enum: ['Daily', 'Monthly'] },
            configuration: { type: 'object', properties: { dataVersion: { type: 'string' } } },
          },
        },
      },
    },
    schedule: {
      type: 'object',
      properties: {
        status: { type: 'string', enum: ['Active', 'Inactive'] },
        recurrence: { type: 'string', enum: ['Daily', 'Weekly', 'Monthly', 'Annually'] },
        recurrencePeriod: {
          type: 'object',
          required: ['from'],
          properties: { from: { type: 'string' }, to: { type: 'string' } },
        },
      },
    },
  },
};

/** `ExportRunProperties.status` (ExecutionStatus) of the same definition. */
export const EXPORT_RUN_STATUSES = [
  'Queued',
  'InProgress',
  'Completed',
  'Failed',
  'Timeout',
  'NewDataNotAvailable',
  'DataNotAvailable',
] as const;

/** Every raw call the kit makes, with the definition it must satisfy. */
export const REST_OPERATIONS: readonly RestOperation[] = [
  {
    source: `${COST_EXPORTS} (Exports_CreateOrUpdate, definition Export)`,
    method: 'PUT',
    path: /^\/subscriptions\/[^/]+\/providers\/Microsoft\.CostManagement\/exports\/[^/]+$/i,
    apiVersion: '2025-03-01',
    body: {
      type: 'object',
      required: ['properties'],
      properties: {
        identity: {
          type: 'object',
          required: ['type'],
          properties: {
            type: {
              type: 'string',
              enum: ['None', 'SystemAssigned', 'UserAssigned', 'SystemAssigned, UserAssigned'],
            },
          },
        },
        location: { type: 'string' },
        properties: exportProperties,
      },
    },
  },
  {
    source: `${COST_EXPORTS} (Exports_GetExecutionHistory, definition ExportExecutionListResult)`,
    method: 'GET',
    path: /^\/subscriptions\/[^/]+\/providers\/Microsoft\.CostManagement\/exports\/[^/]+\/runHistory$/i,
    apiVersion: '2025-03-01',
    response: {
      type: 'object',
      properties: {
        value: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              properties: {
                type: 'object',
                properties: {
                  executionType: { type: 'string', enum: ['OnDemand', 'Scheduled'] },
                  status: { type: 'string', enum: EXPORT_RUN_STATUSES },
                },
              },
            },
          },
        },
      },
    },
  },
  {
    // Sent by @azure/arm-resources (modelled), listed for the shape of the fakes' answers.
    source: `${RESOURCES} (Providers_Get, definition Provider)`,
    method: 'GET',
    path: /^\/subscriptions\/[^/]+\/providers\/Microsoft\.CostManagementExports$/i,
    apiVersion: '2025-04-01',
    response: {
      type: 'object',
      required: ['registrationState'],
      properties: { registrationState: { type: 'string' } },
    },
  },
  {
    source: `${APIM_DELETED} (DeletedServices_ListBySubscription, definition DeletedServicesCollection)`,
    method: 'GET',
    path: /^\/subscriptions\/[^/]+\/providers\/Microsoft\.ApiManagement\/deletedservices$/i,
    apiVersion: '2024-05-01',
    response: {
      type: 'object',
      required: ['value'],
      properties: {
        value: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              name: { type: 'string' },
              location: { type: 'string' },
              properties: {
                type: 'object',
                properties: {
                  serviceId: { type: 'string' },
                  scheduledPurgeDate: { type: 'string' },
                  deletionDate: { type: 'string' },
                },
              },
            },
          },
        },
      },
    },
  },
  {
    source: `${COGNITIVE} (DeletedAccounts_List, definition AccountListResult)`,
    method: 'GET',
    path: /^\/subscriptions\/[^/]+\/providers\/Microsoft\.CognitiveServices\/deletedAccounts$/i,
    apiVersion: '2025-06-01',
    response: {
      type: 'object',
      properties: {
        value: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              id: { type: 'string' },
              name: { type: 'string' },
              location: { type: 'string' },
              properties: {
                type: 'object',
                properties: {
                  deletionDate: { type: 'string' },
                  scheduledPurgeDate: { type: 'string' },
                },
              },
            },
          },
        },
      },
    },
  },
  {
    source: `${COGNITIVE} (DeletedAccounts_Purge)`,
    method: 'DELETE',
    path: /^\/subscriptions\/[^/]+\/providers\/Microsoft\.CognitiveServices\/locations\/[^/]+\/resourceGroups\/[^/]+\/deletedAccounts\/[^/]+$/i,
    apiVersion: '2025-06-01',
  },
  // Deployed by bicep/modules/foundry.bicep (not a raw call): test/azure/foundry.test.ts checks
  // the resources `bicep snapshot` predicts against these two, api-version included.
  {
    source: `${COGNITIVE} (Accounts_Create, definition Account)`,
    method: 'PUT',
    path: /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.CognitiveServices\/accounts\/[^/]+$/i,
    apiVersion: '2025-06-01',
    body: {
      type: 'object',
      properties: {
        kind: { type: 'string' },
        identity: {
          type: 'object',
          properties: {
            type: {
              type: 'string',
              enum: ['None', 'SystemAssigned', 'UserAssigned', 'SystemAssigned, UserAssigned'],
            },
          },
        },
        properties: {
          type: 'object',
          properties: {
            customSubDomainName: { type: 'string' },
            allowProjectManagement: { type: 'boolean' },
            disableLocalAuth: { type: 'boolean' },
            publicNetworkAccess: { type: 'string', enum: ['Enabled', 'Disabled'] },
          },
        },
      },
    },
  },
  {
    source: `${COGNITIVE} (Projects_Create, definition Project)`,
    method: 'PUT',
    path: /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.CognitiveServices\/accounts\/[^/]+\/projects\/[^/]+$/i,
    apiVersion: '2025-06-01',
    body: {
      type: 'object',
      properties: {
        location: { type: 'string' },
        identity: {
          type: 'object',
          properties: {
            type: {
              type: 'string',
              enum: ['None', 'SystemAssigned', 'UserAssigned', 'SystemAssigned, UserAssigned'],
            },
          },
        },
        properties: {
          type: 'object',
          properties: { displayName: { type: 'string' }, description: { type: 'string' } },
        },
      },
    },
  },
  {
    source: `${COGNITIVE} (Models_List, definition ModelListResult)`,
    method: 'GET',
    path: /^\/subscriptions\/[^/]+\/providers\/Microsoft\.CognitiveServices\/locations\/[^/]+\/models$/i,
    apiVersion: '2025-06-01',
    response: {
      type: 'object',
      properties: {
        value: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              kind: { type: 'string' },
              model: {
                type: 'object',
                properties: {
                  format: { type: 'string' },
                  name: { type: 'string' },
                  version: { type: 'string' },
                  lifecycleStatus: {
                    type: 'string',
                    enum: ['Stable', 'Preview', 'GenerallyAvailable', 'Deprecating', 'Deprecated'],
                  },
                  skus: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: { name: { type: 'string' }, deprecationDate: { type: 'string' } },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
  {
    source: `${SUBSCRIPTIONS} (Subscriptions_Get, definition Subscription)`,
    method: 'GET',
    path: /^\/subscriptions\/[^/]+$/i,
    apiVersion: '2022-12-01',
    response: {
      type: 'object',
      properties: {
        subscriptionId: { type: 'string' },
        tenantId: { type: 'string' },
        state: {
          type: 'string',
          enum: ['Enabled', 'Warned', 'PastDue', 'Disabled', 'Deleted'],
        },
      },
    },
  },
];

/**
 * Problems of a value against a schema: missing required fields, values outside an enum, wrong
 * primitive types. An empty list means the value satisfies what the definition requires.
 * @example validateBody(body, REST_OPERATIONS[0].body!) // [] or ["properties.compressionMode: 'none' is not one of gzip, snappy, None"]
 */
export function validateBody(value: unknown, schema: BodySchema, at = ''): string[] {
  const where = at === '' ? '(body)' : at;
  const problems: string[] = [];
  if (value === undefined || value === null) return [`${where}: missing`];
  if (schema.type === 'string' && typeof value !== 'string')
    return [`${where}: expected a string, got ${JSON.stringify(value)}`];
  if (schema.type === 'boolean' && typeof value !== 'boolean')
    return [`${where}: expected a boolean, got ${JSON.stringify(value)}`];
  if (schema.enum !== undefined && !schema.enum.includes(String(value)))
    problems.push(`${where}: '${String(value)}' is not one of ${schema.enum.join(', ')}`);
  if (schema.type === 'array') {
    if (!Array.isArray(value)) return [`${where}: expected an array`];
    if (schema.items !== undefined)
      value.forEach((v, i) => problems.push(...validateBody(v, schema.items!, `${where}[${i}]`)));
  }
  if (schema.type === 'object') {
    if (typeof value !== 'object' || Array.isArray(value)) return [`${where}: expected an object`];
    const record = value as Record<string, unknown>;
    for (const name of schema.required ?? [])
      if (record[name] === undefined)
        problems.push(`${at === '' ? '' : `${at}.`}${name}: required`);
    for (const [name, sub] of Object.entries(schema.properties ?? {}))
      if (record[name] !== undefined)
        problems.push(...validateBody(record[name], sub, at === '' ? name : `${at}.${name}`));
  }
  return problems;
}

/** The definition a recorded request falls under, if the kit sends it raw. */
export function restOperationOf(request: {
  method: string;
  path: string;
  apiVersion: string | null;
}): RestOperation | undefined {
  return REST_OPERATIONS.find(
    (op) =>
      op.method === request.method &&
      op.path.test(request.path) &&
      (request.apiVersion === null || op.apiVersion === request.apiVersion),
  );
}
