/**
 * Cell A1: `loadConfig` fills the defaults, validates every field (a bad one is named with what
 * it accepts) and returns the frozen {@link KitConfig}.
 */
import { inspect } from 'node:util';
import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from '../errors.js';
import { DEFAULT_BUDGETS } from './defaults.js';
import { dataDirProblem } from './data-dir.js';
import { byoProblems, normalizeGatewayUrl } from './byo.js';
import { configSchema } from './schema.js';
import { MOCK_AI_REQUESTS_PER_CALLER, plannedTotalProblems } from './bounds.js';
import type { BuBudget, KitConfig, KitConfigInput } from './types.js';

/** What `loadConfig` checks beyond the schema. */
export interface LoadConfigOptions {
  /** Model names with a known price (undated, any case); when given, every `models[i].name` must be one. */
  readonly pricedModels?: readonly string[];
}

/**
 * Fills defaults, validates and freezes the configuration.
 * @param input - what cell A1 sets; everything else takes the defaults (`defaults.ts`, `schema.ts`).
 * @param env - environment for `COSTING_JWT_*` and `AZURE_SUBSCRIPTION_ID` (default `process.env`).
 * @param options - `pricedModels`: the model names with a price (the kit's `loadConfig` passes
 *   the pricing table's, so an unknown model fails in A1 rather than in B1).
 * @returns the frozen {@link KitConfig}.
 * @throws {@link ConfigError} with one problem per bad field.
 * @example const config = loadConfig({ target: 'local', deployment: { apimSku: 'BasicV2' } });
 */
export function loadConfig(
  input: KitConfigInput = {},
  env: NodeJS.ProcessEnv = process.env,
  options: LoadConfigOptions = {},
): KitConfig {
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => toProblem(issue, input)));
  }
  const v = parsed.data;
  const problems: ConfigProblem[] = [];
  checkUnique(
    problems,
    'businessUnits',
    v.businessUnits.map((b) => b.name),
  );
  checkUnique(
    problems,
    'callers',
    v.callers.map((c) => c.appId.toLowerCase()),
  );
  checkUnique(
    problems,
    'models',
    v.models.map((m) => m.name),
  );
  // The default budgets apply to the default BUs that are configured; a list of one's own replaces them.
  const budgetsByBu =
    v.budgets.businessUnits ??
    Object.fromEntries(
      Object.entries(DEFAULT_BUDGETS)
        .filter(([bu]) => v.businessUnits.some((b) => b.name === bu))
        .map(([bu, b]) => [bu, { ...b }]),
    );
  checkBudgets(
    problems,
    budgetsByBu,
    v.businessUnits.map((b) => b.name),
  );
  if (options.pricedModels) checkPriced(problems, v.models, options.pricedModels);
  problems.push(
    ...plannedTotalProblems({
      sampleRequestsPerSubscription: v.traffic.sampleRequestsPerSubscription,
      businessUnits: v.businessUnits,
      callers: v.callers,
      models: v.models,
      mockAiRequestsPerCaller: MOCK_AI_REQUESTS_PER_CALLER,
    }),
  );
  problems.push(...byoProblems(v.deployment));
  const dataDir = v.local.dataDir ?? nonEmpty(env.COSTING_DATA_DIR) ?? '.data';
  const refused = dataDirProblem(dataDir);
  if (refused) problems.push(refused);
  if (problems.length > 0) throw new ConfigError(problems);

  const config: KitConfig = {
    target: v.target,
    deployment: {
      ...v.deployment,
      resourceGroup: v.deployment.resourceGroup ?? `rg-apim-costing-${v.deployment.index}`,
      apimName: v.deployment.apimName,
      existingApim: v.deployment.apimName !== undefined,
      apimResourceGroup: v.deployment.apimResourceGroup,
      logAnalyticsWorkspaceId: v.deployment.logAnalyticsWorkspaceId,
      appInsightsId: v.deployment.appInsightsId,
      gatewayUrl:
        v.deployment.gatewayUrl === undefined
          ? undefined
          : normalizeGatewayUrl(v.deployment.gatewayUrl),
    },
    features: { ...v.features, enableFoundry: v.features.enableFoundry ?? v.target === 'azure' },
    traffic: v.traffic,
    realJwt: {
      ...v.realJwt,
      tenantId: v.realJwt.tenantId ?? nonEmpty(env.COSTING_JWT_TENANT_ID),
      clientId: v.realJwt.clientId ?? nonEmpty(env.COSTING_JWT_CLIENT_ID),
      clientSecret: v.realJwt.clientSecret ?? nonEmpty(env.COSTING_JWT_CLIENT_SECRET),
    },
    governance: { ...v.governance, alertEmail: v.governance.alertEmail },
    businessUnits: v.businessUnits,
    budgets: { ...v.budgets, businessUnits: budgetsByBu },
    callers: v.callers,
    models: v.models,
    local: { ...v.local, dataDir },
    azure: {
      subscriptionId: v.azure.subscriptionId ?? nonEmpty(env.AZURE_SUBSCRIPTION_ID),
      tenantId: v.azure.tenantId ?? nonEmpty(env.AZURE_TENANT_ID),
    },
  };
  hideWhenInspected(config.realJwt, 'clientSecret');
  return deepFreeze(config);
}

