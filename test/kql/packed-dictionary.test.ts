/**
 * Dictionaries of many distinct strings, packed into chunk strings (packed-strings.ts): reads
 * across chunk boundaries, views that never change while their storage grows, the store's
 * switch from an array to packed storage, and the engine's joins, unions, filters, groups and
 * picks over a packed key answering as they do over the same rows held as values.
 */
import { describe, expect, it, vi } from 'vitest';
import { mapDictionary } from '../../lib/kql/engine/dictionary.js';
import type { LogRow } from '../../lib/kql/log-tables.js';
import {
  CHUNK,
  decodeCodes,
  dictionaryArray,
  entryOf,
  extendDictionary,
  PACK_ABOVE,
  packDictionary,
  PackedStorage,
  PackedStrings,
} from '../../lib/kql/packed-strings.js';
import { dictionaryCode } from '../../lib/kql/string-index.js';
import { createLogStore } from '../../lib/local/log-store.js';
import { appendColumn, appendColumnFrom } from '../../lib/local/stored-columns.js';
import { MemorySource } from './memory-source.js';
import { answersAsOverValues } from './store-answers.js';

/** Strings of every kind a chunk joins: empty, one-byte, two-byte, surrogate pairs, repeats. */
function texts(n: number): string[] {
  const kinds = ['', 'a', 'é', '😀x', 'ü-long-enough-to-slice-☃'];
  return Array.from({ length: n }, (_v, i) => (i % 97 === 0 ? kinds[(i / 97) % 5]! : `id-${i}`));
}

describe('packed strings', () => {
  it('reads every entry back, across chunks and in the tail', () => {
    const src = texts(2 * CHUNK + 5);
    const storage = new PackedStorage();
    for (const s of src) storage.push(s);
    const view = new PackedStrings(storage, storage.length);
    expect(view.length).toBe(src.length);
    for (let c = 0; c < src.length; c++) expect(view.at(c)).toBe(src[c]);
    expect([view.at(-1), view.at(src.length)]).toEqual([undefined, undefined]);
    expect(dictionaryArray(view)).toEqual(src);
  });

  it('keeps a view as it was while the storage grows past it', () => {
    const storage = new PackedStorage();
    for (const s of texts(CHUNK - 3)) storage.push(s);
    const early = new PackedStrings(storage, storage.length);
    // The pushes seal the chunk that held the early view's tail.
    for (let i = 0; i < CHUNK; i++) storage.push(`late-${i}`);
    expect(early.length).toBe(CHUNK - 3);
    expect(early.at(CHUNK - 4)).toBe(texts(CHUNK - 3)[CHUNK - 4]);
    expect(early.at(CHUNK - 3)).toBeUndefined();
    expect(new PackedStrings(storage, storage.length).at(CHUNK - 3)).toBe('late-0');
    expect(() => new PackedStrings(storage, storage.length + 1)).toThrow(RangeError);
  });

  it('extends a dictionary without changing it', () => {
    const big = packDictionary(texts(PACK_ABOVE + 1));
    expect(big).toBeInstanceOf(PackedStrings);
    const more = extendDictionary(big, ['x', 'y']);
    expect(more.length).toBe(PACK_ABOVE + 3);
    expect([entryOf(more, PACK_ABOVE), entryOf(more, PACK_ABOVE + 2)]).toEqual([
      texts(PACK_ABOVE + 1)[PACK_ABOVE],
      'y',
    ]);
    expect(big.length).toBe(PACK_ABOVE + 1);
    expect(entryOf(big, PACK_ABOVE + 1)).toBeUndefined();
    const small = ['a', 'b'];
    expect(packDictionary(small)).toBe(small);
    expect(extendDictionary(small, ['c'])).toEqual(['a', 'b', 'c']);
    expect(small).toEqual(['a', 'b']);
  });

  it('maps a large indexed dictionary onto a small one by reading the small one', () => {
    const big = packDictionary(texts(PACK_ABOVE + 10));
    if (!(big instanceof PackedStrings)) throw new Error('not packed');
    const small = ['id-5', 'nope', 'id-60000'];
    dictionaryCode(big);
    dictionaryCode(small);
    const reads = vi.spyOn(big, 'at');
    const map = mapDictionary(big, small);
    // One read per string found (the index compares it), not one per big entry.
    expect(reads.mock.calls.length).toBeLessThanOrEqual(2 * small.length);
    expect([map[5], map[60000], map[6], map.length]).toEqual([0, 2, -1, big.length]);
    expect([...mapDictionary(small, big)]).toEqual([5, -1, 60000]);
  });

  it('decodes codes the same from an array and from packed strings', () => {
    const src = texts(PACK_ABOVE + 10);
    const codes = Int32Array.from({ length: 5000 }, (_v, i) => (i * 7919) % src.length);
    const fromArray: unknown[] = [];
    const fromPacked: unknown[] = [];
    decodeCodes(src, codes, fromArray);
    decodeCodes(packDictionary(src), codes, fromPacked);
    expect(fromPacked).toEqual(fromArray);
    expect(fromArray[3]).toBe(src[(3 * 7919) % src.length]);
  });
});

