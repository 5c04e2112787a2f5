/**
 * Every raw ARM call the kit makes (no SDK model: the export PUT, everything sent through
 * `armJson`) is checked against the published REST definition of its api-version, as encoded
 * in rest-definitions.ts: method, path, api-version, required fields and enum values of the
 * body. A value Azure would reject (the export's old `compressionMode: 'none'`) fails here.
 */
import { describe, expect, it } from 'vitest';
import { deployedTarget, installExportCreation } from './arm-simulator.js';
import { REST_OPERATIONS, restOperationOf, validateBody } from './rest-definitions.js';

describe('raw ARM bodies against the REST definitions', () => {
  it('cells A2, B2 and B3 send only raw calls the definitions describe, with valid bodies', async () => {
    const { fake, target } = await deployedTarget(
      { governance: { costExportFrequency: 'Monthly' } },
      { roleRetry: { attempts: 1, delayMs: 1 } },
    );
    installExportCreation(fake);
    fake.on('POST', /\/exports\/apim-costing-export-1\/run$/, { status: 200 });
    await target.createCostExport();
    await target.runCostExport();

    const exercised = new Set<string>();
    for (const request of fake.requests) {
      const sameRoute = REST_OPERATIONS.find(
        (op) => op.method === request.method && op.path.test(request.path),
      );
      if (sameRoute === undefined) continue;
      const operation = restOperationOf(request);
      expect(
        operation,
        `${request.method} ${request.path} uses api-version ${request.apiVersion ?? '-'}`,
      ).toBeDefined();
      exercised.add(operation!.source);
      if (operation!.body !== undefined)
        expect(validateBody(request.body, operation!.body), operation!.source).toEqual([]);
    }
    // The raw calls of these cells: the export PUT, its run history, the models and soft-deleted
    // AI Services lists of the preflight, the subscription check.
    expect([...exercised].map((s) => /\(([^,)]+)/.exec(s)?.[1]).sort()).toEqual([
      'DeletedAccounts_List',
      'DeletedServices_ListBySubscription',
      'Exports_CreateOrUpdate',
      'Exports_GetExecutionHistory',
      'Models_List',
      'Providers_Get',
      'Subscriptions_Get',
    ]);
  });

  it('the checker rejects what the definitions reject', () => {
    const exportPut = REST_OPERATIONS.find((op) => op.source.includes('Exports_CreateOrUpdate'))!;
    expect(
      validateBody(
        {
          identity: { type: 'SystemAssigned' },
          properties: {
            format: 'Json',
            definition: { type: 'ActualCost' },
            deliveryInfo: { destination: {} },
            schedule: { recurrence: 'Hourly', recurrencePeriod: {} },
          },
        },
        exportPut.body!,
      ),
    ).toEqual([
      "properties.format: 'Json' is not one of Csv, Parquet, Delta",
      'properties.deliveryInfo.destination.container: required',
      'properties.definition.timeframe: required',
      "properties.schedule.recurrence: 'Hourly' is not one of Daily, Weekly, Monthly, Annually",
      'properties.schedule.recurrencePeriod.from: required',
    ]);
  });
});
