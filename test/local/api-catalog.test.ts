/**
 * The local API catalog is read from the compiled template, so the local gateway serves what
 * the azure target deploys: the catalog matches `bicep/main.bicep`, follows a changed copy of
 * `bicep/main.json`, and a template it cannot read fails with a message naming the API.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { artifactPath, readArtifact } from '../../lib/artifacts/read-artifact.js';
import { TemplateCatalogError } from '../../lib/errors.js';
import { ArmExpressionError, evaluateArm, type ArmScope } from '../../lib/local/arm-expressions.js';
import { buildApiCatalog, matchRoute } from '../../lib/local/api-catalog.js';

interface Resource {
  type: string;
  name: string;
  properties: Record<string, unknown>;
}
type Template = { resources: Record<string, Resource>; variables: Record<string, unknown> };

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A copy of main.json, edited, in a temp folder; returns its path. */
function plantTemplate(edit: (t: Template) => void): string {
  const t = JSON.parse(readArtifact('bicep', 'main.json')) as Template;
  edit(t);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'main-json-'));
  dirs.push(dir);
  const file = path.join(dir, 'main.json');
  writeFileSync(file, JSON.stringify(t));
  return file;
}

function resource(t: Template, symbol: string): Resource {
  const r = t.resources[symbol];
  if (!r) throw new Error(`main.json has no resource ${symbol}`);
  return r;
}

function catalogError(templateFile: string): TemplateCatalogError {
  try {
    buildApiCatalog('costing-', { templateFile });
  } catch (err) {
    expect(err).toBeInstanceOf(TemplateCatalogError);
    return err as TemplateCatalogError;
  }
  throw new Error('buildApiCatalog accepted the planted template');
}

