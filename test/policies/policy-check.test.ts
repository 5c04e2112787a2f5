/**
 * npm run check:policies (tools/policy-check: Roslyn against a typed stand-in of `context`):
 * the kit's policies pass, and each kind of mistake APIM only finds when a request runs is
 * caught on a planted copy: a type error, a disallowed type, a `//` comment in an attribute,
 * outbound steps after return-response, an unresolved fragment or backend.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactPath } from '../../lib/artifacts/read-artifact.js';

const SCRIPT = artifactPath('scripts', 'policy-check.mjs');
const temp: string[] = [];
afterAll(() => {
  for (const dir of temp) rmSync(dir, { recursive: true, force: true });
});

function check(...args: string[]): { status: number; output: string } {
  const result = spawnSync(process.execPath, [SCRIPT, ...args], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { status: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}

/** A copy of policies/ with one planted change; returns its folder. */
function planted(file: string, from: string, to: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'policy-check-'));
  temp.push(dir);
  const copy = path.join(dir, 'policies');
  cpSync(artifactPath('policies'), copy, { recursive: true });
  const target = path.join(copy, file);
  const text = readFileSync(target, 'utf8');
  expect(text, `${file} contains the text to replace`).toContain(from);
  writeFileSync(target, text.replace(from, to));
  return copy;
}

describe('npm run check:policies', () => {
  beforeAll(() => {
    // Builds the tool the first time (dotnet build, NuGet restore).
    const first = check('--no-snapshots');
    expect(first.status, first.output).toBe(0);
  }, 600_000);

  it('compiles every expression of the kit and lints every snapshot configuration clean', () => {
    const { status, output } = check();
    expect(status, output).toBe(0);
    expect(output).toMatch(
      /policy check: \d+ expression\(s\) in 10 file\(s\) compiled with Roslyn, \d+ snapshot configuration\(s\) linted, 0 problem\(s\)/,
    );
    expect(Number(/(\d+) expression/.exec(output)?.[1])).toBeGreaterThanOrEqual(15);
  }, 120_000);

  it('fails on a planted type error, naming the file, the line and the compiler error', () => {
    const dir = planted(
      'fragments/ensure-stream-include-usage.xml',
      'stream.Value&lt;bool&gt;()',
      'stream.Value&lt;bool&gt;().Length',
    );
    const { status, output } = check('--policies', dir, '--no-snapshots');
    expect(status).toBe(1);
    expect(output).toMatch(
      /policies\/fragments\/ensure-stream-include-usage\.xml:\d+:\d+: error CS1061: .*'bool' does not contain a definition for 'Length'/,
    );
  }, 120_000);

  it('fails on a planted type outside the allowed list, and on a disallowed member', () => {
    const dir = planted(
      'fragments/extract-caller-id.xml',
      'return context.Subscription?.Id ?? "unknown";',
      'return System.IO.File.ReadAllText("/etc/hostname") + System.DateTime.Now.ToFileTime();',
    );
    const { status, output } = check('--policies', dir, '--no-snapshots');
    expect(status).toBe(1);
    expect(output).toContain(
      'policies/fragments/extract-caller-id.xml:10:32: error T001: <set-variable value>: System.IO.File is not allowed in APIM policy expressions',
    );
    // DateTime is allowed, but only the members the reference lists.
    expect(output).toContain(
      'error T001: <set-variable value>: System.DateTime.ToFileTime is not allowed',
    );
    expect(output).not.toContain('CS');
  }, 120_000);

  it('fails on a // comment inside an attribute expression', () => {
    const dir = planted(
      'fragments/extract-caller-id.xml',
      'string auth = context.Request.Headers.GetValueOrDefault("Authorization", "");',
      'string auth = context.Request.Headers.GetValueOrDefault("Authorization", ""); // bearer token',
    );
    const { status, output } = check('--policies', dir, '--no-snapshots');
    expect(status).toBe(1);
    expect(output).toContain(
      'policies/fragments/extract-caller-id.xml:10:32: error L001: <set-variable value> has a // comment: attribute values lose their newlines when APIM parses them',
    );
  }, 120_000);

  it('fails on outbound steps after return-response, and on a fragment-id without a fragment', () => {
    const outbound = planted(
      'costing-api.xml',
      '<outbound>\n\t\t<base />',
      '<outbound>\n\t\t<base />\n\t\t<set-header name="x-ms-request-id" exists-action="override"><value>@(context.RequestId.ToString())</value></set-header>',
    );
    const late = check('--policies', outbound, '--no-snapshots');
    expect(late.status).toBe(1);
    expect(late.output).toMatch(
      /policies\/costing-api\.xml:\d+:\d+: error L002: <set-header name="x-ms-request-id"> in outbound never runs .*return-response in inbound ends the pipeline/,
    );
    const fragment = planted(
      'entraid-api.xml',
      'fragment-id="extract-caller-id"',
      'fragment-id="extract-caller"',
    );
    const missing = check('--policies', fragment, '--no-snapshots');
    expect(missing.status).toBe(1);
    expect(missing.output).toContain(
      'error L003: include-fragment fragment-id="extract-caller" has no fragments/extract-caller.xml',
    );
  }, 120_000);

  it('per configuration: an outbound step the operation never runs, and a backend the configuration does not deploy', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'policy-check-snap-'));
    temp.push(dir);
    const snapshot = JSON.parse(
      readFileSync(artifactPath('bicep', 'snapshots', 'foundry-off.main.snapshot.json'), 'utf8'),
    ) as { predictedResources: { type: string; name: string; properties?: { value?: string } }[] };
    const tokenApi = snapshot.predictedResources.find(
      (r) =>
        r.type === 'Microsoft.ApiManagement/service/apis/policies' &&
        r.name.includes('token-tracking'),
    )!;
    // The mock operation answers with return-response: an API-level outbound step never runs.
    tokenApi.properties!.value = tokenApi
      .properties!.value!.replace(
        '<outbound>\n\t\t<base />',
        '<outbound>\n\t\t<base />\n\t\t<set-header name="x-late" exists-action="override"><value>late</value></set-header>',
      )
      .replace(
        '<include-fragment fragment-id="ensure-stream-include-usage" />',
        '<include-fragment fragment-id="ensure-stream-include-usage" />\n\t\t<set-backend-service backend-id="aoai-backend" />',
      );
    writeFileSync(path.join(dir, 'planted.main.snapshot.json'), JSON.stringify(snapshot));
    const { status, output } = check('--snapshots', dir);
    expect(status).toBe(1);
    expect(output).toContain(
      'planted.main.snapshot.json:0:0: error L002: <set-header name="x-late"> in outbound never runs for operation chat-completions-create of API costing-token-tracking-api',
    );
    expect(output).toContain(
      "planted.main.snapshot.json:0:0: error L004: a deployed policy sets backend-id 'aoai-backend', which this configuration does not deploy",
    );
  }, 120_000);
});
