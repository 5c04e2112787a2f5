/**
 * The committed `bicep snapshot` results (bicep/snapshots/) for tests: the configuration
 * matrix, the predicted resources, and the template outputs with the few values only Azure
 * knows at run time (gateway URL, principal ids, workspace customer id, AppId, endpoint)
 * filled in by a small evaluator of the ARM expressions the snapshot leaves unresolved.
 */
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { artifactPath } from '../../lib/artifacts/read-artifact.js';
import { infraParameters, mainParameters } from '../../lib/azure/azure-deploy.js';
import { defaultPlan, type DeploymentPlan } from '../../lib/azure/preflight.js';
import { azureResourceNames } from '../../lib/azure/resource-names.js';
import { loadConfig } from '../../lib/config/load-config.js';
import type { KitConfig, KitConfigInput } from '../../lib/config/types.js';

/** One configuration of bicep/snapshots/matrix.json. */
export interface MatrixEntry {
  name: string;
  templates: ('infra' | 'main')[];
  config: KitConfigInput;
  /** What the preflight would decide instead of the default plan. */
  plan?: Partial<DeploymentPlan>;
}

interface Matrix {
  subscriptionId: string;
  tenantId: string;
  configurations: MatrixEntry[];
  costExport: { name: string; parameters: Record<string, unknown> };
}

/** A resource `bicep snapshot` predicts. */
export interface PredictedResource {
  id: string;
  type: string;
  name: string;
  apiVersion: string;
  location?: string;
  properties?: Record<string, unknown>;
  identity?: Record<string, unknown>;
  [key: string]: unknown;
}

/** A snapshot file: predicted resources and outputs (some still ARM expressions). */
export interface Snapshot {
  predictedResources: PredictedResource[];
  diagnostics: unknown[];
  outputs: Record<string, unknown>;
}

export const MATRIX = JSON.parse(
  readFileSync(artifactPath('bicep', 'snapshots', 'matrix.json'), 'utf8'),
) as Matrix;

/** The kit configuration of a matrix entry, as the snapshot script builds it. */
export function matrixConfig(entry: MatrixEntry): KitConfig {
  return loadConfig(
    {
      ...entry.config,
      target: 'azure',
      azure: { subscriptionId: MATRIX.subscriptionId, tenantId: MATRIX.tenantId },
    },
    {},
  );
}

/** A committed snapshot, by file base name (`default.main`, `cost-export`). */
export function loadSnapshot(base: string): Snapshot {
  return JSON.parse(
    readFileSync(artifactPath('bicep', 'snapshots', `${base}.snapshot.json`), 'utf8'),
  ) as Snapshot;
}

/**
 * The snapshot of the matrix entry whose parameters are exactly `sent` (a deployment PUT),
 * or a clear error saying how to add the configuration.
 */
export function snapshotFor(template: 'infra' | 'main', sent: Record<string, unknown>): Snapshot {
  for (const entry of MATRIX.configurations) {
    if (!entry.templates.includes(template)) continue;
    const config = matrixConfig(entry);
    const names = azureResourceNames(config, MATRIX.subscriptionId);
    const plan = { ...defaultPlan(config), ...entry.plan };
    const params =
      template === 'infra'
        ? infraParameters(config, names, plan)
        : mainParameters(config, names, plan);
    const values = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v.value]));
    if (isDeepStrictEqual(values, sent)) return loadSnapshot(`${entry.name}.${template}`);
  }
  throw new Error(
    `No ${template} snapshot was made for these parameters: add the configuration to bicep/snapshots/matrix.json and run npm run build:bicep (parameters sent: ${Object.keys(sent).join(', ')}).`,
  );
}

/** What only a real deployment knows, per resource type (`reference()` of a resource id). */
export interface RuntimeValues {
  apimPrincipalId: string;
  workspaceCustomerId: string;
  appInsightsAppId: string;
  exportPrincipalId?: string;
  /** `properties.logsIngestion.endpoint` of the data collection endpoint. */
  logsIngestionEndpoint?: string;
  /** `properties.immutableId` of the data collection rule. */
  dataCollectionRuleImmutableId?: string;
}

/** The outputs of a snapshot with every ARM expression evaluated against `runtime`. */
export function evaluatedOutputs(
  snapshot: Snapshot,
  runtime: RuntimeValues,
): Record<string, { type: string; value: unknown }> {
  const evaluate = (value: unknown): unknown => {
    if (typeof value === 'string' && value.startsWith('[') && !value.startsWith('[['))
      return new ArmExpression(value.slice(1, -1), runtime).evaluate();
    if (Array.isArray(value)) return value.map(evaluate);
    if (value !== null && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, evaluate(v)]));
    return value;
  };
  return Object.fromEntries(
    Object.entries(snapshot.outputs).map(([name, value]) => {
      const v = evaluate(value);
      const type = Array.isArray(v)
        ? 'Array'
        : typeof v === 'object' && v !== null
          ? 'Object'
          : typeof v === 'boolean'
            ? 'Bool'
            : 'String';
      return [name, { type, value: v }];
    }),
  );
}

/**
 * Evaluates the subset of ARM template functions `bicep snapshot` leaves in outputs: string
 * literals, `reference(id, apiVersion[, 'full'])` with property access, `createObject`,
 * `createArray`, `coalesce`, `tryGet`, `true()`, `false()`, `null()`. Anything else throws.
 */
class ArmExpression {
  #pos = 0;
  constructor(
    readonly text: string,
    readonly runtime: RuntimeValues,
  ) {}

