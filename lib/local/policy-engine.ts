/**
 * Reads the APIM policy XML in `policies/` and compiles the subset the kit uses into steps the
 * gateway emulator runs (`policy-steps.ts`). Names (metric, dimensions, headers, trace source
 * and message, mock body, api-version defaults, backend id) come from the files; this module
 * reads the files, resolves `<base />` and fragments, and hands each element to
 * `policy-compile.ts`, where anything the emulator cannot run fails loudly at deploy.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { STREAM_USAGE_FRAGMENT_ID } from '../artifacts/names.js';
import { PolicyError } from '../errors.js';
import type { CatalogApi } from './api-catalog.js';
import {
  attrs,
  children,
  compileChoose,
  compileHeader,
  compileReturnResponse,
  compileSetVariable,
  compileTokenLimit,
  compileTrace,
  compileValue,
  defaultDimension,
  need,
  tagOf,
  type XmlNode,
} from './policy-compile.js';
import type { CompiledPolicy, PolicyStep } from './policy-steps.js';

export interface LoadPoliciesOptions {
  /**
   * `false` (config `forceStreamIncludeUsage: false`) leaves out the stream include_usage fragment
   * and every `<include-fragment>` of it, as the original sample deploys it: the fragment file is
   * not even read. @default true
   */
  forceStreamIncludeUsage?: boolean;
}

/** The policies of every operation, keyed `<apiId> <operationId>`. */
export interface PolicySet {
  dir: string;
  forOperation(apiId: string, operationId: string): CompiledPolicy;
}

/**
 * Reads and compiles the policies of every API and operation in the catalog.
 * @param dir - the policies folder (the kit's `policies/` by default at the caller).
 * @example const set = loadPolicies(artifactPath('policies'), buildApiCatalog('costing-'));
 */
export function loadPolicies(
  dir: string,
  catalog: readonly CatalogApi[],
  options: LoadPoliciesOptions = {},
): PolicySet {
  const loader = new Loader(dir, options.forceStreamIncludeUsage ?? true);
  const compiled = new Map<string, CompiledPolicy>();
  for (const api of catalog) {
    const apiDoc = loader.document(api.policyFile);
    const apiSections = loader.sections(api.policyFile, apiDoc, emptySections());
    for (const op of api.operations) {
      const opSections = op.policyFile
        ? loader.sections(op.policyFile, loader.document(op.policyFile), apiSections)
        : apiSections;
      // return-response cancels the pipeline (APIM's return-response reference): after an
      // unconditional one in inbound, no outbound step runs on Azure, so none runs here either.
      const returns = opSections.inbound.some((s) => s.kind === 'return-response');
      compiled.set(`${api.id} ${op.id}`, {
        inbound: opSections.inbound,
        outbound: returns ? [] : opSections.outbound,
        onError: opSections.onError,
        forwards: opSections.forwards,
      });
    }
  }
  return {
    dir,
    forOperation(apiId, operationId) {
      return (
        compiled.get(`${apiId} ${operationId}`) ?? {
          inbound: [],
          outbound: [],
          onError: [],
          forwards: false,
        }
      );
    },
  };
}

// --- Internal helpers ---

interface Sections {
  inbound: PolicyStep[];
  outbound: PolicyStep[];
  onError: PolicyStep[];
  forwards: boolean;
}

function emptySections(): Sections {
  return { inbound: [], outbound: [], onError: [], forwards: false };
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
});

class Loader {
  readonly #dir: string;
  readonly #force: boolean;
  readonly #docs = new Map<string, XmlNode[]>();

  constructor(dir: string, force: boolean) {
    this.#dir = dir;
    this.#force = force;
  }

  document(file: string): XmlNode[] {
    let doc = this.#docs.get(file);
    if (doc) return doc;
    const full = path.join(this.#dir, file);
    let text: string;
    try {
      text = readFileSync(full, 'utf8');
    } catch (cause) {
      throw new PolicyError(full, `cannot be read (${(cause as Error).message})`);
    }
    const valid = XMLValidator.validate(text);
    if (valid !== true) {
      throw new PolicyError(
        full,
        `is not well-formed XML: ${valid.err.msg} at line ${valid.err.line}`,
      );
    }
    doc = parser.parse(text) as XmlNode[];
    this.#docs.set(file, doc);
    return doc;
  }

  sections(file: string, doc: XmlNode[], outer: Sections): Sections {
    const root = doc.find((n) => tagOf(n) === 'policies');
    if (!root) throw new PolicyError(file, 'has no <policies> root element');
    const out = emptySections();
    for (const section of children(root)) {
      const tag = tagOf(section);
      if (tag === 'inbound') out.inbound = this.steps(file, children(section), outer.inbound);
      else if (tag === 'outbound')
        out.outbound = this.steps(file, children(section), outer.outbound);
      else if (tag === 'on-error') out.onError = this.steps(file, children(section), outer.onError);
      else if (tag === 'backend') {
        const inner = children(section);
        out.forwards =
          inner.some((n) => tagOf(n) === 'forward-request') ||
          (inner.some((n) => tagOf(n) === 'base') && outer.forwards);
      }
    }
    return out;
  }

  steps(file: string, nodes: XmlNode[], base: PolicyStep[]): PolicyStep[] {
    const out: PolicyStep[] = [];
    for (const node of nodes) {
      const tag = tagOf(node);
      const at = attrs(node);
      switch (tag) {
        case 'base':
          out.push(...base);
          break;
        case 'include-fragment': {
          const id = need(file, tag, at, 'fragment-id');
          // Not forcing include_usage: the fragment is not deployed and its includes are removed.
          if (id === STREAM_USAGE_FRAGMENT_ID && !this.#force) break;
          const fragFile = path.join('fragments', `${id}.xml`);
          const doc = this.document(fragFile);
          const root = doc.find((n) => tagOf(n) === 'fragment');
          if (!root) throw new PolicyError(fragFile, 'has no <fragment> root element');
          out.push(...this.steps(fragFile, children(root), []));
          break;
        }
        case 'set-variable':
          out.push(
            compileSetVariable(file, need(file, tag, at, 'name'), need(file, tag, at, 'value')),
          );
          break;
        case 'set-header':
        case 'set-query-parameter':
          out.push(compileHeader(file, tag, node));
          break;
        case 'emit-metric':
          out.push({
            kind: 'emit-metric',
            name: need(file, tag, at, 'name'),
            namespace: at.namespace ?? 'API Management',
            value: Number(at.value ?? '1'),
            dimensions: children(node)
              .filter((d) => tagOf(d) === 'dimension')
              .map((d) => {
                const da = attrs(d);
                const name = need(file, 'dimension', da, 'name');
                return {
                  name,
                  value: compileValue(
                    file,
                    `dimension ${name}`,
                    da.value ?? defaultDimension(file, name),
                  ),
                };
              }),
          });
          break;
        case 'trace':
          out.push({ kind: 'trace', record: compileTrace(file, node) });
          break;
        case 'choose':
          out.push(compileChoose(file, node));
          break;
        case 'return-response':
          out.push(compileReturnResponse(file, node));
          break;
        case 'llm-token-limit':
          out.push(compileTokenLimit(file, node));
          break;
        case 'set-backend-service':
          out.push({ kind: 'set-backend', backendId: at['backend-id'] ?? at['base-url'] ?? '' });
          break;
        case 'authentication-managed-identity':
          out.push({ kind: 'managed-identity', resource: need(file, tag, at, 'resource') });
          break;
        case '#text':
          break;
        default:
          throw new PolicyError(file, `uses <${tag}>, which the local emulator does not implement`);
      }
    }
    return out;
  }
}
