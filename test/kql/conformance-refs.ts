/**
 * The reference page of a conformance case, from the operator or function its name starts with
 * (`summarize: ...`, `round(): ...`): learn.microsoft.com/kusto/query/<page>.
 */
const BASE = 'https://learn.microsoft.com/kusto/query/';

const OPERATORS = new Set([
  'summarize',
  'join',
  'where',
  'top',
  'order',
  'sort',
  'take',
  'limit',
  'range',
  'print',
  'extend',
  'count',
  'union',
  'project',
  'project-away',
  'project-rename',
  'project-keep',
  'project-reorder',
  'distinct',
  'datatable',
  'filter',
  'mv-expand',
  'make-series',
  'lookup',
  'serialize',
  'as',
  'render',
  'top-nested',
  'parse',
  'evaluate',
  'between',
  'in',
]);

const AGGREGATES = new Set([
  'count',
  'countif',
  'sum',
  'sumif',
  'avg',
  'avgif',
  'max',
  'min',
  'maxif',
  'minif',
  'dcount',
  'dcountif',
  'make_list',
  'make_list_if',
  'make_set',
  'make_set_if',
  'make_bag',
  'make_bag_if',
  'arg_max',
  'arg_min',
  'take_any',
  'take_anyif',
  'percentile',
  'percentiles',
  'stdev',
  'variance',
]);

const SPECIAL: Record<string, string> = {
  order: 'order-by-operator',
  sort: 'sort-operator',
  filter: 'where-operator',
  limit: 'take-operator',
  let: 'let-statement',
  timespan: 'scalar-data-types/timespan',
  datetime: 'scalar-data-types/datetime',
  dynamic: 'scalar-data-types/dynamic',
  long: 'scalar-data-types/long',
  int: 'scalar-data-types/int',
  real: 'scalar-data-types/real',
  arithmetic: 'numerical-operators',
  operator: 'numerical-operators',
  '%': 'numerical-operators',
  '<': 'numerical-operators',
  '==': 'string-operators',
  '!=': 'string-operators',
  '=~': 'string-operators',
  '!~': 'string-operators',
  and: 'logical-operators',
  or: 'logical-operators',
  '!between': 'not-between-operator',
  'in~': 'in-operator',
  '!in': 'not-in-operator',
  '!in~': 'not-in-operator',
  view: 'let-statement',
  bag_unpack: 'bag-unpack-plugin',
};

/** The reference page URL for a case name. */
export function refOf(name: string): string {
  const token = /^[^:( ']+/.exec(name)?.[0] ?? name;
  if (SPECIAL[token]) return BASE + SPECIAL[token];
  if (/^!?(has|contains|startswith|endswith|hasprefix|hassuffix|matches)/.test(token))
    return `${BASE}string-operators`;
  if (OPERATORS.has(token)) return `${BASE}${token}-operator`;
  if (AGGREGATES.has(token)) return `${BASE}${token.replace(/_/g, '-')}-aggregation-function`;
  return `${BASE}${token.replace(/_/g, '-')}-function`;
}
