/**
 * ARM answers for cell E5 on the fake transport: the `budget-token-limits` named value
 * (GET, and PUT as the long-running create-or-update, answered 200 with the contract) and each
 * BU subscription (GET with its `state`, PATCH with `If-Match`), kept in memory so what is
 * written reads back, shaped as the API Management REST reference (2024-05-01) documents them.
 */
import { formatTokenLimits, tokenLimitEntries } from '../../lib/config/budget-limits.js';
import type { KitConfig } from '../../lib/config/types.js';
import type { FakeAzure } from './fake-azure.js';

/** The named value and subscription states the routes hold. */
export interface BudgetArmState {
  namedValue: string;
  states: Map<string, string>;
}

/** Installs the routes; returns the state they read and write. */
export function installBudgetRoutes(fake: FakeAzure, config: KitConfig): BudgetArmState {
  const state: BudgetArmState = {
    namedValue: formatTokenLimits(tokenLimitEntries(config)),
    states: new Map(config.businessUnits.map((b) => [b.name, 'active'])),
  };
  const nv =
    /\/providers\/Microsoft\.ApiManagement\/service\/([^/]+)\/namedValues\/budget-token-limits$/i;
  const contract = (path: string) => ({
    id: path,
    type: 'Microsoft.ApiManagement/service/namedValues',
    name: 'budget-token-limits',
    properties: {
      displayName: 'budget-token-limits',
      value: state.namedValue,
      secret: false,
      tags: ['apim-costing'],
      provisioningState: 'Succeeded',
    },
  });
  fake.on('GET', nv, (r) => ({ status: 200, body: contract(r.path), headers: { etag: '"1"' } }));
  fake.on('PUT', nv, (r) => {
    const body = r.body as { properties?: { value?: string } };
    state.namedValue = body.properties?.value ?? state.namedValue;
    return { status: 200, body: contract(r.path), headers: { etag: '"2"' } };
  });
  const sub =
    /\/providers\/Microsoft\.ApiManagement\/service\/([^/]+)\/subscriptions\/(bu-[^/]+)$/i;
  const subContract = (path: string, id: string) => ({
    id: path,
    type: 'Microsoft.ApiManagement/service/subscriptions',
    name: id,
    properties: { displayName: id, scope: '/apis', state: state.states.get(id) ?? 'active' },
  });
  fake.on('GET', sub, (r) => {
    const id = sub.exec(r.path)?.[2] ?? '';
    if (!state.states.has(id))
      return {
        status: 404,
        body: { error: { code: 'ResourceNotFound', message: `Subscription ${id} not found.` } },
      };
    return { status: 200, body: subContract(r.path, id), headers: { etag: '"1"' } };
  });
  fake.on('PATCH', sub, (r) => {
    const id = sub.exec(r.path)?.[2] ?? '';
    if (r.headers['if-match'] === undefined)
      return {
        status: 412,
        body: { error: { code: 'PreconditionFailed', message: 'If-Match is required.' } },
      };
    const body = r.body as { properties?: { state?: string } };
    if (body.properties?.state) state.states.set(id, body.properties.state);
    return { status: 200, body: subContract(r.path, id) };
  });
  return state;
}
