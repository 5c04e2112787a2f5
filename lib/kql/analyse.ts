/**
 * Parsing and semantic analysis with the official Kusto parser, and diagnostics with 1-based
 * line and column. Analysed code is cached by text (the same queries run many times).
 */
import { kitGlobalState } from './global-state.js';
import { kusto, listToArray, type KCode } from './kusto-language.js';
import type { KqlDiagnostic } from './types.js';

const MAX_CACHE = 256;
const cache = new Map<string, KCode>();

/** Parses and analyses a query against the kit's tables (cached by text). */
export function analyse(text: string): KCode {
  const hit = cache.get(text);
  if (hit) return hit;
  const code = kusto().KustoCode.ParseAndAnalyze(text, kitGlobalState());
  if (cache.size >= MAX_CACHE) cache.delete(cache.keys().next().value as string);
  cache.set(text, code);
  return code;
}

/** Offsets where each line starts. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

/** 1-based line and column of an offset. */
export function positionOf(
  starts: readonly number[],
  offset: number,
): { line: number; column: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - starts[lo]! + 1 };
}

function severityOf(s: string): KqlDiagnostic['severity'] {
  const v = s.toLowerCase();
  return v === 'error' || v === 'warning' || v === 'suggestion' ? v : 'information';
}

/** The parser's diagnostics for analysed code. */
export function diagnosticsOf(code: KCode, file: string): KqlDiagnostic[] {
  const starts = lineStarts(code.Text);
  return listToArray(code.GetDiagnostics()).map((d) => {
    const p = positionOf(starts, d.HasLocation ? d.Start : 0);
    return {
      file,
      line: p.line,
      column: p.column,
      message: d.Message,
      severity: severityOf(d.Severity),
      code: d.Code,
    };
  });
}