/**
 * A cell that ends with `config` (or `config.realJwt`) shows it through `util.inspect`: the
 * secret is shown hidden there (the object itself keeps it; JSON and code still read it).
 */
function hideWhenInspected<T extends object>(value: T, secret: keyof T & string): void {
  Object.defineProperty(value, inspect.custom, {
    enumerable: false,
    value(this: T): Record<string, unknown> {
      const shown: Record<string, unknown> = { ...(this as Record<string, unknown>) };
      if (typeof shown[secret] === 'string' && shown[secret] !== '')
        shown[secret] = `${'•'.repeat(8)} (hidden)`;
      return shown;
    },
  });
}

// One home for max(1, floor(base x weight)): the cells and the bound check use the same function.
export { requestsFor } from './bounds.js';

// --- Internal helpers ---

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function checkUnique(problems: ConfigProblem[], field: string, values: string[]): void {
  const seen = new Set<string>();
  values.forEach((value, i) => {
    if (seen.has(value)) {
      problems.push({
        field: `${field}[${i}]`,
        received: JSON.stringify(value),
        expected: 'must be unique in the list',
      });
    }
    seen.add(value);
  });
}

/** Every model has a price: B1 and the workbook price tokens by model name. */
function checkPriced(
  problems: ConfigProblem[],
  models: readonly { name: string }[],
  priced: readonly string[],
): void {
  const known = new Set(priced.map((m) => m.toLowerCase()));
  models.forEach((m, i) => {
    const undated = m.name.replace(/-\d{4}-\d{2}-\d{2}$/, '').toLowerCase();
    if (!known.has(undated))
      problems.push({
        field: `models[${i}].name`,
        received: JSON.stringify(m.name),
        expected: `must be a model with a price in lib/pricing: ${priced.join(', ')} (pick one, or add its price there)`,
      });
  });
}

/** A budget names a configured BU; a quota comes with its period and a period with its quota. */
function checkBudgets(
  problems: ConfigProblem[],
  budgets: Record<string, BuBudget>,
  buNames: string[],
): void {
  for (const [bu, b] of Object.entries(budgets)) {
    const field = `budgets.businessUnits.${bu}`;
    if (!buNames.includes(bu))
      problems.push({
        field,
        received: JSON.stringify(bu),
        expected: `must be one of businessUnits: ${buNames.join(', ')}`,
      });
    if (b.tokenQuota !== undefined && b.tokenQuotaPeriod === undefined)
      problems.push({
        field: `${field}.tokenQuotaPeriod`,
        received: 'nothing',
        expected: 'a tokenQuota needs its period: Hourly, Daily, Weekly, Monthly or Yearly',
      });
    if (b.tokenQuotaPeriod !== undefined && b.tokenQuota === undefined)
      problems.push({
        field: `${field}.tokenQuota`,
        received: 'nothing',
        expected: 'a tokenQuotaPeriod needs a tokenQuota (whole tokens greater than 0)',
      });
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null)
    return String(value);
  return `${Array.isArray(value) ? 'an array' : typeof value} ${JSON.stringify(value).slice(0, 60)}`;
}

function toProblem(issue: z.core.$ZodIssue, input: unknown): ConfigProblem {
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.join(', ');
    return {
      field: formatPath([...issue.path, issue.keys[0] ?? '']),
      received: `unknown field(s) ${keys}`,
      expected:
        'remove it or check its spelling against the fields cell A1 lists (lib/config/types.ts)',
    };
  }
  const received = describeValue(valueAt(input, issue.path));
  let expected = issue.message;
  if (issue.code === 'invalid_value') {
    expected = `allowed: ${issue.values.map((v) => String(v)).join(', ')}`;
  } else if (issue.code === 'invalid_type') {
    expected = `must be a ${issue.expected}`;
  }
  return { field: formatPath(issue.path), received, expected };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value as Record<string, unknown>)) deepFreeze(inner);
  }
  return value;
}
