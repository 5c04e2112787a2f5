/**
 * The repository queries on real local traffic: requests go through the gateway emulator
 * (BU keys, Entra ID JWTs, Azure OpenAI through the official `openai` client in five modes),
 * then every query in kql/ runs on the log store and its numbers must equal counts computed
 * here from what the test sent and what the client received.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { AzureOpenAI } from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { getModelPricing } from '../../lib/pricing/pricing.js';
import { priceParameters } from '../../lib/pricing/query-prices.js';
import { loadConfig } from '../../lib/config/load-config.js';
import { createLocalTarget, type LocalTarget } from '../../lib/local/local-target.js';
import { createUnsignedJwt } from '../../lib/traffic/unsigned-jwt.js';
import type { Deployment, KqlTable, KqlValue } from '../../lib/target.js';
import { executeQuery, listQueryNames, loadQuery, type KqlParam } from '../../lib/kql/index.js';
import { deployedWorkbook } from '../../lib/workbook/deployed-workbook.js';
import { listWorkbookQueries } from '../../lib/workbook/list-queries.js';

interface AiRecord {
  bu: string;
  model: string;
  surface: 'Chat Completions' | 'Responses';
  streaming: boolean;
  injected: boolean;
  prompt: number;
  completion: number;
}

const BU_GETS: Record<string, number> = {
  'bu-hr': 3,
  'bu-finance': 5,
  'bu-marketing': 1,
  'bu-engineering': 4,
  'bu-sales': 2,
  'bu-operations': 2,
};
const CALLERS: Record<string, number> = {
  '11111111-aaaa-4000-8000-000000000001': 3,
  '22222222-bbbb-4000-8000-000000000002': 2,
};
const AI_BUS = ['bu-hr', 'bu-finance'];
/** The caller of every AI request: the AOAI gateway's policy counts it in caller-requests too. */
const AI_CALLER = '33333333-cccc-4000-8000-000000000003';
const AI_MODELS = ['gpt-4o-mini', 'gpt-4.1-nano'];

let dataDir: string;
let target: LocalTarget;
let deployment: Deployment;
const ai: AiRecord[] = [];

function rowsOf(table: KqlTable): Record<string, KqlValue>[] {
  return table.rows.map((r) =>
    Object.fromEntries(table.columns.map((c, i) => [c.name, r[i] ?? null])),
  );
}

function run(name: string, params: Record<string, KqlParam> = {}): Record<string, KqlValue>[] {
  const q = loadQuery(name, params);
  const result = executeQuery(q.text, target.store, { file: q.file });
  expect(result.status).toBe('success');
  return rowsOf(result.table);
}

function key(bu: string): string {
  const sub = deployment.subscriptions.find((s) => s.id === bu);
  if (!sub) throw new Error(`no subscription ${bu}`);
  return sub.primaryKey;
}

async function sendAi(bu: string, model: string, mode: number): Promise<void> {
  const chat = mode <= 2;
  const client = new AzureOpenAI({
    baseURL: deployment.apis.aoai.url,
    apiKey: key(bu),
    apiVersion: chat ? '2024-10-21' : '2025-03-01-preview',
    maxRetries: 0,
    timeout: 20_000,
    defaultHeaders: {
      Authorization: `Bearer ${createUnsignedJwt(AI_CALLER)}`,
    },
  });
  const rec = {
    bu,
    model,
    surface: chat ? 'Chat Completions' : 'Responses',
    streaming: mode === 1 || mode === 2 || mode === 4,
    injected: mode === 2,
  } as const;
  const messages = [{ role: 'user' as const, content: `Say hello to ${bu} in mode ${mode}.` }];
  if (mode === 0) {
    const r = await client.chat.completions.create({ model, messages, max_completion_tokens: 30 });
    ai.push({ ...rec, prompt: r.usage!.prompt_tokens, completion: r.usage!.completion_tokens });
  } else if (mode === 1 || mode === 2) {
    const stream = await client.chat.completions.create({
      model,
      messages,
      max_completion_tokens: 30,
      stream: true,
      ...(mode === 1 ? { stream_options: { include_usage: true } } : {}),
    });
    let usage: { prompt_tokens: number; completion_tokens: number } | undefined;
    for await (const chunk of stream) if (chunk.usage) usage = chunk.usage;
    // Mode 2 omits include_usage: the gateway policy injects it, so the usage chunk still arrives.
    ai.push({ ...rec, prompt: usage!.prompt_tokens, completion: usage!.completion_tokens });
  } else if (mode === 3) {
    const r = await client.responses.create({ model, input: `Hello ${bu}`, max_output_tokens: 30 });
    ai.push({ ...rec, prompt: r.usage!.input_tokens, completion: r.usage!.output_tokens });
  } else {
    const stream = await client.responses.create({
      model,
      input: `Hello ${bu}`,
      max_output_tokens: 30,
      stream: true,
    });
    let usage: { input_tokens: number; output_tokens: number } | undefined;
    for await (const event of stream) {
      if (event.type === 'response.completed' || event.type === 'response.incomplete')
        usage = event.response.usage!;
    }
    ai.push({ ...rec, prompt: usage!.input_tokens, completion: usage!.output_tokens });
  }
}

