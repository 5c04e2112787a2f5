/**
 * A subscription with bring-your-own infrastructure for the fake transport (issue 13, item 10):
 * the user's APIM in its own resource group, the user's Log Analytics workspace and Application
 * Insights in another, none tagged by the kit; and, after cell A2, everything the kit's two
 * templates created (taken from their `bicep snapshot`), so clean-up reads and deletes by id
 * across the resource groups. Kept apart from arm-simulator.ts, which answers the deployments.
 */
import type { KitConfig } from '../../lib/config/types.js';
import { azureResourceNames, KIT_TAG } from '../../lib/azure/resource-names.js';
import { FakeAzure, armError, type FakeResponse } from './fake-azure.js';
import { APP_ID, SUB, WORKSPACE_CUSTOMER_ID, apimServiceBody } from './arm-simulator.js';
import type { Snapshot } from './snapshots.js';

/** One resource of the simulated subscription. */
export interface WorldResource {
  tags?: Record<string, string>;
  properties?: Record<string, unknown>;
}

/** Every resource by id (ids compared case-insensitively, as ARM does). */
export class World {
  private readonly byId = new Map<string, { id: string; r: WorldResource }>();
  put(id: string, r: WorldResource = {}): void {
    this.byId.set(id.toLowerCase(), { id, r });
  }
  get(id: string): { id: string; r: WorldResource } | undefined {
    return this.byId.get(id.toLowerCase());
  }
  delete(id: string): boolean {
    return this.byId.delete(id.toLowerCase());
  }
  has(id: string): boolean {
    return this.byId.has(id.toLowerCase());
  }
  /** Top-level resources of one resource group (what `listByResourceGroup` returns). */
  inGroup(rg: string): string[] {
    const prefix = `/subscriptions/${SUB}/resourcegroups/${rg.toLowerCase()}/providers/`;
    return [...this.byId.values()]
      .map((e) => e.id)
      .filter((id) => id.toLowerCase().startsWith(prefix) && id.split('/').length === 9)
      .filter((id) => !id.includes('/Microsoft.Resources/'));
  }
}

/**
 * The user's APIM, workspace and App Insights (as the preflight and clean-up read them), and
 * generic GET/DELETE by id over `world` for every resource group of the subscription.
 */
export function installByoWorld(fake: FakeAzure, config: KitConfig, world: World): void {
  const names = azureResourceNames(config, SUB);
  const apimId = `/subscriptions/${SUB}/resourceGroups/${names.apimResourceGroup}/providers/Microsoft.ApiManagement/service/${names.apimName}`;
  world.put(apimId, { tags: { owner: 'platform-team' } });
  // Made by an earlier kit run and now reused: its kit tag must not get it deleted.
  world.put(names.workspace.id, {
    tags: { owner: 'platform-team', [KIT_TAG]: String(config.deployment.index) },
    properties: { customerId: WORKSPACE_CUSTOMER_ID },
  });
  world.put(names.appInsights.id, {
    tags: { owner: 'platform-team' },
    properties: { AppId: APP_ID, CustomMetricsOptedInType: 'WithDimensions' },
  });
  // Deployments and their operations stay with arm-simulator.ts until A2 is done (addDeployed).
  const anyResource = new RegExp(
    `^/subscriptions/${SUB}/resourceGroups/[^/]+/providers/(?!Microsoft\\.Resources/deployments/).+`,
    'i',
  );
  fake.on('GET', anyResource, worldGet(world));
  fake.on('DELETE', /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/.+/i, (r) =>
    world.delete(r.path)
      ? { status: 200 }
      : armError(404, 'ResourceNotFound', `The Resource '${r.path}' was not found.`),
  );
  // The user's APIM as the SDK reads it (after the generic route: later routes win).
  fake.on('GET', new RegExp(`^${apimId}$`, 'i'), {
    status: 200,
    body: apimServiceBody(apimId, config.deployment.apimSku),
  });
  fake.on(
    'GET',
    new RegExp(
      `^/subscriptions/${SUB}/resourceGroups/${config.deployment.resourceGroup}/resources$`,
      'i',
    ),
    () => ({
      status: 200,
      body: {
        value: world.inGroup(config.deployment.resourceGroup).map((id) => ({
          id,
          name: id.split('/').pop(),
          type: id.split('/').slice(6, 8).join('/'),
        })),
      },
    }),
  );
  fake.on(
    'DELETE',
    new RegExp(`^/subscriptions/${SUB}/resourcegroups/${config.deployment.resourceGroup}$`, 'i'),
    { status: 200 },
  );
  fake.on(
    'GET',
    /\/providers\/Microsoft\.CostManagement\/exports\/[^/]+$/,
    armError(404, 'NotFound', 'Export not found.'),
  );
}

/** GET by id from `world`, as ARM answers a resource read. */
function worldGet(world: World): (r: { path: string }) => FakeResponse {
  return (r) => {
    const found = world.get(r.path);
    if (found === undefined)
      return armError(404, 'ResourceNotFound', `The Resource '${r.path}' was not found.`);
    return {
      status: 200,
      body: {
        id: found.id,
        name: found.id.split('/').pop(),
        ...(found.r.tags !== undefined ? { tags: found.r.tags } : {}),
        properties: found.r.properties ?? {},
      },
    };
  };
}

/**
 * What the kit's deployments created, into `world`: the predicted resources of their snapshots
 * (kit tags and fragment/logger descriptions as deployed) and the two deployment records; then
 * every read by id is answered from `world`.
 */
export function addDeployed(
  fake: FakeAzure,
  world: World,
  config: KitConfig,
  snapshots: readonly Snapshot[],
  records: readonly { id: string; parameters: Record<string, unknown> }[],
): void {
  const kitTag = { [KIT_TAG]: String(config.deployment.index) };
  for (const s of snapshots)
    for (const r of s.predictedResources) {
      // Extension resources keep an unevaluated id (role assignments); clean-up never reads them.
      if (r.id.startsWith('[')) continue;
      const tags = r.tags as Record<string, string> | undefined;
      world.put(r.id, {
        ...(tags !== undefined ? { tags } : {}),
        ...(r.properties !== undefined ? { properties: r.properties } : {}),
      });
    }
  for (const d of records)
    world.put(d.id, {
      tags: kitTag,
      properties: {
        parameters: Object.fromEntries(
          Object.entries(d.parameters).map(([k, value]) => [k, { value }]),
        ),
      },
    });
  // From now on every read by id is the world's, deployment records and APIM entities included.
  fake.on(
    'GET',
    new RegExp(`^/subscriptions/${SUB}/resourceGroups/[^/]+/providers/.+`, 'i'),
    worldGet(world),
  );
}
