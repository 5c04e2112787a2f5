/**
 * Validation against the kit's schemas: App Insights tables through app('...'), positions,
 * and assertValid's error.
 */
import { describe, expect, test } from 'vitest';
import { assertValid, KqlValidationError, validateQuery } from '../../lib/kql/index.js';
import { KitError } from '../../lib/errors.js';

describe('validateQuery', () => {
  test('customMetrics is reachable plainly and through app()', () => {
    expect(
      validateQuery(
        'customMetrics | summarize sum(valueSum) by tostring(customDimensions.CallerId)',
      ),
    ).toEqual([]);
    expect(
      validateQuery("app('00000000-aaaa').customMetrics | where name == 'caller-requests' | count"),
    ).toEqual([]);
  });

  test('gateway and LLM log columns are typed from the schemas', () => {
    expect(
      validateQuery('ApiManagementGatewayLlmLog | summarize sum(PromptTokens) by DeploymentName'),
    ).toEqual([]);
    const bad = validateQuery('ApiManagementGatewayLogs | summarize sum(ApiId)');
    expect(bad.some((d) => d.severity === 'error')).toBe(true);
  });

  test('an unknown table is an error at its position', () => {
    const [d] = validateQuery('let x = 1;\nNoSuchTable | take 1', { file: 'q.kql' });
    expect(d).toMatchObject({ file: 'q.kql', line: 2, column: 1, severity: 'error' });
  });

  test('assertValid throws a KqlValidationError listing file:line:col', () => {
    let caught: unknown;
    try {
      assertValid('print x = \n  nosuchfunction(1)', 'kql/x.kql');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(KqlValidationError);
    expect(caught).toBeInstanceOf(KitError);
    expect((caught as Error).message).toMatch(/kql\/x\.kql:2:3: .*nosuchfunction/);
    expect(() => assertValid('print 1')).not.toThrow();
  });
});
