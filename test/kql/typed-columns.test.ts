/**
 * Number columns through typed arrays (frame.ts `numeric`, expr-mask.ts, expr-vector.ts, the
 * typed loops of aggregate-registry.ts): the log store hands the engine Float64Arrays with a
 * null mask, a row source hands it values. The same rows, nulls included, must give the same
 * answers either way, through filters, joins, bins, masks and every typed aggregate.
 */
import { describe, expect, test } from 'vitest';
import { executeQuery } from '../../lib/kql/index.js';
import type { LogRow } from '../../lib/kql/log-tables.js';
import { createLogStore } from '../../lib/local/log-store.js';
import { MemorySource } from './memory-source.js';
import { answersAsOverValues } from './store-answers.js';

const T0 = Date.UTC(2024, 0, 1);

function rows(): { gateway: LogRow[]; llm: LogRow[] } {
  const gateway: LogRow[] = Array.from({ length: 400 }, (_v, i) => ({
    TimeGenerated: new Date(T0 + i * 7 * 60_000).toISOString(),
    ApimSubscriptionId: ['bu-hr', 'bu-it', 'bu-ops', 'other'][i % 4]!,
    ApiId: i % 5 === 0 ? 'costing-aoai-gateway-api' : 'costing-subscription-api',
    CorrelationId: `c${i}`,
    // Every seventh row has no response code, every eleventh no total time.
    ResponseCode: i % 7 === 0 ? null : [200, 201, 302, 404, 429, 500][i % 6]!,
    TotalTime: i % 11 === 0 ? null : i % 13 === 0 ? 0 : (i * 37) % 900,
    TraceRecords: i % 5 === 0 ? [{ source: 'stream', message: 'IncludeUsageInjected: set' }] : null,
  }));
  const llm: LogRow[] = Array.from({ length: 160 }, (_v, i) => ({
    TimeGenerated: new Date(T0 + i * 13 * 60_000).toISOString(),
    CorrelationId: `c${(i * 5) % 400}`,
    PromptTokens: i % 9 === 0 ? null : 10 + (i % 17),
    CompletionTokens: i % 4 === 0 ? null : 3 * (i % 5),
    IsStreamCompletion: i % 3 === 0 ? null : i % 2 === 0,
    ModelName: ['gpt-4o-2024-08-06', '', 'gpt-5-mini-2025-08-07'][i % 3]!,
    DeploymentName: i % 4 === 0 ? '' : ['chat', 'gpt-5-mini'][i % 2]!,
  }));
  return { gateway, llm };
}

