/**
 * Workbook parameters and their substitution: the portal replaces `{Name}` and `{Name:option}`
 * as plain text before a query runs (the Azure Monitor workbook parameters docs). The kit resolves each parameter to its
 * default so the same queries can be validated and executed outside the portal.
 */
import { WorkbookError } from '../errors.js';
import type { WorkbookDocument, WorkbookItem, WorkbookParameter } from './workbook-json.js';

/** Where a reference appears: queries get the query form of a time range, text its label. */
export type SubstitutionContext = 'query' | 'text';

/** A parameter with the value the kit resolves it to. */
export interface ResolvedParameter {
  name: string;
  label: string;
  /** `text`, `dropdown`, `timeRange`, `tab` (set by the tab links) or `export` (set by selecting a grid row). */
  kind: 'text' | 'dropdown' | 'timeRange' | 'tab' | 'export';
  /** Default value: text as typed, a drop-down's selected values, a time range's duration in ms. */
  value: string | string[] | number;
  /** How a person reads the value, e.g. `Last 24 hours`. */
  display: string;
  quote?: string;
  delimiter?: string;
  /** The parameter's validation rules (`typeSettings.paramValidationRules`), as the portal checks typed values. */
  rules?: ValidationRule[];
}

/** A rule a typed value must follow (`match: true`) or must not (`match: false`). */
export interface ValidationRule {
  regExp: string;
  match: boolean;
  message: string;
}

/**
 * Every parameter a workbook declares or sets, with its default: parameter items, the
 * `selectedTab` of tab links (first tab) and grid-row exports (their `exportDefaultValue`).
 */
export function collectParameters(workbook: WorkbookDocument): Map<string, ResolvedParameter> {
  const params = new Map<string, ResolvedParameter>();
  walk(workbook.items, (item) => {
    const c = item.content;
    if (item.type === 9) for (const p of c.parameters ?? []) params.set(p.name, resolveDeclared(p));
    if (item.type === 11 && c.style === 'tabs') {
      const first = (c.links ?? []).find((l) => l.linkTarget === 'parameter' && l.cellValue);
      if (first?.cellValue && !params.has(first.cellValue)) {
        params.set(first.cellValue, {
          name: first.cellValue,
          label: 'Tab',
          kind: 'tab',
          value: first.subTarget ?? '',
          display: first.linkLabel ?? first.subTarget ?? '',
        });
      }
    }
    if (item.type === 3 && c.exportParameterName) {
      const value = c.exportDefaultValue ?? '';
      params.set(c.exportParameterName, {
        name: c.exportParameterName,
        label: c.exportParameterName,
        kind: 'export',
        value,
        display: value === '*' ? 'all (select a row)' : value,
      });
    }
  });
  return params;
}

function resolveDeclared(p: WorkbookParameter): ResolvedParameter {
  const label = p.label ?? p.name;
  if (p.type === 4) {
    const durationMs = Number(
      (p.value as { durationMs?: unknown } | undefined)?.durationMs ?? 86_400_000,
    );
    return {
      name: p.name,
      label,
      kind: 'timeRange',
      value: durationMs,
      display: durationLabel(durationMs),
    };
  }
  if (p.type === 2) {
    const values = Array.isArray(p.value)
      ? p.value.map(String)
      : p.value === undefined
        ? []
        : [String(p.value)];
    return {
      name: p.name,
      label,
      kind: 'dropdown',
      value: p.multiSelect ? values : (values[0] ?? ''),
      display: values.join(', '),
      quote: p.quote ?? "'",
      delimiter: p.delimiter ?? ',',
    };
  }
  const value = p.value === undefined || p.value === null ? '' : String(p.value);
  const rules = validationRules(p);
  return { name: p.name, label, kind: 'text', value, display: value, ...(rules ? { rules } : {}) };
}

function validationRules(p: WorkbookParameter): ValidationRule[] | undefined {
  const raw = p.typeSettings?.paramValidationRules;
  if (!Array.isArray(raw) || raw.length === 0) return undefined;
  return (raw as { regExp?: unknown; match?: unknown; message?: unknown }[]).map((r) => ({
    regExp: String(r.regExp ?? ''),
    match: r.match !== false,
    message: String(r.message ?? `must match ${String(r.regExp)}`),
  }));
}

/**
 * The rules a parameter's value breaks, as the portal would report them under the parameter
 * (one message each); empty when the value is valid or the parameter has no rules.
 * @example brokenRules(params.get('BaseCost')!) // ['Enter a plain decimal number ...']
 */
export function brokenRules(p: ResolvedParameter): string[] {
  if (p.rules === undefined || typeof p.value !== 'string') return [];
  return p.rules
    .filter((r) => new RegExp(r.regExp).test(p.value as string) !== r.match)
    .map((r) => r.message);
}

/**
 * The parameters with some values set as a user would set them in the portal (a time range in
 * ms, anything else as text; a multi-select drop-down as comma-separated text).
 * @throws {@link WorkbookError} naming a parameter the workbook does not declare.
 * @example withValues(collectParameters(workbook), { SelectedBu: 'finance', MaxRows: '50' })
 */
