/**
 * The compiled form of the kit's APIM policies, as the gateway emulator runs them: the steps of
 * each section, the values policy expressions compile to, and how header steps apply.
 */

/** What a policy expression can see in the emulator. */
export interface PolicyContext {
  requestId: string;
  apiId: string;
  apiName: string;
  operationId: string;
  operationName: string;
  /** Subscription id (name) of the key used, if any. */
  subscriptionId: string | undefined;
  variables: Map<string, string>;
  /** APIM named values by name, for `{{name}}` in policy text. @default none */
  namedValues?: ReadonlyMap<string, string>;
}

/** A compiled policy value: a literal or one of the known expressions. */
export type PolicyValue = (ctx: PolicyContext) => string;

/** One record of `ApiManagementGatewayLogs.TraceRecords`, as a `trace` policy writes it. */
export interface TraceTemplate {
  source: string;
  severity: string;
  message: string;
  metadata: Record<string, string>;
}

export interface HeaderStep {
  kind: 'set-header' | 'set-query-parameter';
  name: string;
  existsAction: 'override' | 'skip' | 'append' | 'delete';
  values: PolicyValue[];
}

/** A `return-response` answer as compiled: literal status, reason, headers and body. */
export interface ReturnResponseStep {
  kind: 'return-response';
  status: number;
  reason: string;
  headers: HeaderStep[];
  body: string;
}

export type PolicyStep =
  | HeaderStep
  | {
      kind: 'caller-id';
      variable: string;
      claims: string[];
      fallbackToSubscription: boolean;
      fallback: string;
    }
  | { kind: 'set-variable'; name: string; value: PolicyValue }
  | {
      kind: 'emit-metric';
      name: string;
      namespace: string;
      value: number;
      dimensions: { name: string; value: PolicyValue }[];
    }
  | { kind: 'trace'; record: TraceTemplate }
  | { kind: 'ensure-include-usage'; trace: TraceTemplate | undefined }
  /** The costing API's `<choose>`: a request of `method` whose non-blank body is not JSON gets `answer`. */
  | { kind: 'reject-invalid-json'; method: string; answer: ReturnResponseStep }
  | ReturnResponseStep
  /** The budget fragment's lookup: the `;`-separated entry of a named value for the subscription. */
  | { kind: 'named-value-entry'; variable: string; namedValue: string }
  | TokenLimitStep
  | { kind: 'set-backend'; backendId: string }
  | { kind: 'managed-identity'; resource: string };

/** `llm-token-limit` as compiled: attribute values (expressions allowed where the reference allows them) and header names. */
export interface TokenLimitStep {
  kind: 'llm-token-limit';
  counterKey: PolicyValue;
  tokensPerMinute: PolicyValue | undefined;
  tokenQuota: PolicyValue | undefined;
  tokenQuotaPeriod: PolicyValue | undefined;
  estimatePromptTokens: PolicyValue;
  retryAfterHeader: string;
  remainingQuotaTokensHeader: string | undefined;
  remainingTokensHeader: string | undefined;
  tokensConsumedHeader: string | undefined;
}

/** Replaces `{{name}}` with the named value (APIM substitutes them before the policy runs). */
export function substituteNamedValues(text: string, ctx: PolicyContext): string {
  return text.replace(/\{\{([^{}]+)\}\}/g, (_, name: string) => ctx.namedValues?.get(name) ?? '');
}

/** The effective policy of one operation: API scope merged into operation scope at `<base />`. */
export interface CompiledPolicy {
  inbound: PolicyStep[];
  outbound: PolicyStep[];
  onError: PolicyStep[];
  /** Whether the backend section forwards the request. */
  forwards: boolean;
}

/**
 * Evaluates header steps onto a header map (lower-case names), as APIM's `exists-action` says.
 */
export function applyHeaderSteps(
  headers: Record<string, string>,
  steps: readonly PolicyStep[],
  ctx: PolicyContext,
): void {
  for (const step of steps) {
    if (step.kind !== 'set-header') continue;
    applyHeader(headers, step, ctx);
  }
}

/** Applies one `set-header`/`set-query-parameter` step to a lower-case keyed map. */
export function applyHeader(
  map: Record<string, string>,
  step: HeaderStep,
  ctx: PolicyContext,
): void {
  const key = step.kind === 'set-header' ? step.name.toLowerCase() : step.name;
  const exists = map[key] !== undefined;
  if (step.existsAction === 'delete') {
    delete map[key];
    return;
  }
  if (step.existsAction === 'skip' && exists) return;
  const value = step.values.map((v) => v(ctx)).join(',');
  map[key] = step.existsAction === 'append' && exists ? `${map[key]},${value}` : value;
}
