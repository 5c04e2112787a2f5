import { z } from 'zod';
import { ConfigError, type ConfigProblem } from '../errors.js';

/** APIM SKUs the kit can deploy and price. */
export const APIM_SKUS = [
  'Developer',
  'Basic',
  'Standard',
  'Premium',
  'BasicV2',
  'StandardV2',
  'PremiumV2',
] as const;
export type ApimSku = (typeof APIM_SKUS)[number];

export type TargetKind = 'local' | 'azure';
export type CostExportFrequency = 'Daily' | 'Weekly' | 'Monthly';

/** A business unit: an APIM subscription whose id starts with `bu-`. */
export interface BusinessUnit {
  /** Subscription id/name, e.g. `bu-hr`. */
  name: string;
  /** Display name, e.g. `HR`. */
  displayName: string;
  /** Relative request weight (> 0). */
  weight: number;
}

/** A simulated Entra ID caller (the `appid` claim of its JWT). */
export interface SimulatedCaller {
  /** Application (client) id, a GUID. */
  appId: string;
  name: string;
  weight: number;
}

/** One model deployment of the AI traffic matrix. */
export interface ModelSpec {
  /** Model and deployment name, e.g. `gpt-4o-mini`. */
  name: string;
  /** Model version, e.g. `2024-07-18`. */
  version: string;
  /** Deployment capacity in thousands of tokens per minute. */
  capacityKTpm: number;
  /** Requests per BU before weighting. */
  requestsPerBu: number;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BU_NAME = /^bu-[a-z0-9][a-z0-9-]*$/;

const businessUnit = z.strictObject({
  name: z.string().regex(BU_NAME, {
    message: "must start with 'bu-' followed by lower-case letters, digits or '-'",
  }),
  displayName: z.string().min(1, { message: 'must be a non-empty string' }),
  weight: z.number().positive({ message: 'must be a number greater than 0' }),
});

const caller = z.strictObject({
  appId: z
    .string()
    .regex(GUID, { message: 'must be a GUID like 00000000-0000-0000-0000-000000000000' }),
  name: z.string().min(1, { message: 'must be a non-empty string' }),
  weight: z.number().positive({ message: 'must be a number greater than 0' }),
});

const model = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { message: 'must be a model name like gpt-4o-mini' }),
  version: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date-style version like 2024-07-18' }),
  capacityKTpm: z
    .number()
    .int()
    .positive({ message: 'must be a whole number of K TPM greater than 0' }),
  requestsPerBu: z.number().int().positive({ message: 'must be a whole number greater than 0' }),
});

/** Defaults of SPEC section 4. */
export const DEFAULT_BUSINESS_UNITS: readonly BusinessUnit[] = [
  { name: 'bu-hr', displayName: 'HR', weight: 1.0 },
  { name: 'bu-finance', displayName: 'Finance', weight: 2.5 },
  { name: 'bu-marketing', displayName: 'Marketing', weight: 0.5 },
  { name: 'bu-engineering', displayName: 'Engineering', weight: 3.0 },
  { name: 'bu-sales', displayName: 'Sales', weight: 2.0 },
  { name: 'bu-operations', displayName: 'Operations', weight: 1.5 },
];

export const DEFAULT_CALLERS: readonly SimulatedCaller[] = [
  { appId: '11111111-1111-4111-8111-111111111111', name: 'HR Service', weight: 1.0 },
  { appId: '22222222-2222-4222-8222-222222222222', name: 'Finance Portal', weight: 2.5 },
  { appId: '33333333-3333-4333-8333-333333333333', name: 'Mobile Gateway', weight: 0.5 },
  { appId: '44444444-4444-4444-8444-444444444444', name: 'Engineering Tools', weight: 3.0 },
  { appId: '55555555-5555-4555-8555-555555555555', name: 'Sales CRM', weight: 2.0 },
  { appId: '66666666-6666-4666-8666-666666666666', name: 'Operations Console', weight: 1.5 },
];

export const DEFAULT_MODELS: readonly ModelSpec[] = [
  { name: 'gpt-4o-mini', version: '2024-07-18', capacityKTpm: 10, requestsPerBu: 2 },
  { name: 'gpt-4.1-nano', version: '2025-04-14', capacityKTpm: 10, requestsPerBu: 4 },
  { name: 'gpt-5-mini', version: '2025-08-07', capacityKTpm: 10, requestsPerBu: 6 },
];

const share = z
  .number()
  .min(0, { message: 'must be between 0 and 1' })
  .max(1, { message: 'must be between 0 and 1' });