describe('API catalog from bicep/main.json', () => {
  it('holds the four APIs of main.bicep, with their operations and policy files', () => {
    const summary = buildApiCatalog('costing-').map((a) => [
      a.key,
      a.id,
      a.name,
      a.path,
      a.subscriptionRequired,
      a.policyFile,
      a.operations.map((o) => [o.id, o.name, o.method, o.urlTemplate, o.kind, o.policyFile]),
    ]);
    expect(summary).toEqual([
      [
        'costing',
        'costing-subscription-api',
        'Costing: subscription-based',
        'costing-subscription',
        true,
        'costing-api.xml',
        [
          ['get-all', 'GET any path', 'GET', '/*', 'plain', undefined],
          ['post-all', 'POST any path', 'POST', '/*', 'plain', undefined],
        ],
      ],
      [
        'entra',
        'costing-entraid-api',
        'Costing: Entra ID applications',
        'costing-entraid',
        // Its own subscription (C2, C3 send with it), as the original sample's.
        true,
        'entraid-api.xml',
        [
          ['get-all', 'GET any path', 'GET', '/*', 'plain', undefined],
          ['post-all', 'POST any path', 'POST', '/*', 'plain', undefined],
        ],
      ],
      [
        'tokenTracking',
        'costing-token-tracking-api',
        'Costing: AI token tracking (mock)',
        'costing-token-tracking',
        true,
        'token-tracking-api.xml',
        [
          [
            'chat-completions-create',
            'Chat completions (mock)',
            'POST',
            '/deployments/{deploymentId}/chat/completions',
            'chat-completions',
            'token-tracking-mock-operation.xml',
          ],
        ],
      ],
      [
        'aoai',
        'costing-aoai-gateway-api',
        'Costing: AOAI gateway',
        'costing-aoai-gateway',
        true,
        'aoai-gateway-api.xml',
        [
          [
            'chat-completions-create',
            'Chat completions',
            'POST',
            '/deployments/{deploymentId}/chat/completions',
            'chat-completions',
            'aoai-chat-completions-operation.xml',
          ],
          [
            'responses-create',
            'Responses',
            'POST',
            '/responses',
            'responses',
            'aoai-responses-operation.xml',
          ],
        ],
      ],
    ]);
  });

  it('agrees with the main.bicep source: every path and policy file is written there', () => {
    const bicep = readArtifact('bicep', 'main.bicep');
    for (const api of buildApiCatalog('costing-')) {
      expect(bicep, api.id).toContain(`path: '\${apiPrefix}${api.path.slice('costing-'.length)}'`);
      // Literally, or through the variable the resource and the outputs share.
      const literal = `'${api.name}'`;
      const variable = /^var (\w+ApiDisplayName) = (.*)$/gm;
      const viaVariable = [...bicep.matchAll(variable)].some(
        (m) => m[2] === literal && bicep.includes(`displayName: ${m[1]}`),
      );
      expect(bicep.includes(`displayName: ${literal}`) || viaVariable, api.id).toBe(true);
      for (const file of [api.policyFile, ...api.operations.map((o) => o.policyFile)])
        if (file !== undefined)
          expect(bicep, `${api.id} ${file}`).toContain(`loadTextContent('../policies/${file}')`);
    }
  });

  it('applies the API prefix parameter', () => {
    const catalog = buildApiCatalog('acme-');
    expect(catalog.map((a) => [a.id, a.path])).toEqual([
      ['acme-subscription-api', 'acme-subscription'],
      ['acme-entraid-api', 'acme-entraid'],
      ['acme-token-tracking-api', 'acme-token-tracking'],
      ['acme-aoai-gateway-api', 'acme-aoai-gateway'],
    ]);
    expect(matchRoute(catalog, 'POST', '/acme-aoai-gateway/responses')?.operation?.id).toBe(
      'responses-create',
    );
  });

  it('follows a changed path, operation and policy in the template', () => {
    const file = plantTemplate((t) => {
      resource(t, 'aoaiApi').properties.path = "[format('{0}llm', parameters('apiPrefix'))]";
      resource(t, 'aoaiResponses').properties.displayName = 'Responses (planted)';
      // The aoai API's policy now carries the costing policy's text: it is that file.
      resource(t, 'aoaiPolicy').properties.value = resource(t, 'costingPolicy').properties.value;
    });
    const aoai = buildApiCatalog('costing-', { templateFile: file })[3];
    expect(aoai).toMatchObject({ path: 'costing-llm', policyFile: 'costing-api.xml' });
    expect(aoai?.operations[1]?.name).toBe('Responses (planted)');
    const catalog = buildApiCatalog('costing-', { templateFile: file });
    expect(matchRoute(catalog, 'POST', '/costing-llm/responses')?.api.key).toBe('aoai');
    expect(matchRoute(catalog, 'POST', '/costing-aoai-gateway/responses')).toBeUndefined();
  });

  it('names the API when a policy in the template matches no file in policies/', () => {
    const err = catalogError(
      plantTemplate((t) => {
        t.variables.plantedPolicy = '<policies><inbound /></policies>';
        resource(t, 'aoaiChatPolicy').properties.value = "[variables('plantedPolicy')]";
      }),
    );
    expect(err.message).toContain(
      "the policy of operation 'chat-completions-create' of API 'costing-aoai-gateway-api' (resource aoaiChatPolicy) matches no *.xml file in policies/",
    );
    expect(err.message).toContain('npm run build:bicep');
    expect(err.file).toMatch(/main\.json$/);
  });

  it('names the API or operation of a resource it cannot read', () => {
    const cases: [(t: Template) => void, string][] = [
      [
        (t) => delete resource(t, 'aoaiResponses').properties.urlTemplate,
        "operation 'responses-create' of API 'costing-aoai-gateway-api' (resource aoaiResponses) urlTemplate is not a non-empty string",
      ],
      [
        (t) => (resource(t, 'entraApi').properties.path = "[toUpper(parameters('apiPrefix'))]"),
        "API 'costing-entraid-api' (resource entraApi) path: cannot evaluate [toUpper(parameters('apiPrefix'))]: function toUpper() is not supported",
      ],
      [
        (t) => (resource(t, 'costingApi').properties.subscriptionRequired = 'yes'),
        "API 'costing-subscription-api' (resource costingApi) subscriptionRequired is not a boolean",
      ],
      [
        (t) => delete t.resources.entraApi,
        "operation 'get-all' of API 'costing-entraid-api' (resource entraGet) belongs to API 'costing-entraid-api', which the template does not declare",
      ],
      [
        (t) => delete t.resources.costingPolicy,
        "API 'costing-subscription-api' (resource costingApi) has no API-scope policy",
      ],
      [
        (t) => {
          for (const [symbol, r] of Object.entries(t.resources))
            if (r.name.includes("variables('tokenTrackingApiId')")) delete t.resources[symbol];
        },
        'the template has no resource tokenTrackingApi',
      ],
      [
        (t) => {
          t.resources.llmApi = resource(t, 'aoaiApi');
          delete t.resources.aoaiApi;
        },
        "API 'costing-aoai-gateway-api' (resource llmApi) is not one of the kit's APIs",
      ],
      [(t) => (t.resources = Object.values(t.resources) as never), 'lists resources as an array'],
    ];
    for (const [edit, message] of cases)
      expect(catalogError(plantTemplate(edit)).message).toContain(message);
  });

  it('the kit template and policies are the ones read by default', () => {
    expect(buildApiCatalog('costing-')).toEqual(
      buildApiCatalog('costing-', {
        templateFile: artifactPath('bicep', 'main.json'),
        policiesDir: artifactPath('policies'),
      }),
    );
    // The compiler numbers loaded files ($fxv#N) in the order it meets them: find it by value.
    const loaded = Object.entries(
      (JSON.parse(readArtifact('bicep', 'main.json')) as Template).variables,
    ).filter(([k]) => k.startsWith('$fxv#'));
    expect(loaded.map(([, v]) => v)).toContain(
      readFileSync(artifactPath('policies', 'costing-api.xml'), 'utf8'),
    );
  });
});

