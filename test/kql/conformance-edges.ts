/**
 * Conformance cases for operators, aggregations and `let` functions: empty input, nulls,
 * dynamic values, operator parameters. Reference pages derived from the names.
 */
import type { ConformanceCase } from './conformance-cases.js';
import type { ExpectedTable } from './table-equal.js';

const c = (name: string, query: string, expect: ExpectedTable | 'refuse'): ConformanceCase => ({
  name,
  query,
  expect,
});
const ARR = `datatable(Val:long, Arr1:dynamic)[1, dynamic(['A1','A2','A3']), 5, dynamic(['A2','C1']), 7, dynamic(['A4','A5']), 10, dynamic(['A1','C1'])]`;

export const EDGE_CASES: ConformanceCase[] = [
  c(
    'make_set: array values are flattened (set from array column)',
    `${ARR} | summarize s = make_set(Arr1)`,
    {
      cols: ['s:dynamic'],
      rows: [[['A1', 'A2', 'A3', 'C1', 'A4', 'A5']]],
    },
  ),
  c('make_list: array values are flattened', `${ARR} | summarize l = make_list(Arr1)`, {
    rows: [[['A1', 'A2', 'A3', 'A2', 'C1', 'A4', 'A5', 'A1', 'C1']]],
  }),
  c('make_set: maxSize caps the elements', `${ARR} | summarize s = make_set(Val, 2)`, {
    rows: [[[1, 5]]],
  }),
  c('make_list: maxSize caps the elements', `${ARR} | summarize l = make_list(Val, 3)`, {
    rows: [[[1, 5, 7]]],
  }),
  c('make_list_if: predicate and maxSize', `${ARR} | summarize l = make_list_if(Val, Val > 1, 2)`, {
    rows: [[[5, 7]]],
  }),
  c('make_set_if: predicate', `${ARR} | summarize s = make_set_if(Val, Val > 5)`, {
    rows: [[[7, 10]]],
  }),
  c(
    'make_list: nulls are ignored',
    `datatable(x:long)[1, long(null), 2] | summarize l = make_list(x)`,
    { rows: [[[1, 2]]] },
  ),
  c(
    'make_list: timespans keep their text form',
    `datatable(t:timespan)[1h, 2m] | summarize l = make_list(t)`,
    { rows: [[['01:00:00', '00:02:00']]] },
  ),
  c(
    'make_list: empty input gives an empty array',
    `datatable(x:long)[] | summarize l = make_list(x)`,
    { rows: [[[]]] },
  ),
  c(
    'make_bag: union of the bags',
    `datatable(b:dynamic)[dynamic({'a':1}), dynamic({'b':2}), dynamic(null)] | summarize m = make_bag(b)`,
    {
      cols: ['m:dynamic'],
      rows: [[{ a: 1, b: 2 }]],
    },
  ),
  c(
    'make_bag: non-bag values are skipped',
    `datatable(b:dynamic)[dynamic([1]), dynamic({'k':'v'})] | summarize m = make_bag(b)`,
    { rows: [[{ k: 'v' }]] },
  ),
  c(
    'make_bag_if: predicate',
    `datatable(b:dynamic, f:bool)[dynamic({'a':1}), true, dynamic({'b':2}), false] | summarize m = make_bag_if(b, f)`,
    { rows: [[{ a: 1 }]] },
  ),
  c('sum: empty input is 0', `datatable(x:long)[] | summarize s = sum(x)`, { rows: [[0]] }),
  c('avg: all nulls give null', `datatable(x:long)[long(null)] | summarize a = avg(x)`, {
    rows: [[null]],
  }),
  c(
    'dcount: nulls are not counted',
    `datatable(x:long)[1, 1, long(null), 2] | summarize d = dcount(x)`,
    { rows: [[2]] },
  ),
  c(
    'dcount: the accuracy argument is accepted (the local count is exact)',
    `datatable(x:long)[1, 2, 2] | summarize d = dcount(x, 2)`,
    { rows: [[2]] },
  ),
  c(
    'countif: null predicate is not counted',
    `datatable(x:long)[1, long(null), 3] | summarize n = countif(x > 1)`,
    { rows: [[1]] },
  ),
  c('max: strings ordinal', `datatable(s:string)['b', 'a', 'c'] | summarize m = max(s)`, {
    rows: [['c']],
  }),
  c('min: empty input gives null', `datatable(x:long)[] | summarize m = min(x)`, {
    rows: [[null]],
  }),
  c('percentile: nearest rank', `range x from 1 to 10 step 1 | summarize p = percentile(x, 50)`, {
    rows: [[5]],
  }),
  c(
    'stdev: sample standard deviation',
    `datatable(x:real)[2, 4, 4, 4, 5, 5, 7, 9] | summarize s = round(stdev(x), 4)`,
    { rows: [[2.1381]] },
  ),
  c(
    'union: kind=inner keeps the common columns',
    `union kind=inner (print a = 1, b = 2), (print a = 3, c = 4)`,
    {
      cols: ['a:long'],
      rows: [[1], [3]],
    },
  ),
  c(
    'union: kind=outer fills missing columns with null',
    `union kind=outer (print a = 1, b = 2), (print a = 3, c = 4)`,
    {
      rows: [
        [1, 2, null],
        [3, null, 4],
      ],
    },
  ),
  c(
    'union: withsource names the input',
    `union withsource=T (print a = 1), (print a = 2) | project a`,
    { rows: [[1], [2]] },
  ),
  c(
    'let: scalar function with a default parameter',
    `let f = (x:long, y:long = 2) { x * y }; print a = f(3), b = f(3, 3)`,
    { rows: [[6, 9]] },
  ),
  c(
    'let: function body with its own let',
    `let f = (x:long) { let z = x * 2; z + 1 }; print a = f(3)`,
    { rows: [[7]] },
  ),
  c(
    'let: scalar function over a column',
    `let f = (x:long) { x * 10 }; range x from 1 to 3 step 1 | extend y = f(x)`,
    {
      rows: [
        [1, 10],
        [2, 20],
        [3, 30],
      ],
    },
  ),
  c(
    'let: tabular function with a scalar parameter',
    `let g = (n:long) { range x from 1 to 10 step 1 | take n }; g(2)`,
    { rows: [[1], [2]] },
  ),
  c(
    'let: tabular function with a tabular parameter',
    `let h = (T:(x:long)) { T | summarize s = sum(x) }; h((range x from 1 to 4 step 1))`,
    {
      rows: [[10]],
    },
  ),
  c('view: a let view used by name', `let V = view () { print a = 1 }; V`, { rows: [[1]] }),
  c(
    'let: a function calling another function',
    `let f = (x:long) { x + 1 }; let g = (x:long) { f(x) * 2 }; print v = g(1)`,
    { rows: [[4]] },
  ),
  c(
    'let: string function result',
    `let greet = (s:string) { strcat('hi ', s) }; print v = greet('ann')`,
    { rows: [['hi ann']] },
  ),
  c('take: zero rows', `range x from 1 to 3 step 1 | take 0`, { rows: [] }),
  c('top: more than the rows', `range x from 1 to 2 step 1 | top 5 by x asc`, { rows: [[1], [2]] }),
  c('top: nulls last when descending', `datatable(x:long)[long(null), 1, 2] | top 3 by x`, {
    rows: [[2], [1], [null]],
  }),
  c(
    'summarize: by a bin of nulls groups the nulls',
    `datatable(t:datetime)[datetime(null), datetime(2024-01-01 10:10)] | summarize n = count() by b = bin(t, 1h)`,
    {
      unordered: true,
      rows: [
        [null, 1],
        ['2024-01-01T10:00:00.000Z', 1],
      ],
    },
  ),
  c(
    'summarize: empty input with by gives no rows',
    `datatable(x:long)[] | summarize n = count() by x`,
    { rows: [] },
  ),
  c('extend: replaces a column in place', `print a = 1, b = 2 | extend a = 5`, {
    cols: ['a:long', 'b:long'],
    rows: [[5, 2]],
  }),
  c('mv-expand: an array column', `print d = dynamic([1, 2]) | mv-expand d`, { rows: [[1], [2]] }),
  c('mv-expand: empty array gives no row', `print d = dynamic([]) | mv-expand d`, { rows: [] }),
  c('distinct: strings with empty values', `datatable(s:string)['a', '', 'a', ''] | distinct s`, {
    unordered: true,
    rows: [['a'], ['']],
  }),
  c(
    'join: kind=leftanti',
    `datatable(k:long)[1, 2, 3] | join kind=leftanti (datatable(k:long)[2]) on k`,
    { rows: [[1], [3]] },
  ),
  c(
    'join: null keys never match',
    `datatable(k:long)[long(null), 1] | join kind=inner (datatable(k:long)[long(null), 1]) on k | count`,
    { rows: [[1]] },
  ),
  // Predicates of countif/sumif/dcountif are decided column-wise for simple forms (expr-mask.ts);
  // these pin that path to the row-by-row null rules.
  c(
    'countif: != is true on null rows, == is not',
    `datatable(x:long)[1, long(null), 3] | summarize ne = countif(x != 1), eq = countif(x == 1)`,
    { rows: [[2, 1]] },
  ),
  c(
    'countif: between and !between with constant bounds skip nulls',
    `datatable(x:long)[200, 250, 299, 300, long(null), 199] | summarize a = countif(x between (200 .. 299)), b = countif(x !between (200 .. 299))`,
    { rows: [[3, 2]] },
  ),
  c(
    'countif: and / or of comparisons where a side is null',
    `datatable(x:long, y:long)[1, 1, 2, long(null), long(null), 3] | summarize a = countif(x >= 1 and y >= 1), o = countif(x > 1 or y > 2)`,
    { rows: [[1, 2]] },
  ),
  c(
    'countif: a bool column compared with true',
    `datatable(b:bool)[true, false, bool(null), true] | summarize n = countif(b == true), m = countif(b != true)`,
    { rows: [[2, 2]] },
  ),
  c(
    'countif: datetime between a start and a timespan',
    `datatable(t:datetime)[datetime(2024-01-01), datetime(2024-01-01 12:00), datetime(2024-01-03)] | summarize n = countif(t between (datetime(2024-01-01) .. 1d))`,
    { rows: [[2]] },
  ),
  c(
    'sumif / avgif / maxif: a null predicate is not true',
    `datatable(x:long, f:bool)[1, true, 2, false, 3, bool(null), 4, true] | summarize s = sumif(x, f), a = avgif(x, f), m = maxif(x, f)`,
    { rows: [[5, 2.5, 4]] },
  ),
  c(
    'dcount: distinct strings per group',
    `datatable(g:string, s:string)['a', 'x', 'a', 'y', 'b', 'x', 'a', 'x', 'b', 'z'] | summarize d = dcount(s) by g`,
    {
      rows: [
        ['a', 2],
        ['b', 2],
      ],
    },
  ),
  c(
    'dcountif: distinct strings where the predicate is true',
    `datatable(s:string, x:long)['a', 1, 'b', 2, 'a', 3, 'c', long(null)] | summarize d = dcountif(s, x > 1)`,
    { rows: [[2]] },
  ),
  c(
    'max / min: numbers and nulls mixed',
    `datatable(x:real)[2.5, real(null), -1, 7] | summarize hi = max(x), lo = min(x)`,
    { rows: [[7, -1]] },
  ),
  // bin() of a column with a constant step is computed a column at a time (expr-vector.ts).
  c(
    'bin: week bins of a datetime column align on 0001-01-01 (a Monday), nulls stay null',
    `datatable(t:datetime)[datetime(2024-01-03), datetime(2024-01-08 05:00), datetime(null)] | extend w = bin(t, 7d) | project w`,
    { rows: [['2024-01-01T00:00:00.000Z'], ['2024-01-08T00:00:00.000Z'], [null]] },
  ),
  c(
    'bin: long and real columns, as a summarize key',
    `datatable(x:long, y:real)[7, 2.5, -3, -0.5, 12, 9.75] | summarize n = count() by bx = bin(x, 5), by = floor(y, 2) | order by bx asc`,
    {
      rows: [
        [-5, -2, 1],
        [5, 2, 1],
        [10, 8, 1],
      ],
    },
  ),
];