/** Waits (bounded) until the log store holds the rows of every request sent. */
async function waitForRows(expected: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (target.store.rowCount('ApiManagementGatewayLogs') >= expected) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const buRequests = (bu: string): number =>
  (BU_GETS[bu] ?? 0) + ai.filter((a) => a.bu === bu).length;
const totalGets = sum(Object.values(BU_GETS));
const totalCallers = sum(Object.values(CALLERS));
/** caller-requests per caller: the Entra ID API's and the AI API's. */
const allCallers = (): Record<string, number> => ({ ...CALLERS, [AI_CALLER]: ai.length });

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'kql-local-'));
  const config = loadConfig({ target: 'local', local: { dataDir } });
  target = createLocalTarget(config, { ingestionLagMs: 0, rateLimitPerMinute: 10_000 });
  deployment = await target.deploy();
  for (const [bu, n] of Object.entries(BU_GETS)) {
    for (let i = 0; i < n; i++) {
      const res = await fetch(`${deployment.apis.costing.url}/items/${i}`, {
        headers: { 'Ocp-Apim-Subscription-Key': key(bu) },
      });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
  }
  for (const [caller, n] of Object.entries(CALLERS)) {
    for (let i = 0; i < n; i++) {
      const res = await fetch(`${deployment.apis.entra.url}/status`, {
        headers: {
          'Ocp-Apim-Subscription-Key': deployment.apis.entra.subscription?.primaryKey ?? '',
          Authorization: `Bearer ${createUnsignedJwt(caller)}`,
        },
      });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
  }
  for (const bu of AI_BUS)
    for (const model of AI_MODELS)
      for (let mode = 0; mode <= 4; mode++) await sendAi(bu, model, mode);
  await waitForRows(totalGets + totalCallers + ai.length);
}, 120_000);

