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

/** The quota periods `llm-token-limit` accepts (`token-quota-period`, APIM policy reference). */
export const TOKEN_QUOTA_PERIODS = ['Hourly', 'Daily', 'Weekly', 'Monthly', 'Yearly'] as const;
export type TokenQuotaPeriod = (typeof TOKEN_QUOTA_PERIODS)[number];

/** One BU's limits and budget (cell A1 `budgets.businessUnits`); every field optional. */
export interface BuBudget {
  /** `llm-token-limit` rate: prompt + completion tokens per minute (429 past it). */
  tokensPerMinute?: number;
  /** `llm-token-limit` quota: tokens per `tokenQuotaPeriod` (403 past it). */
  tokenQuota?: number;
  /** The quota's fixed window, truncated to the UTC unit. Required with `tokenQuota`. */
  tokenQuotaPeriod?: TokenQuotaPeriod;
  /** Monthly budget in USD that E5 projects the BU's month-end cost against. */
  monthlyBudgetUsd?: number;
}
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
    /**
     * Resource group of the existing APIM (`apimName`), when not `resourceGroup`: the kit's own
     * resources stay in `resourceGroup`. @default resourceGroup
     */
    readonly apimResourceGroup: string | undefined;
    /** Resource id of an existing Log Analytics workspace to reuse (never deleted); else the kit makes one. */
    readonly logAnalyticsWorkspaceId: string | undefined;
    /** Resource id of an existing Application Insights to reuse (never deleted); else the kit makes one. */
    readonly appInsightsId: string | undefined;
    /**
     * Public gateway URL of an APIM behind Front Door or Application Gateway (https, no trailing
     * slash): the traffic cells send to it; everything else stays on ARM. @default APIM's gatewayUrl
     */
    readonly gatewayUrl: string | undefined;
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
    /** Requests of cell C3. @default 10, as the original sample */
    readonly requests: number;
  };
  readonly governance: {
    readonly costExportFrequency: CostExportFrequency;
    readonly createBudgetAlerts: boolean;
    /** Requests per BU in the alert's rolling hour (evaluated every 5 minutes). @default 1000 */
    readonly alertThreshold: number;
    readonly alertEmail: string | undefined;
  };
  readonly businessUnits: readonly BusinessUnit[];
  /** Per-BU token limits (`llm-token-limit` on the AOAI gateway API) and monthly budgets (E5). */
  readonly budgets: {
    /** Limits and budgets by BU subscription name (`bu-hr`); a BU not listed has none. */
    readonly businessUnits: Readonly<Record<string, Readonly<BuBudget>>>;
    /** `estimate-prompt-tokens` of the policy. @default false */
    readonly estimatePromptTokens: boolean;
  };
  readonly callers: readonly SimulatedCaller[];
  readonly models: readonly ModelSpec[];
  readonly local: {
    /** Folder for the local log store and ledger. From `COSTING_DATA_DIR` when not set. @default '.data' */
    readonly dataDir: string;
    /** Delay before new log rows become visible to queries. @default 0 */
    readonly ingestionLagMs: number;
    /** Per-subscription rate limit of the gateway emulator. @default 100000 */
    readonly rateLimitPerMinute: number;
    /**
     * The emulated Cost Management's negotiated discount off list price (0..0.9), so the
     * exported actual cost differs from the list-price estimates. @default 0.12
     */
    readonly costDiscount: number;
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
export type Loose = string & Record<never, never>;

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
  budgets?: {
    businessUnits?: Record<
      string,
      Omit<BuBudget, 'tokenQuotaPeriod'> & { tokenQuotaPeriod?: TokenQuotaPeriod | Loose }
    >;
    estimatePromptTokens?: boolean;
  };
  callers?: SimulatedCaller[];
  models?: ModelSpec[];
  local?: Partial<KitConfig['local']>;
  azure?: Partial<KitConfig['azure']>;
};