export function withValues(
  params: ReadonlyMap<string, ResolvedParameter>,
  values: Readonly<Record<string, string | number>>,
): Map<string, ResolvedParameter> {
  const out = new Map(params);
  for (const [name, raw] of Object.entries(values)) {
    const p = params.get(name);
    if (p === undefined)
      throw new WorkbookError(
        `The workbook has no parameter ${name}; it has ${[...params.keys()].join(', ')}.`,
      );
    if (p.kind === 'timeRange') {
      const ms = Number(raw);
      out.set(name, { ...p, value: ms, display: durationLabel(ms) });
    } else if (p.kind === 'dropdown' && Array.isArray(p.value)) {
      const list = String(raw).split(',');
      out.set(name, { ...p, value: list, display: list.join(', ') });
    } else {
      out.set(name, { ...p, value: String(raw), display: String(raw) });
    }
  }
  return out;
}

/** `Last 24 hours`-style label of a duration, as the portal shows it. */
export function durationLabel(durationMs: number): string {
  const units: [number, string][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
  ];
  for (const [size, unit] of units) {
    if (durationMs % size === 0) {
      const n = durationMs / size;
      if (unit === 'day' && n === 1) return 'Last 24 hours';
      return `Last ${n === 1 ? '' : `${n} `}${unit}${n === 1 ? '' : 's'}`;
    }
  }
  return `Last ${durationMs} ms`;
}

/** A duration as a Kusto timespan literal: `1d`, `4h`, `30m` or `1500ms`. */
export function timespanLiteral(durationMs: number): string {
  if (durationMs % 86_400_000 === 0) return `${durationMs / 86_400_000}d`;
  if (durationMs % 3_600_000 === 0) return `${durationMs / 3_600_000}h`;
  if (durationMs % 60_000 === 0) return `${durationMs / 60_000}m`;
  return `${durationMs}ms`;
}

/** Options of {@link substituteParameters}. */
export interface SubstituteOptions {
  context: SubstitutionContext;
  /** The "now" of relative time ranges (`{TimeRange:start}`). @default new Date() */
  now?: Date;
}

/**
 * Replaces `{Name}` and `{Name:option}` references of known parameters; anything else in braces
 * (a KQL dynamic literal, an unknown name) is left alone.
 * - time range: query form `> ago(1d)`, text form the label; options `:label`, `:query`,
 *   `:value` (duration in ms), `:start`, `:end` (ISO datetimes), `:grain` (a bin size);
 * - drop-down: selected values, quoted and joined for multi-select; `:label` the display text;
 * - text, tab and export parameters: the value as typed.
 * @example substituteParameters("T | where TimeGenerated {TimeRange}", params, { context: 'query' })
 */
export function substituteParameters(
  text: string,
  params: ReadonlyMap<string, ResolvedParameter>,
  options: SubstituteOptions,
): string {
  const now = options.now ?? new Date();
  return text.replace(
    /\{([A-Za-z_][A-Za-z0-9_]*)(?::([A-Za-z]+))?\}/g,
    (whole, name: string, option?: string) => {
      const p = params.get(name);
      if (p === undefined) return whole;
      return render(p, option?.toLowerCase(), options.context, now) ?? whole;
    },
  );
}

function render(
  p: ResolvedParameter,
  option: string | undefined,
  context: SubstitutionContext,
  now: Date,
): string | undefined {
  if (p.kind === 'timeRange') {
    const ms = p.value as number;
    switch (option) {
      case undefined:
        return context === 'query' ? `> ago(${timespanLiteral(ms)})` : p.display;
      case 'query':
        return `> ago(${timespanLiteral(ms)})`;
      case 'label':
        return p.display;
      case 'value':
        return String(ms);
      case 'start':
        return new Date(now.getTime() - ms).toISOString();
      case 'end':
        return now.toISOString();
      case 'grain':
        return timespanLiteral(grainFor(ms));
      default:
        return undefined;
    }
  }
  if (p.kind === 'dropdown') {
    if (option === 'label') return p.display;
    if (option !== undefined && option !== 'value') return undefined;
    if (Array.isArray(p.value)) {
      const q = p.quote ?? "'";
      return p.value.map((v) => `${q}${v}${q}`).join(`${p.delimiter ?? ','} `);
    }
    return String(p.value);
  }
  if (option === undefined || option === 'value') return String(p.value);
  if (option === 'label') return p.display;
  return undefined;
}

/** A bin size that gives about 100 points over the range, rounded to a familiar unit. */
function grainFor(durationMs: number): number {
  const steps = [
    60_000, 300_000, 900_000, 1_800_000, 3_600_000, 21_600_000, 43_200_000, 86_400_000,
  ];
  return steps.find((s) => durationMs / s <= 100) ?? 86_400_000;
}

/** Calls `visit` for every item, depth first (groups before their children). */
export function walk(
  items: readonly WorkbookItem[],
  visit: (item: WorkbookItem, parents: readonly WorkbookItem[]) => void,
  parents: readonly WorkbookItem[] = [],
): void {
  for (const item of items) {
    visit(item, parents);
    if (item.type === 12) walk(item.content.items ?? [], visit, [...parents, item]);
  }
}