describe("the store's string column", () => {
  it('switches to packed storage past the threshold and keeps every code', () => {
    const col = appendColumn('c', 'string');
    for (let i = 0; i < 1000; i++) col.push(`v${i}`);
    const early = col.view(1000);
    if (early.kind !== 'dict') throw new Error('not a dictionary column');
    expect(Array.isArray(early.dict)).toBe(true);
    const n = PACK_ABOVE + 2000;
    for (let i = 1000; i < n; i++) col.push(`v${i}`);
    // Values seen before keep their codes once packed.
    col.push('v5');
    col.push('');
    const view = col.view(n + 2);
    if (view.kind !== 'dict') throw new Error('not a dictionary column');
    expect(view.dict).toBeInstanceOf(PackedStrings);
    expect(view.codes[n]).toBe(view.codes[5]);
    expect([entryOf(view.dict, view.codes[n]!), col.get(n + 1), col.get(n - 1)]).toEqual([
      'v5',
      '',
      `v${n - 1}`,
    ]);
    for (let r = 0; r < n; r += 997) expect(entryOf(view.dict, view.codes[r]!)).toBe(`v${r}`);
    // The early view is untouched, and its shared index knows no later strings.
    expect(early.dict.length).toBe(1001);
    expect(dictionaryCode(early.dict)(`v${n - 1}`)).toBe(-1);
    expect(dictionaryCode(view.dict)(`v${n - 1}`)).toBe(view.codes[n - 1]);

    // The same dictionary serves until a value is added; then a longer one, the old unchanged.
    col.push('v6');
    const again = col.view(n + 3);
    if (again.kind !== 'dict') throw new Error('not a dictionary column');
    expect(again.dict).toBe(view.dict);
    col.push('new');
    const later = col.view(n + 4);
    if (later.kind !== 'dict') throw new Error('not a dictionary column');
    expect(later.dict).not.toBe(view.dict);
    expect(entryOf(later.dict, later.codes[n + 3]!)).toBe('new');
    expect(dictionaryCode(view.dict)('new')).toBe(-1);
  });

  it('adopts a packed dictionary and keeps appending', () => {
    const src = ['', ...texts(PACK_ABOVE + 5).filter((t) => t !== '')];
    const unique = [...new Set(src)];
    const codes = Int32Array.from(unique, (_v, i) => i);
    const col = appendColumnFrom('c', 'string', {
      kind: 'dict',
      codes,
      dict: packDictionary(unique),
    });
    col.push(unique[7]!);
    col.push('after');
    const view = col.view(unique.length + 2);
    if (view.kind !== 'dict') throw new Error('not a dictionary column');
    expect(view.codes[unique.length]).toBe(7);
    expect(entryOf(view.dict, view.codes[unique.length + 1]!)).toBe('after');
    expect(entryOf(view.dict, view.codes[unique.length - 1]!)).toBe(unique.at(-1));
  });
});

const T0 = Date.UTC(2024, 0, 1);
const GATEWAY_ROWS = PACK_ABOVE + 4000;

function rows(): { gateway: LogRow[]; llm: LogRow[] } {
  const gateway: LogRow[] = Array.from({ length: GATEWAY_ROWS }, (_v, i) => ({
    TimeGenerated: new Date(T0 + i * 1000).toISOString(),
    ApimSubscriptionId: ['bu-hr', 'bu-it', 'bu-ops'][i % 3]!,
    CorrelationId: `c-${i}`,
    ResponseCode: i % 11 === 0 ? 500 : 200,
  }));
  // Every seventh request has an LLM row, some two; a few LLM rows match no request.
  const llm: LogRow[] = [];
  for (let i = 0; i < GATEWAY_ROWS; i += 7) {
    llm.push({
      TimeGenerated: new Date(T0 + i * 1000).toISOString(),
      CorrelationId: `c-${i}`,
      PromptTokens: i % 50,
    });
    if (i % 3 === 0)
      llm.push({
        TimeGenerated: new Date(T0 + i * 1000).toISOString(),
        CorrelationId: `c-${i}`,
        PromptTokens: 1,
      });
  }
  for (let i = 0; i < 40; i++)
    llm.push({
      TimeGenerated: new Date(T0).toISOString(),
      CorrelationId: `x-${i}`,
      PromptTokens: 100 + i,
    });
  return { gateway, llm };
}