describe('ARM expressions', () => {
  const scope: ArmScope = {
    parameter: (name) => ({ apiPrefix: 'p-', list: ['a', 'b'], obj: { k: 'v' } })[name],
    variable: (name) => (name === 'v' ? "[concat('x', 'y')]" : undefined),
  };

  it('evaluates format, concat, parameters, variables, literals and member access', () => {
    expect(evaluateArm("[format('{0}api-{1}', parameters('apiPrefix'), 2)]", scope)).toBe(
      'p-api-2',
    );
    expect(evaluateArm("[format('{{{0}}}', 'x')]", scope)).toBe('{x}');
    expect(evaluateArm("[concat('it''s', ' ', variables('v'))]", scope)).toBe(
      "it's [concat('x', 'y')]",
    );
    expect(evaluateArm("[parameters('list')[1]]", scope)).toBe('b');
    expect(evaluateArm("[parameters('obj').k]", scope)).toBe('v');
    expect(evaluateArm('[[literal]', scope)).toBe('[literal]');
    expect(evaluateArm('plain', scope)).toBe('plain');
    expect(evaluateArm('[not closed', scope)).toBe('[not closed');
    expect(evaluateArm(true, scope)).toBe(true);
    expect(evaluateArm('[true()]', scope)).toBe(true);
  });

  it('reports what it cannot read', () => {
    for (const [expr, reason] of [
      ["[uniqueString('a')]", 'function uniqueString() is not supported'],
      ["[format('{0:N2}', 1)]", 'format item {0:N2} is not {n}'],
      ["[format('{1}', 'a')]", 'format item {1} has no argument'],
      ["[parameters('obj').nope]", 'no member "nope"'],
      ["[concat('a']", "expected ')'"],
      ["[concat('a') x]", "unexpected 'x'"],
      ["['open]", 'unterminated string'],
    ] as const) {
      expect(() => evaluateArm(expr, scope), expr).toThrow(ArmExpressionError);
      expect(() => evaluateArm(expr, scope), expr).toThrow(reason);
    }
  });
});