const schema = z
  .object({
    target: z.enum(['local', 'azure']).default('local'),
    deployment: z
      .strictObject({
        location: z
          .string()
          .regex(/^[a-z0-9]+$/, { message: 'must be an Azure region name like eastus2' })
          .default('eastus2'),
        index: z
          .number()
          .int()
          .min(1, { message: 'must be a whole number of 1 or more' })
          .default(1),
        apimSku: z.enum(APIM_SKUS).default('BasicV2'),
        resourceGroup: z
          .string()
          .regex(/^[-\w._()]{1,90}$/, {
            message: 'must be a resource group name (letters, digits, - _ . ( ), at most 90)',
          })
          .optional(),
        apimName: z
          .string()
          .regex(/^[a-zA-Z][a-zA-Z0-9-]{0,49}$/, {
            message:
              'must be an APIM service name (a letter, then letters, digits or -, at most 50)',
          })
          .optional(),
        apiPrefix: z
          .string()
          .regex(/^[a-z0-9-]*$/, { message: "must be lower-case letters, digits or '-'" })
          .default('costing-'),
        tags: z.record(z.string(), z.string()).default({}),
      })
      .prefault({}),
    features: z
      .strictObject({
        enableEntraIdTracking: z.boolean().default(true),
        enableTokenTracking: z.boolean().default(true),
        enableFoundry: z.boolean().optional(),
        forceStreamIncludeUsage: z.boolean().default(true),
      })
      .prefault({}),
    traffic: z
      .strictObject({
        runRegularRequests: z.boolean().default(true),
        runAiRequests: z.boolean().default(true),
        generateSampleLoad: z.boolean().default(true),
        sampleRequestsPerSubscription: z
          .number()
          .int()
          .positive({ message: 'must be a whole number greater than 0' })
          .default(50),
        concurrency: z
          .number()
          .int()
          .min(1, { message: 'must be a whole number of 1 or more' })
          .max(64, { message: 'must be at most 64' })
          .default(8),
        errorShare: share.default(0.05),
        requestTimeoutMs: z
          .number()
          .int()
          .positive({ message: 'must be a whole number of milliseconds greater than 0' })
          .default(30_000),
        maxRetries: z
          .number()
          .int()
          .min(0, { message: 'must be a whole number of 0 or more' })
          .default(3),
      })
      .prefault({}),
    realJwt: z
      .strictObject({
        useRealJwt: z.boolean().default(false),
        tenantId: z.string().optional(),
        clientId: z.string().optional(),
        clientSecret: z.string().optional(),
        requests: z
          .number()
          .int()
          .positive({ message: 'must be a whole number greater than 0' })
          .default(5),
      })
      .prefault({}),
    governance: z
      .strictObject({
        costExportFrequency: z.enum(['Daily', 'Weekly', 'Monthly']).default('Daily'),
        createBudgetAlerts: z.boolean().default(true),
        alertThreshold: z
          .number()
          .int()
          .positive({ message: 'must be a whole number of requests greater than 0' })
          .default(1000),
        alertEmail: z.string().email({ message: 'must be an email address' }).optional(),
      })
      .prefault({}),
    businessUnits: z
      .array(businessUnit)
      .min(1, { message: 'must list at least one business unit' })
      .default(() => DEFAULT_BUSINESS_UNITS.map((b) => ({ ...b }))),
    callers: z
      .array(caller)
      .min(1, { message: 'must list at least one caller' })
      .default(() => DEFAULT_CALLERS.map((c) => ({ ...c }))),
    models: z
      .array(model)
      .min(1, { message: 'must list at least one model' })
      .default(() => DEFAULT_MODELS.map((m) => ({ ...m }))),
    local: z
      .strictObject({
        dataDir: z.string().min(1, { message: 'must be a folder path' }).optional(),
        ingestionLagMs: z
          .number()
          .int()
          .min(0, { message: 'must be 0 or more milliseconds' })
          .default(0),
        rateLimitPerMinute: z
          .number()
          .int()
          .positive({ message: 'must be a whole number greater than 0' })
          .default(100_000),
      })
      .prefault({}),
    azure: z
      .strictObject({
        subscriptionId: z
          .string()
          .regex(GUID, { message: 'must be a subscription GUID' })
          .optional(),
        tenantId: z.string().regex(GUID, { message: 'must be a tenant GUID' }).optional(),
      })
      .prefault({}),
  })
  .strict();