const QUERIES = [
  `ApiManagementGatewayLlmLog
   | join kind=leftouter (ApiManagementGatewayLogs | project CorrelationId, Bu = ApimSubscriptionId) on CorrelationId
   | summarize Tokens = sum(PromptTokens), n = count(), unmatched = countif(isempty(CorrelationId1)) by Bu | order by Bu asc`,
  `ApiManagementGatewayLogs | join kind=inner (ApiManagementGatewayLlmLog | summarize P = sum(PromptTokens) by CorrelationId) on CorrelationId
   | order by P desc, CorrelationId asc | take 5 | project CorrelationId, P, ApimSubscriptionId`,
  `ApiManagementGatewayLogs | where ResponseCode == 500
   | join kind=fullouter ApiManagementGatewayLlmLog on CorrelationId
   | summarize left = countif(isempty(CorrelationId)), right = countif(isempty(CorrelationId1)), both = countif(CorrelationId == CorrelationId1)`,
  `union (ApiManagementGatewayLogs | project CorrelationId), (ApiManagementGatewayLlmLog | project CorrelationId), (print CorrelationId = 'only-here')
   | summarize n = count() by CorrelationId | summarize keys = count(), rows = sum(n), top = max(n)`,
  `union ApiManagementGatewayLogs, ApiManagementGatewayLlmLog | where CorrelationId in ('c-7', 'x-3', 'c-70000', 'only-here')
   | summarize n = count() by CorrelationId | order by CorrelationId asc`,
  `ApiManagementGatewayLogs | where CorrelationId startswith 'c-6553' or CorrelationId == 'c-12' | order by CorrelationId desc | project CorrelationId, ResponseCode`,
  `ApiManagementGatewayLogs | order by CorrelationId desc | take 5 | project CorrelationId`,
  `ApiManagementGatewayLogs | summarize any = take_any(CorrelationId), d = dcount(CorrelationId), lo = min(CorrelationId), hi = max(CorrelationId) by ApimSubscriptionId
   | project ApimSubscriptionId, d, lo, hi, known = any startswith 'c-' | order by ApimSubscriptionId asc`,
  `ApiManagementGatewayLogs | distinct CorrelationId | count`,
  `ApiManagementGatewayLogs | extend k = strcat(CorrelationId, '/', ApimSubscriptionId) | summarize d = dcount(k), longer = countif(strlen(k) > 12)`,
  `ApiManagementGatewayLlmLog | lookup kind=leftouter (ApiManagementGatewayLogs | project CorrelationId, ApimSubscriptionId) on CorrelationId
   | summarize n = count(), t = sum(PromptTokens) by ApimSubscriptionId | order by ApimSubscriptionId asc`,
  `ApiManagementGatewayLogs | join kind=leftanti ApiManagementGatewayLlmLog on CorrelationId | summarize n = count(), lowest = min(CorrelationId)`,
];

describe('the engine over a packed key', () => {
  const { gateway, llm } = rows();
  const values = new MemorySource({
    ApiManagementGatewayLogs: gateway,
    ApiManagementGatewayLlmLog: llm,
  });
  const store = createLogStore({});
  store.appendRows('ApiManagementGatewayLogs', gateway);
  store.appendRows('ApiManagementGatewayLlmLog', llm);

  it('holds the gateway key packed and the smaller LLM key as an array', () => {
    const key = (table: string) => {
      const c = store.getTable(table)!.column!('CorrelationId');
      if (c?.kind !== 'dict') throw new Error('not a dictionary column');
      return c.dict;
    };
    expect(key('ApiManagementGatewayLogs')).toBeInstanceOf(PackedStrings);
    expect(Array.isArray(key('ApiManagementGatewayLlmLog'))).toBe(true);
  });

  answersAsOverValues(QUERIES, () => ({ values, store }), 'a packed key');
});