  evaluate(): unknown {
    const value = this.#expression();
    this.#space();
    if (this.#pos !== this.text.length) this.#fail('trailing text');
    return value;
  }

  #expression(): unknown {
    this.#space();
    let value: unknown;
    if (this.text[this.#pos] === "'") value = this.#string();
    else if (/[0-9-]/.test(this.text[this.#pos] ?? '')) value = this.#number();
    else value = this.#call();
    for (;;) {
      if (this.text[this.#pos] === '.') {
        this.#pos += 1;
        const name = this.#identifier();
        value =
          value === null || value === undefined
            ? undefined
            : (value as Record<string, unknown>)[name];
      } else if (this.text[this.#pos] === '[') {
        this.#pos += 1;
        const key = this.#expression();
        this.#expect(']');
        value = (value as Record<string, unknown>)[String(key)];
      } else return value;
    }
  }

  #call(): unknown {
    const name = this.#identifier();
    this.#expect('(');
    const args: unknown[] = [];
    this.#space();
    while (this.text[this.#pos] !== ')') {
      args.push(this.#expression());
      this.#space();
      if (this.text[this.#pos] === ',') this.#pos += 1;
      this.#space();
    }
    this.#pos += 1;
    switch (name) {
      case 'true':
        return true;
      case 'false':
        return false;
      case 'null':
        return null;
      case 'createObject': {
        const out: Record<string, unknown> = {};
        for (let i = 0; i + 1 < args.length; i += 2) out[String(args[i])] = args[i + 1];
        return out;
      }
      case 'createArray':
        return args;
      case 'coalesce':
        return args.find((a) => a !== null && a !== undefined) ?? null;
      case 'tryGet':
        return args[0] === null || args[0] === undefined
          ? null
          : ((args[0] as Record<string, unknown>)[String(args[1])] ?? null);
      case 'reference':
        return this.#reference(String(args[0]), args[2] === 'full');
      default:
        return this.#fail(`function ${name}() is not evaluated here`);
    }
  }

  /** `reference()` of a resource id: the runtime state a real deployment would read. */
  #reference(id: string, full: boolean): unknown {
    const name = id.split('/').pop() ?? '';
    // `Namespace/type/name[/childType/childName]`: the type is the namespace and every type segment.
    const segments = (/\/providers\/(.+)$/.exec(id)?.[1] ?? '').split('/');
    const type = [segments[0], ...segments.slice(1).filter((_, i) => i % 2 === 0)].join('/');
    const parent = segments[2] ?? '';
    const r = this.runtime;
    const byType: Record<string, { properties: Record<string, unknown>; identity?: unknown }> = {
      'Microsoft.ApiManagement/service': {
        properties: { gatewayUrl: `https://${name}.azure-api.net` },
        identity: { type: 'SystemAssigned', principalId: r.apimPrincipalId },
      },
      'Microsoft.OperationalInsights/workspaces': {
        properties: { customerId: r.workspaceCustomerId },
      },
      'Microsoft.Insights/components': {
        properties: {
          AppId: r.appInsightsAppId,
          ConnectionString: `InstrumentationKey=${r.appInsightsAppId}`,
        },
      },
      'Microsoft.CognitiveServices/accounts': {
        properties: { endpoint: `https://${name}.cognitiveservices.azure.com/` },
      },
      'Microsoft.CognitiveServices/accounts/projects': {
        properties: {
          endpoints: {
            'AI Foundry API': `https://${parent}.services.ai.azure.com/api/projects/${name}`,
          },
        },
      },
      'Microsoft.Insights/dataCollectionEndpoints': {
        properties: {
          logsIngestion: {
            endpoint:
              r.logsIngestionEndpoint ?? `https://${name}-x1y2.eastus2-1.ingest.monitor.azure.com`,
          },
        },
      },
      'Microsoft.Insights/dataCollectionRules': {
        properties: {
          immutableId: r.dataCollectionRuleImmutableId ?? 'dcr-00000000000000000000000000000000',
        },
      },
      'Microsoft.CostManagement/exports': {
        properties: {},
        identity: { type: 'SystemAssigned', principalId: r.exportPrincipalId ?? '' },
      },
    };
    const state = byType[type];
    if (state === undefined)
      return this.#fail(`no runtime state for reference() of a ${type || id}`);
    return full ? { properties: state.properties, identity: state.identity } : state.properties;
  }

  #string(): string {
    let out = '';
    this.#pos += 1;
    for (;;) {
      const c = this.text[this.#pos];
      if (c === undefined) return this.#fail('unterminated string');
      this.#pos += 1;
      if (c === "'") {
        if (this.text[this.#pos] === "'") {
          out += "'";
          this.#pos += 1;
        } else return out;
      } else out += c;
    }
  }

  #number(): number {
    const m = /^-?\d+/.exec(this.text.slice(this.#pos));
    if (m === null) return this.#fail('number expected');
    this.#pos += m[0].length;
    return Number(m[0]);
  }

  #identifier(): string {
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.#pos));
    if (m === null) return this.#fail('name expected');
    this.#pos += m[0].length;
    return m[0];
  }

  #expect(c: string): void {
    this.#space();
    if (this.text[this.#pos] !== c) this.#fail(`'${c}' expected`);
    this.#pos += 1;
  }

  #space(): void {
    while (this.text[this.#pos] === ' ') this.#pos += 1;
  }

  #fail(why: string): never {
    throw new Error(`ARM expression [${this.text}] at ${this.#pos}: ${why}`);
  }
}