const QUERIES = [
  `ApiManagementGatewayLogs | summarize ok = countif(ResponseCode between (200 .. 299)), redirect = countif(ResponseCode !between (200 .. 299)),
     errors = countif(ResponseCode >= 400 and ResponseCode < 500), server = countif(ResponseCode >= 500 or TotalTime > 800),
     ne = countif(ResponseCode != 200), eq = countif(ResponseCode == 429), lt = countif(TotalTime < 100), le = countif(TotalTime <= 100), zero = countif(TotalTime == 0), nonzero = countif(TotalTime != 0)
     by ApimSubscriptionId | order by ApimSubscriptionId asc`,
  `ApiManagementGatewayLogs | summarize s = sum(TotalTime), a = avg(TotalTime), hi = max(TotalTime), lo = min(TotalTime),
     si = sumif(TotalTime, ResponseCode == 200), ai = avgif(TotalTime, ResponseCode > 300), mi = maxif(TotalTime, ResponseCode < 300),
     d = dcount(ResponseCode), dt = dcount(ApimSubscriptionId), earliest = min(TimeGenerated), latest = max(TimeGenerated)
     by ApiId | order by ApiId asc`,
  `ApiManagementGatewayLogs | summarize n = count(), t = sum(TotalTime) by bin(TimeGenerated, 2h), ResponseCode | order by TimeGenerated asc, ResponseCode asc`,
  `ApiManagementGatewayLogs | summarize n = count(), t = sum(TotalTime), z = sum(coalesce(TotalTime, 0)), o = avg(coalesce(TotalTime, -1)),
     w = sum(TotalTime * 2 - ResponseCode) by Day = startofday(TimeGenerated) | order by Day asc`,
  `ApiManagementGatewayLogs | extend Hour = bin(TimeGenerated, 1h), Bucket = bin(TotalTime, 100) | summarize count() by Hour, Bucket | order by Hour asc, Bucket asc`,
  `ApiManagementGatewayLogs | where ApiId == 'costing-aoai-gateway-api' | project CorrelationId, ResponseCode, TotalTime
   | join kind=leftouter (ApiManagementGatewayLlmLog | summarize P = sum(PromptTokens), C = sum(CompletionTokens), S = countif(IsStreamCompletion == true),
       Late = max(TimeGenerated) by CorrelationId) on CorrelationId
   | summarize n = count(), p = sum(P), c = sum(C), s = sum(S), hi = max(TotalTime), lastSeen = max(Late), unmatched = countif(isnull(P)) by ResponseCode
   | order by ResponseCode asc`,
  `ApiManagementGatewayLogs | extend a = TotalTime * 2 + ResponseCode, d = TotalTime / (ResponseCode - 200), q = TotalTime / 7,
     f = TotalTime / 7.0, m = (TotalTime - 450) % 7, z = ResponseCode % (TotalTime - TotalTime), age = datetime(2024-01-03) - TimeGenerated,
     later = TimeGenerated + 90m, c = (TotalTime + 1) * 0.5 / 1000.0
   | summarize sa = sum(a), sd = sum(d), nd = countif(isnull(d)), sq = sum(q), sf = sum(f), sm = sum(m), nz = countif(isnull(z)),
     hi = max(age), lo = min(later), sc = sum(c) by ApimSubscriptionId | order by ApimSubscriptionId asc`,
  `ApiManagementGatewayLogs | extend Cost = TotalTime * 0.25 | project CorrelationId, Cost, ResponseCode
   | summarize n = count(), cost = sum(Cost), top = max(Cost), k = countif(Cost > 100) by bin(Cost, 50) | order by Cost asc`,
  // Expressions of two string columns are evaluated once per combination of their values.
  `ApiManagementGatewayLlmLog | extend Model = iif(isnotempty(DeploymentName), DeploymentName, replace_regex(ModelName, @'-\\d{4}-\\d{2}-\\d{2}$', ''))
   | where ModelName != DeploymentName and strcat(ModelName, '/', DeploymentName) !startswith '/'
   | summarize n = count(), p = sum(PromptTokens), same = countif(Model == DeploymentName) by Model | order by Model asc`,
  // union concatenates typed values; a part without the column adds nulls.
  `union (ApiManagementGatewayLogs | project k = ApimSubscriptionId, v = ResponseCode, t = TimeGenerated),
     (ApiManagementGatewayLlmLog | project k = DeploymentName, v = PromptTokens), (ApiManagementGatewayLogs | project k = ApiId, t = TimeGenerated)
   | summarize s = sum(v), n = countif(isnull(v)), hi = max(v), a = avg(v), lt = max(t), nt = countif(isnull(t)), big = countif(v > 500) by k | order by k asc`,
  // Bool columns as their stored 1 / 0 / -1 values, whole and picked by a filter.
  `ApiManagementGatewayLlmLog | summarize s = max(toint(IsStreamCompletion)), t = sum(tolong(IsStreamCompletion)), a = avg(toreal(IsStreamCompletion)),
     n = countif(isnull(toint(IsStreamCompletion))), f = countif(IsStreamCompletion == false), nf = countif(IsStreamCompletion != false) by DeploymentName | order by DeploymentName asc`,
  `ApiManagementGatewayLlmLog | where PromptTokens > 12 | summarize s = max(toint(IsStreamCompletion)), t = sum(todouble(IsStreamCompletion)),
     yes = countif(IsStreamCompletion == true), no = countif(IsStreamCompletion != true) by bin(TimeGenerated, 6h) | order by TimeGenerated asc`,
  // A dynamic column: the store hands its parsed values over as they are.
  `ApiManagementGatewayLogs | where ApiId == 'costing-aoai-gateway-api' | project Injected = tostring(TraceRecords) has 'IncludeUsageInjected', ApimSubscriptionId, TraceRecords
   | summarize n = count(), injected = countif(Injected), none = countif(isnull(TraceRecords)), sample = take_anyif(TraceRecords, Injected) by ApimSubscriptionId | order by ApimSubscriptionId asc`,
  // take_any of a string column works on its codes: the first row of a group, or its first non-empty one.
  `ApiManagementGatewayLlmLog | summarize m = take_any(ModelName), d = take_anyif(DeploymentName, PromptTokens > 15), k = take_any(DeploymentName, ModelName)
     by bin(TimeGenerated, 6h) | order by TimeGenerated asc`,
  `ApiManagementGatewayLlmLog | summarize d = take_any(DeploymentName), m = take_anyif(ModelName, isempty(ModelName)), none = take_anyif(ModelName, PromptTokens > 1000)
     by e = isempty(DeploymentName) | order by e asc`,
  `ApiManagementGatewayLlmLog | where PromptTokens > 15 | summarize n = count(), p = avg(PromptTokens), streams = countif(IsStreamCompletion != true) by bin(TimeGenerated, 6h) | order by TimeGenerated asc`,
];

describe('typed number columns', () => {
  const { gateway, llm } = rows();
  const values = new MemorySource({
    ApiManagementGatewayLogs: gateway,
    ApiManagementGatewayLlmLog: llm,
  });
  const store = createLogStore({ sealRows: 100 });
  store.appendRows('ApiManagementGatewayLogs', gateway);
  store.appendRows('ApiManagementGatewayLlmLog', llm);

  answersAsOverValues(QUERIES, () => ({ values, store }), 'typed columns');

  test('the null rows are counted where Kusto counts them', () => {
    const r = executeQuery(
      `ApiManagementGatewayLogs | summarize nulls = countif(isnull(ResponseCode)), ne = countif(ResponseCode != 200), known = countif(isnotnull(ResponseCode) and ResponseCode != 200)`,
      store,
    ).table.rows[0]!;
    const nulls = gateway.filter((g) => g.ResponseCode === null).length;
    const known = gateway.filter((g) => g.ResponseCode !== null && g.ResponseCode !== 200).length;
    expect(r).toEqual([nulls, nulls + known, known]);
  });
});