/** The validated, frozen configuration every cell uses. */
export interface KitConfig {
  readonly target: TargetKind;
  readonly deployment: {
    /** @default 'eastus2' */
    readonly location: string;
    /** @default 1 */
    readonly index: number;
    /** @default 'BasicV2' */
    readonly apimSku: ApimSku;
    /** @default `rg-apim-costing-<index>` */
    readonly resourceGroup: string;
    /** An existing APIM service; when absent the kit creates (azure) or emulates (local) one. */
    readonly apimName: string | undefined;
    /** Whether `apimName` names an APIM the kit did not create (clean-up never deletes it). */
    readonly existingApim: boolean;
    /** @default 'costing-' */
    readonly apiPrefix: string;
    readonly tags: Readonly<Record<string, string>>;
  };
  readonly features: {
    readonly enableEntraIdTracking: boolean;
    readonly enableTokenTracking: boolean;
    /** @default true on azure; on local the Azure OpenAI emulator plays the model. */
    readonly enableFoundry: boolean;
    readonly forceStreamIncludeUsage: boolean;
  };
  readonly traffic: {
    readonly runRegularRequests: boolean;
    readonly runAiRequests: boolean;
    readonly generateSampleLoad: boolean;
    /** @default 50 */
    readonly sampleRequestsPerSubscription: number;
    /** @default 8 */
    readonly concurrency: number;
    /** Share of BU requests that deliberately fail (0..1). @default 0.05 */
    readonly errorShare: number;
    /** @default 30000 */
    readonly requestTimeoutMs: number;
    /** @default 3 */
    readonly maxRetries: number;
  };
  readonly realJwt: {
    readonly useRealJwt: boolean;
    /** From `COSTING_JWT_TENANT_ID` when not set. */
    readonly tenantId: string | undefined;
    /** From `COSTING_JWT_CLIENT_ID` when not set. */
    readonly clientId: string | undefined;
    /** From `COSTING_JWT_CLIENT_SECRET` when not set. Never printed. */
    readonly clientSecret: string | undefined;
    readonly requests: number;
  };
  readonly governance: {
    readonly costExportFrequency: CostExportFrequency;
    readonly createBudgetAlerts: boolean;
    /** Requests per BU per hour. @default 1000 */
    readonly alertThreshold: number;
    readonly alertEmail: string | undefined;
  };
  readonly businessUnits: readonly BusinessUnit[];
  readonly callers: readonly SimulatedCaller[];
  readonly models: readonly ModelSpec[];
  readonly local: {
    /** Folder for the local log store and ledger. From `COSTING_DATA_DIR` when not set. @default '.data' */
    readonly dataDir: string;
    /** Delay before new log rows become visible to queries. @default 0 */
    readonly ingestionLagMs: number;
    /** Per-subscription rate limit of the gateway emulator. @default 100000 */
    readonly rateLimitPerMinute: number;
  };
  readonly azure: {
    readonly subscriptionId: string | undefined;
    readonly tenantId: string | undefined;
  };
}

/**
 * Any string, while editors still suggest the known literals: a wrong value reaches
 * `loadConfig`, which names the field and the allowed values, instead of a type error.
 */
type Loose = string & Record<never, never>;

/** What the configuration cell may pass: every field optional, groups partial. */
export type KitConfigInput = {
  target?: TargetKind | Loose;
  deployment?: Partial<Omit<KitConfig['deployment'], 'existingApim' | 'tags' | 'apimSku'>> & {
    apimSku?: ApimSku | Loose;
    tags?: Record<string, string>;
  };
  features?: Partial<KitConfig['features']>;
  traffic?: Partial<KitConfig['traffic']>;
  realJwt?: Partial<KitConfig['realJwt']>;
  governance?: Partial<Omit<KitConfig['governance'], 'costExportFrequency'>> & {
    costExportFrequency?: CostExportFrequency | Loose;
  };
  businessUnits?: BusinessUnit[];
  callers?: SimulatedCaller[];
  models?: ModelSpec[];
  local?: Partial<KitConfig['local']>;
  azure?: Partial<KitConfig['azure']>;
};

/**
 * Fills defaults, validates and freezes the configuration.
 * @param input - what cell A1 sets; everything else takes the SPEC defaults.
 * @param env - environment for `COSTING_JWT_*` and `AZURE_SUBSCRIPTION_ID` (default `process.env`).
 * @returns the frozen {@link KitConfig}.
 * @throws {@link ConfigError} with one problem per bad field.
 * @example const config = loadConfig({ target: 'local', deployment: { apimSku: 'BasicV2' } });
 */
export function loadConfig(
  input: KitConfigInput = {},
  env: NodeJS.ProcessEnv = process.env,
): KitConfig {
  const parsed = schema.safeParse(input);
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
  if (problems.length > 0) throw new ConfigError(problems);

  const config: KitConfig = {
    target: v.target,
    deployment: {
      ...v.deployment,
      resourceGroup: v.deployment.resourceGroup ?? `rg-apim-costing-${v.deployment.index}`,
      apimName: v.deployment.apimName,
      existingApim: v.deployment.apimName !== undefined,
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
    callers: v.callers,
    models: v.models,
    local: { ...v.local, dataDir: v.local.dataDir ?? nonEmpty(env.COSTING_DATA_DIR) ?? '.data' },
    azure: {
      subscriptionId: v.azure.subscriptionId ?? nonEmpty(env.AZURE_SUBSCRIPTION_ID),
      tenantId: v.azure.tenantId ?? nonEmpty(env.AZURE_TENANT_ID),
    },
  };
  return deepFreeze(config);
}

/** Requests per BU for a base count: max(1, floor(base x weight)) (SPEC section 4). */
export function requestsFor(base: number, weight: number): number {
  return Math.max(1, Math.floor(base * weight));
}

/** Display name of a BU subscription id: the `bu-` prefix stripped (SPEC section 7). */
export function buDisplayName(subscriptionId: string): string {
  return subscriptionId.startsWith('bu-') ? subscriptionId.slice(3) : subscriptionId;
}

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
      expected: 'remove it or check its spelling against SPEC section 4',
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