afterAll(async () => {
  await target?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('repository queries on local gateway traffic', () => {
  test('the test covers every query file', () => {
    expect(listQueryNames()).toEqual([
      'bill-billed-size-by-bu',
      'bill-requests-by-hour',
      'bill-tokens-by-bu',
      'bu-token-usage',
      'budget-alert-threshold',
      'budget-burn-rate',
      'budget-forecast-alert',
      'caller-metrics-breakdown',
      'cost-allocation-caller',
      'cost-allocation-subscription',
      'cost-allocation-tokens',
      'log-ingestion-check',
      'metric-ingestion-check',
      'token-ingestion-check',
      'token-metric-ingestion-check',
    ]);
  });

  test('bill-requests-by-hour: every gateway row once, under its subscription', () => {
    const rows = run('bill-requests-by-hour');
    expect(rows.reduce((n, r) => n + Number(r.Requests), 0)).toBe(
      totalGets + totalCallers + ai.length,
    );
    const bu = rows.filter((r) => String(r.Subscription).startsWith('bu-'));
    expect(bu.reduce((n, r) => n + Number(r.Requests), 0)).toBe(totalGets + ai.length);
  });

  test('bill-tokens-by-bu: the LLM log tokens, each under its request subscription', () => {
    const rows = run('bill-tokens-by-bu');
    const sum = (k: string) => rows.reduce((n, r) => n + Number(r[k]), 0);
    expect(sum('PromptTokens')).toBe(ai.reduce((n, a) => n + a.prompt, 0));
    expect(sum('CompletionTokens')).toBe(ai.reduce((n, a) => n + a.completion, 0));
    expect(rows.every((r) => String(r.Subscription).startsWith('bu-'))).toBe(true);
  });

  test('bill-billed-size-by-bu: the billed bytes of every gateway and LLM row, once', () => {
    const rows = run('bill-billed-size-by-bu');
    const raw = executeQuery(
      'union ApiManagementGatewayLogs, ApiManagementGatewayLlmLog | summarize Bytes = sum(_BilledSize)',
      target.store,
    );
    const [total] = rowsOf(raw.table);
    expect(rows.reduce((n, r) => n + Number(r.Bytes), 0)).toBe(Number(total!.Bytes));
    expect(Number(total!.Bytes)).toBeGreaterThan(0);
    expect(rows.filter((r) => String(r.Subscription).startsWith('bu-')).length).toBe(6);
  });

  test('budget-burn-rate: every BU request once, today, its tokens beside it', () => {
    const rows = run('budget-burn-rate');
    expect(rows.reduce((n, r) => n + Number(r.Requests), 0)).toBe(totalGets + ai.length);
    expect(new Set(rows.map((r) => String(r.Day).slice(0, 10))).size).toBe(1);
    expect(rows.every((r) => String(r.Subscription).startsWith('bu-'))).toBe(true);
    const tokens = rows.reduce(
      (n, r) => n + Number(r.PromptTokens) + Number(r.CompletionTokens),
      0,
    );
    expect(tokens).toBeGreaterThan(0);
    expect(rows.filter((r) => r.Model === '').every((r) => Number(r.PromptTokens) === 0)).toBe(
      true,
    );
  });

  test('budget-forecast-alert: no row when the budget is out of reach or already spent (test/budgets checks the row between)', () => {
    const prices = priceParameters(loadConfig({}, {}));
    const at = (budgetUsd: number) =>
      run('budget-forecast-alert', {
        ...prices,
        businessUnit: 'bu-hr',
        budgetUsd,
        asOf: new Date(),
      });
    expect(at(1e9)).toEqual([]);
    expect(at(1e-9)).toEqual([]);
  });

  test('log-ingestion-check: rows, BU requests and AI requests', () => {
    const rows = run('log-ingestion-check');
    const gateway = rows.find((r) => r.Source === 'ApiManagementGatewayLogs')!;
    const llm = rows.find((r) => r.Source === 'ApiManagementGatewayLlmLog')!;
    expect(gateway.Rows).toBe(totalGets + totalCallers + ai.length);
    expect(gateway.BuRequests).toBe(totalGets + ai.length);
    expect(gateway.AiRequests).toBe(ai.length);
    expect(llm.AiRequests).toBe(ai.length);
    expect(typeof gateway.Latest).toBe('string');
  });

  test('metric-ingestion-check: caller-requests metrics', () => {
    const [row] = run('metric-ingestion-check');
    expect(row).toMatchObject({
      Requests: totalCallers + ai.length,
      Callers: Object.keys(CALLERS).length + 1,
    });
  });

  test('token-metric-ingestion-check: caller-requests of the AI APIs per API and operation', () => {
    const aiApis = [deployment.apis.tokenTracking.name, deployment.apis.aoai.name];
    const rows = run('token-metric-ingestion-check', { aiApis });
    const chat = ai.filter((a) => a.surface === 'Chat Completions').length;
    expect(rows.map((r) => [r.Api, r.Operation, r.Requests, r.Callers])).toEqual([
      ['Costing: AOAI gateway', 'Chat completions', chat, 1],
      ['Costing: AOAI gateway', 'Responses', ai.length - chat, 1],
    ]);
    // Unbound, it counts nothing: the AI APIs' names come from the deployment.
    expect(run('token-metric-ingestion-check')).toEqual([]);
  });

  test('caller-metrics-breakdown: requests per caller', () => {
    const rows = run('caller-metrics-breakdown');
    const perCaller: Record<string, number> = {};
    for (const r of rows)
      perCaller[String(r.CallerId)] = (perCaller[String(r.CallerId)] ?? 0) + Number(r.Requests);
    expect(perCaller).toEqual(allCallers());
    expect(sum(rows.map((r) => Number(r.SharePct)))).toBeCloseTo(100, 1);
  });

  test('token-ingestion-check: AI requests and tokens per API surface', () => {
    const rows = run('token-ingestion-check');
    for (const surface of ['Chat Completions', 'Responses'] as const) {
      const sent = ai.filter((a) => a.surface === surface);
      const row = rows.find((r) => r.ApiSurface === surface)!;
      expect(row).toMatchObject({
        AiRequests: sent.length,
        WithTokens: sent.length,
        PromptTokens: sum(sent.map((a) => a.prompt)),
        CompletionTokens: sum(sent.map((a) => a.completion)),
        TotalTokens: sum(sent.map((a) => a.prompt + a.completion)),
      });
    }
  });

  test('bu-token-usage: tokens per BU, model alias, API surface, delivery mode and usage source', () => {
    const rows = run('bu-token-usage');
    const expected = new Map<
      string,
      { Requests: number; PromptTokens: number; CompletionTokens: number }
    >();
    for (const a of ai) {
      const usage = !a.streaming
        ? 'response body'
        : a.prompt + a.completion === 0
          ? 'no usage'
          : a.injected
            ? 'policy-injected'
            : 'client-supplied';
      const k = [
        a.bu.slice(3),
        a.model,
        a.surface,
        a.streaming ? 'Streaming' : 'Non-streaming',
        usage,
      ].join('|');
      const e = expected.get(k) ?? { Requests: 0, PromptTokens: 0, CompletionTokens: 0 };
      expected.set(k, {
        Requests: e.Requests + 1,
        PromptTokens: e.PromptTokens + a.prompt,
        CompletionTokens: e.CompletionTokens + a.completion,
      });
    }
    const actual = new Map(
      rows.map((r) => [
        [r.BusinessUnit, r.Model, r.ApiSurface, r.DeliveryMode, r.UsageSource].join('|'),
        {
          Requests: r.Requests,
          PromptTokens: r.PromptTokens,
          CompletionTokens: r.CompletionTokens,
        },
      ]),
    );
    expect(Object.fromEntries(actual)).toEqual(Object.fromEntries(expected));
  });

  test('budget-alert-threshold: BU requests per hour over the threshold', () => {
    const rows = run('budget-alert-threshold', { threshold: 0 });
    const perBu: Record<string, number> = {};
    for (const r of rows)
      perBu[String(r.BusinessUnit)] = (perBu[String(r.BusinessUnit)] ?? 0) + Number(r.Requests);
    expect(perBu).toEqual(
      Object.fromEntries(Object.keys(BU_GETS).map((bu) => [bu.slice(3), buRequests(bu)])),
    );
    expect(run('budget-alert-threshold', { threshold: 1000 })).toEqual([]);
    const hr = run('budget-alert-threshold', { threshold: 0, businessUnit: 'bu-hr' });
    expect(new Set(hr.map((r) => r.BusinessUnit))).toEqual(new Set(['hr']));
  });

  test('cost-allocation-subscription: base share plus variable cost per BU', () => {
    const base = 700;
    const perK = 0.0025;
    const rows = run('cost-allocation-subscription', { baseMonthlyCost: base, perKRate: perK });
    const total = totalGets + ai.length;
    expect(rows).toHaveLength(Object.keys(BU_GETS).length);
    for (const bu of Object.keys(BU_GETS)) {
      const n = buRequests(bu);
      const row = rows.find((r) => r.BusinessUnit === bu.slice(3))!;
      expect(row.Requests).toBe(n);
      expect(row.BaseCost as number).toBeCloseTo((base * n) / total, 4);
      expect(row.VariableCost as number).toBeCloseTo((n * perK) / 1000, 4);
      expect(row.TotalCost as number).toBeCloseTo((base * n) / total + (n * perK) / 1000, 3);
    }
    expect(sum(rows.map((r) => Number(r.BaseCost)))).toBeCloseTo(base, 2);
  });

  test('cost-allocation-caller: base share plus variable cost per caller', () => {
    const rows = run('cost-allocation-caller', { baseMonthlyCost: 150.01, perKRate: 0.003 });
    expect(rows).toHaveLength(Object.keys(allCallers()).length);
    for (const [caller, n] of Object.entries(allCallers())) {
      const row = rows.find((r) => r.CallerId === caller)!;
      expect(row.Requests).toBe(n);
      expect(row.BaseCost as number).toBeCloseTo((150.01 * n) / (totalCallers + ai.length), 4);
    }
  });

  test('cost-allocation-tokens: token cost per BU and model, each model at its own prices', () => {
    const prices = AI_MODELS.map((m) => getModelPricing(m));
    const rows = run('cost-allocation-tokens', {
      priceModels: prices.map((m) => m.model),
      promptPer1K: prices.map((m) => m.promptPer1kUsd),
      completionPer1K: prices.map((m) => m.completionPer1kUsd),
    });
    expect(rows).toHaveLength(AI_BUS.length * AI_MODELS.length);
    for (const bu of AI_BUS) {
      for (const model of AI_MODELS) {
        const sent = ai.filter((a) => a.bu === bu && a.model === model);
        const p = sum(sent.map((a) => a.prompt));
        const c = sum(sent.map((a) => a.completion));
        const row = rows.find((r) => r.BusinessUnit === bu.slice(3) && r.Model === model)!;
        expect(row).toMatchObject({ Requests: sent.length, PromptTokens: p, CompletionTokens: c });
        const price = getModelPricing(model);
        expect(row.TotalCost as number).toBeCloseTo(
          (p / 1000) * price.promptPer1kUsd + (c / 1000) * price.completionPer1kUsd,
          6,
        );
      }
    }
  });

  test('every workbook query runs on the local engine over the same traffic', () => {
    // As published: the per-model price table is filled in at publish time.
    const queries = listWorkbookQueries(deployedWorkbook(target.config, deployment));
    expect(queries.length).toBeGreaterThan(0);
    for (const q of queries) {
      const result = executeQuery(q.query, target.store, { file: `workbook.json#${q.name}` });
      expect(result.status, q.name).toBe('success');
    }
    const funnelOrTiles = queries.find((q) => q.name === 'ai-tiles-inbound-all');
    if (funnelOrTiles) {
      const t = executeQuery(funnelOrTiles.query, target.store).table;
      expect(t.rows.length, 'ai-tiles-inbound-all has a row').toBeGreaterThan(0);
    }
  });
});
