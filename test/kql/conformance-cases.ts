/**
 * Conformance cases for the local KQL engine. Each case is written from the behaviour the
 * Kusto documentation states for the operator or function named first in the case name
 * (learn.microsoft.com/kusto/query/...), over tiny literal tables. `now` is 2024-01-10 12:00 UTC.
 */
import type { ExpectedTable } from './table-equal.js';

export interface ConformanceCase {
  name: string;
  query: string;
  /** The result, or `'refuse'`: the engine must throw a positioned KqlUnsupportedError. */
  expect: ExpectedTable | 'refuse';
  /** The reference page (learn.microsoft.com/kusto/query/...) the case is written from. */
  ref?: string;
}

const XY = `let X = datatable(Key:string, Value1:long)['a',1,'b',2,'b',3,'c',4];
let Y = datatable(Key:string, Value2:long)['b',10,'c',20,'c',30,'d',40];`;

const T = `let T = datatable(Name:string, Dept:string, Salary:long, Start:datetime)[
  'ann','hr',100,datetime(2024-01-01 09:15),
  'bob','hr',200,datetime(2024-01-01 09:45),
  'cid','it',300,datetime(2024-01-01 10:05),
  'dan','it',long(null),datetime(2024-01-02 11:00),
  'eve','ops',500,datetime(2024-01-03 12:30)];`;

const c = (name: string, query: string, expect: ExpectedTable): ConformanceCase => ({
  name,
  query,
  expect,
});

export const CASES: ConformanceCase[] = [
  // ---- print, datatable, range ----
  c('print: unnamed columns are named print_<position>', `print x = 1, 'a'`, {
    cols: ['x:long', 'print_1:string'],
    rows: [[1, 'a']],
  }),
  c('print: a single row of scalars', `print a = true, b = 2.5`, {
    cols: ['a:bool', 'b:real'],
    rows: [[true, 2.5]],
  }),
  c('datatable: values fill rows in column order', `datatable(a:long, b:string)[1,'x',2,'y']`, {
    cols: ['a:long', 'b:string'],
    rows: [
      [1, 'x'],
      [2, 'y'],
    ],
  }),
  c(
    'datatable: typed datetime and bool columns',
    `datatable(d:datetime, f:bool)[datetime(2024-01-01), true]`,
    { cols: ['d:datetime', 'f:bool'], rows: [['2024-01-01T00:00:00.000Z', true]] },
  ),
  c('range: inclusive of the stop value', `range x from 1 to 5 step 2`, {
    cols: ['x:long'],
    rows: [[1], [3], [5]],
  }),
  c('range: negative step counts down', `range x from 5 to 1 step -2`, { rows: [[5], [3], [1]] }),
  c(
    'range: datetime values with a timespan step',
    `range d from datetime(2024-01-01) to datetime(2024-01-03) step 1d`,
    {
      cols: ['d:datetime'],
      rows: [
        ['2024-01-01T00:00:00.000Z'],
        ['2024-01-02T00:00:00.000Z'],
        ['2024-01-03T00:00:00.000Z'],
      ],
    },
  ),

  // ---- arithmetic and types ----
  c('long / long: integer division truncates', `print a = 7 / 2`, {
    cols: ['a:long'],
    rows: [[3]],
  }),
  c('long / long: truncates toward zero for negatives', `print a = -7 / 2`, { rows: [[-3]] }),
  c('real / long: real division', `print a = 7.0 / 2`, { cols: ['a:real'], rows: [[3.5]] }),
  c('% (modulo) on longs', `print a = 7 % 3`, { rows: [[1]] }),
  c('operator precedence: * before +', `print a = 1 + 2 * 3`, { rows: [[7]] }),
  c('int / int: integer division', `print a = int(9) / int(4)`, { cols: ['a:long'], rows: [[2]] }),
  c('arithmetic with null yields null', `print a = 1 + long(null)`, { rows: [[null]] }),
  c(
    'datetime - datetime: a timespan',
    `print d = datetime(2024-01-01 10:00) - datetime(2024-01-01 08:30)`,
    { cols: ['d:timespan'], rows: [['01:30:00']] },
  ),
  c('datetime + timespan', `print d = datetime(2024-01-01 23:00) + 2h`, {
    cols: ['d:datetime'],
    rows: [['2024-01-02T01:00:00.000Z']],
  }),
  c('timespan / timespan: a real ratio', `print r = 1h / 30m`, { cols: ['r:real'], rows: [[2]] }),
  c('timespan * long', `print t = 2h * 3`, { cols: ['t:timespan'], rows: [['06:00:00']] }),
  c('timespan literal with days prints d.hh:mm:ss', `print t = 1d + 2h`, {
    rows: [['1.02:00:00']],
  }),

  // ---- comparison and logical operators ----
  c('== is case-sensitive for strings', `print a = 'abc' == 'ABC'`, { rows: [[false]] }),
  c('=~ is case-insensitive equality', `print a = 'abc' =~ 'ABC'`, { rows: [[true]] }),
  c('!= on different strings', `print a = 'abc' != 'abd'`, { rows: [[true]] }),
  c('!~ is case-insensitive inequality', `print a = 'abc' !~ 'ABC', b = 'abc' !~ 'xyz'`, {
    rows: [[false, true]],
  }),
  c('< > <= >= on longs', `print a = 1 < 2, b = 2 > 3, c = 2 <= 2, d = 3 >= 4`, {
    rows: [[true, false, true, false]],
  }),
  c('< on datetimes', `print a = datetime(2024-01-01) < datetime(2024-01-02)`, { rows: [[true]] }),
  c('and: false wins', `print a = true and false, b = true and true`, { rows: [[false, true]] }),
  c('or: true wins', `print a = false or true, b = false or false`, { rows: [[true, false]] }),
  c('not(): negates a bool', `print a = not(true), b = not(1 > 2)`, { rows: [[false, true]] }),
  c(
    'between: inclusive range of numbers',
    `print a = 5 between (1 .. 10), b = 10 between (1 .. 10), c = 11 between (1 .. 10)`,
    { rows: [[true, true, false]] },
  ),
  c('!between: outside the range', `print a = 11 !between (1 .. 10), b = 1 !between (1 .. 10)`, {
    rows: [[true, false]],
  }),
  c(
    'between: datetimes with a timespan window',
    `print a = datetime(2024-01-01 10:30) between (datetime(2024-01-01 10:00) .. 1h)`,
    { rows: [[true]] },
  ),

  c(
    '== and != with null: the documented truth table',
    `datatable(val:int)[5, int(null)] | extend IsBiggerThan3 = val > 3 | extend IsBiggerThan3OrNull = val > 3 or isnull(val) | extend IsEqualToNull = val == int(null) | extend IsNotEqualToNull = val != int(null)`,
    {
      cols: [
        'val:int',
        'IsBiggerThan3:bool',
        'IsBiggerThan3OrNull:bool',
        'IsEqualToNull:bool',
        'IsNotEqualToNull:bool',
      ],
      rows: [
        [5, true, true, false, true],
        [null, null, true, null, null],
      ],
    },
  ),
  c(
    '== with null and a value is false; != is true',
    `print a = int(null) == 5, b = int(null) != 5`,
    { rows: [[false, true]] },
  ),
  c(
    'where: only rows whose predicate is true (null drops)',
    `datatable(val:int)[5, int(null), 1] | where val > 3 or val < 3`,
    { rows: [[5], [1]] },
  ),

  // ---- string operators ----
  c('contains: case-insensitive substring', `print a = 'North America' contains 'amer'`, {
    rows: [[true]],
  }),
  c(
    'contains_cs: case-sensitive substring',
    `print a = 'North America' contains_cs 'amer', b = 'North America' contains_cs 'Amer'`,
    { rows: [[false, true]] },
  ),
  c('!contains: no substring', `print a = 'North America' !contains 'xyz'`, { rows: [[true]] }),
  c('has: matches a whole term, case-insensitive', `print a = 'North America' has 'america'`, {
    rows: [[true]],
  }),
  c('has: a partial term does not match', `print a = 'North America' has 'amer'`, {
    rows: [[false]],
  }),
  c(
    'has_cs: whole term, case-sensitive',
    `print a = 'North America' has_cs 'America', b = 'North America' has_cs 'america'`,
    { rows: [[true, false]] },
  ),
  c('!has: term absent', `print a = 'North America' !has 'south'`, { rows: [[true]] }),
  c('has: terms are split on non-alphanumerics', `print a = 'error-code:500;ok' has '500'`, {
    rows: [[true]],
  }),
  c(
    'hasprefix: a term starts with the text',
    `print a = 'North America' hasprefix 'ame', b = 'North America' hasprefix 'rth'`,
    { rows: [[true, false]] },
  ),
  c(
    'hassuffix: a term ends with the text',
    `print a = 'North America' hassuffix 'rica', b = 'North America' hassuffix 'Nor'`,
    { rows: [[true, false]] },
  ),
  c('startswith: case-insensitive prefix', `print a = 'bu-hr' startswith 'BU-'`, {
    rows: [[true]],
  }),
  c('startswith_cs: case-sensitive prefix', `print a = 'bu-hr' startswith_cs 'BU-'`, {
    rows: [[false]],
  }),
  c('!startswith: prefix absent', `print a = 'bu-hr' !startswith 'xx'`, { rows: [[true]] }),
  c('endswith: case-insensitive suffix', `print a = 'gpt-4o-mini' endswith 'MINI'`, {
    rows: [[true]],
  }),
  c('endswith_cs: case-sensitive suffix', `print a = 'gpt-4o-mini' endswith_cs 'MINI'`, {
    rows: [[false]],
  }),
  c('!endswith: suffix absent', `print a = 'gpt-4o-mini' !endswith 'nano'`, { rows: [[true]] }),
  c(
    'matches regex: RE2 pattern anywhere in the text',
    `print a = 'abc123' matches regex '[0-9]+', b = 'abc' matches regex '^[0-9]+$'`,
    { rows: [[true, false]] },
  ),
  c(
    'has_any: any of the terms',
    `print a = 'North America' has_any ('south', 'america'), b = 'North America' has_any ('europe')`,
    { rows: [[true, false]] },
  ),
  c(
    'has_all: all of the terms',
    `print a = 'North America' has_all ('north', 'america'), b = 'North America' has_all ('north', 'asia')`,
    { rows: [[true, false]] },
  ),
  c('in: case-sensitive membership', `print a = 'a' in ('a', 'b'), b = 'A' in ('a', 'b')`, {
    rows: [[true, false]],
  }),
  c('in~: case-insensitive membership', `print a = 'A' in~ ('a', 'b')`, { rows: [[true]] }),
  c('!in: not a member', `print a = 'c' !in ('a', 'b'), b = 'a' !in ('a')`, {
    rows: [[true, false]],
  }),
  c('!in~: not a member, case-insensitive', `print a = 'A' !in~ ('a'), b = 'C' !in~ ('a')`, {
    rows: [[false, true]],
  }),
  c('in: a dynamic array on the right is flattened', `print a = 2 in (dynamic([1, 2, 3]))`, {
    rows: [[true]],
  }),
  c(
    'in: a let-bound dynamic list',
    `let allowed = dynamic(['x', 'y']); print a = 'y' in (allowed)`,
    { rows: [[true]] },
  ),
  c(
    'in: a tabular sub-query (first column)',
    `let ids = datatable(id:long)[1, 3]; datatable(v:long)[1, 2, 3] | where v in (ids)`,
    { rows: [[1], [3]] },
  ),

  // ---- where ----
  c('where: keeps rows whose predicate is true', `${T} T | where Salary > 150 | project Name`, {
    rows: [['bob'], ['cid'], ['eve']],
  }),
  c('where: a null predicate drops the row', `${T} T | where Salary > 0 | count`, { rows: [[4]] }),
  c('where: isnull() selects nulls', `${T} T | where isnull(Salary) | project Name`, {
    rows: [['dan']],
  }),
  c('where: string equality', `${T} T | where Dept == 'hr' | project Name`, {
    rows: [['ann'], ['bob']],
  }),
  c(
    'where: combined with and/or',
    `${T} T | where Dept == 'it' or (Dept == 'hr' and Salary > 150) | project Name`,
    { rows: [['bob'], ['cid'], ['dan']] },
  ),
  c('where: datetime comparison', `${T} T | where Start >= datetime(2024-01-02) | project Name`, {
    rows: [['dan'], ['eve']],
  }),
  c('filter: alias of where', `datatable(a:long)[1,2,3] | filter a != 2`, { rows: [[1], [3]] }),

  // ---- extend, project, project-away, project-rename, project-keep, project-reorder ----
  c('extend: adds a computed column', `datatable(a:long)[1,2] | extend b = a * 10`, {
    cols: ['a:long', 'b:long'],
    rows: [
      [1, 10],
      [2, 20],
    ],
  }),
  c(
    "extend: a second extend may use the first one's column",
    `datatable(a:long)[1] | extend b = a + 1 | extend c = b * 2`,
    { rows: [[1, 2, 4]] },
  ),
  c(
    'extend: same name replaces the column in place',
    `datatable(a:long, b:long)[1, 2] | extend a = 10`,
    { cols: ['a:long', 'b:long'], rows: [[10, 2]] },
  ),
  c('extend: unnamed expression gets Column1', `datatable(a:long)[1] | extend a + 1`, {
    cols: ['a:long', 'Column1:long'],
    rows: [[1, 2]],
  }),
  c(
    'project: selects and orders columns',
    `datatable(a:long, b:string, c:bool)[1,'x',true] | project c, a`,
    { cols: ['c:bool', 'a:long'], rows: [[true, 1]] },
  ),
  c('project: renames and computes', `datatable(a:long)[3] | project x = a, y = a * a`, {
    cols: ['x:long', 'y:long'],
    rows: [[3, 9]],
  }),
  c(
    'project-away: removes columns',
    `datatable(a:long, b:string, c:bool)[1,'x',true] | project-away b`,
    { cols: ['a:long', 'c:bool'], rows: [[1, true]] },
  ),
  c('project-away: wildcard', `datatable(a1:long, a2:long, b:long)[1,2,3] | project-away a*`, {
    cols: ['b:long'],
    rows: [[3]],
  }),
  c(
    'project-rename: renames in place',
    `datatable(a:long, b:string)[1,'x'] | project-rename z = a`,
    { cols: ['z:long', 'b:string'], rows: [[1, 'x']] },
  ),
  c(
    'project-keep: keeps the listed columns in table order',
    `datatable(a:long, b:string, c:bool)[1,'x',true] | project-keep c, a`,
    { cols: ['a:long', 'c:bool'], rows: [[1, true]] },
  ),
  c(
    'project-reorder: moves listed columns first',
    `datatable(a:long, b:string, c:bool)[1,'x',true] | project-reorder c`,
    { cols: ['c:bool', 'a:long', 'b:string'], rows: [[true, 1, 'x']] },
  ),

  // ---- summarize and aggregates ----
  c('summarize count(): column count_', `${T} T | summarize count()`, {
    cols: ['count_:long'],
    rows: [[5]],
  }),
  c(
    'summarize by: key columns come first',
    `${T} T | summarize count() by Dept | order by Dept asc`,
    {
      cols: ['Dept:string', 'count_:long'],
      rows: [
        ['hr', 2],
        ['it', 2],
        ['ops', 1],
      ],
    },
  ),
  c(
    'summarize sum(): column sum_X, nulls ignored',
    `${T} T | summarize sum(Salary) by Dept | order by Dept asc`,
    {
      cols: ['Dept:string', 'sum_Salary:long'],
      rows: [
        ['hr', 300],
        ['it', 300],
        ['ops', 500],
      ],
    },
  ),
  c(
    'summarize avg(): real, nulls ignored',
    `datatable(x:long)[1, 2, long(null)] | summarize avg(x)`,
    { cols: ['avg_x:real'], rows: [[1.5]] },
  ),
  c('summarize min() and max()', `${T} T | summarize min(Salary), max(Salary)`, {
    cols: ['min_Salary:long', 'max_Salary:long'],
    rows: [[100, 500]],
  }),
  c('summarize max() of strings is ordinal', `${T} T | summarize max(Name)`, { rows: [['eve']] }),
  c('summarize countif(): counts rows where true', `${T} T | summarize countif(Salary >= 200)`, {
    cols: ['countif_:long'],
    rows: [[3]],
  }),
  c(
    'summarize sumif(): sums where the predicate holds',
    `${T} T | summarize s = sumif(Salary, Dept == 'hr')`,
    { rows: [[300]] },
  ),
  c('summarize dcount(): distinct values', `${T} T | summarize dcount(Dept)`, {
    cols: ['dcount_Dept:long'],
    rows: [[3]],
  }),
  c(
    'summarize dcountif(): distinct values where true',
    `${T} T | summarize d = dcountif(Dept, Salary > 150)`,
    { rows: [[3]] },
  ),
  c(
    'summarize make_set(): distinct values as an array',
    `datatable(x:long)[1, 2, 2, 3, 1] | summarize s = make_set(x)`,
    { cols: ['s:dynamic'], rows: [[[1, 2, 3]]] },
  ),
  c(
    'summarize make_list(): all values in order',
    `datatable(x:long)[1, 2, 2] | summarize l = make_list(x)`,
    { rows: [[[1, 2, 2]]] },
  ),
  c(
    'summarize make_list(): nulls are left out',
    `datatable(x:long)[1, long(null), 3] | summarize l = make_list(x)`,
    { rows: [[[1, 3]]] },
  ),
  c(
    'summarize arg_max(): the row with the maximum',
    `datatable(n:string, v:long)['a',1,'b',3,'c',2] | summarize arg_max(v, n)`,
    { cols: ['v:long', 'n:string'], rows: [[3, 'b']] },
  ),
  c(
    'summarize arg_min(): the row with the minimum',
    `datatable(n:string, v:long)['a',1,'b',3,'c',2] | summarize arg_min(v, n)`,
    { rows: [[1, 'a']] },
  ),
  c(
    'summarize arg_max(expr, *): all columns of the row, by key',
    `datatable(k:string, v:long, n:string)['x',1,'p','x',5,'q','y',2,'r'] | summarize arg_max(v, *) by k | order by k asc`,
    {
      cols: ['k:string', 'v:long', 'n:string'],
      rows: [
        ['x', 5, 'q'],
        ['y', 2, 'r'],
      ],
    },
  ),
  c(
    'summarize take_any(): a value of the group',
    `datatable(k:string, v:string)['a','x'] | summarize take_any(v) by k`,
    { rows: [['a', 'x']] },
  ),
  c(
    'summarize take_anyif(): a value where the predicate holds',
    `datatable(k:string, v:string, ok:bool)['a','x',false,'a','y',true] | summarize v = take_anyif(v, ok) by k`,
    { rows: [['a', 'y']] },
  ),
  c(
    'summarize percentile(): nearest-rank value from the set',
    `range x from 1 to 10 step 1 | summarize p = percentile(x, 50)`,
    { rows: [[5]] },
  ),
  c(
    'summarize percentile(): 100th is the maximum',
    `range x from 1 to 10 step 1 | summarize p = percentile(x, 100)`,
    { rows: [[10]] },
  ),
  c(
    'summarize: no rows and no by gives one row (count 0)',
    `datatable(x:long)[] | summarize count()`,
    { rows: [[0]] },
  ),
  c(
    'summarize: no rows with by gives no rows',
    `datatable(x:long, k:string)[] | summarize count() by k`,
    { rows: [] },
  ),
  c('summarize: sum() over no rows is 0', `datatable(x:long)[] | summarize sum(x)`, {
    rows: [[0]],
  }),
  c(
    'summarize: make_set() over no rows is an empty array',
    `datatable(x:long)[] | summarize s = make_set(x)`,
    { rows: [[[]]] },
  ),
  c('summarize: aggregates inside an expression', `${T} T | summarize r = sum(Salary) / count()`, {
    rows: [[220]],
  }),
  c(
    'summarize: by bin(datetime, 1h) groups on the hour (UTC)',
    `${T} T | where Start < datetime(2024-01-02) | summarize n = count() by bin(Start, 1h) | order by Start asc`,
    {
      cols: ['Start:datetime', 'n:long'],
      rows: [
        ['2024-01-01T09:00:00.000Z', 2],
        ['2024-01-01T10:00:00.000Z', 1],
      ],
    },
  ),
  c(
    'summarize: by bin(datetime, 1d) groups on the UTC day',
    `${T} T | summarize n = count() by Day = bin(Start, 1d) | order by Day asc`,
    {
      rows: [
        ['2024-01-01T00:00:00.000Z', 3],
        ['2024-01-02T00:00:00.000Z', 1],
        ['2024-01-03T00:00:00.000Z', 1],
      ],
    },
  ),
  c(
    'summarize: several keys',
    `datatable(a:string, b:long)['x',1,'x',1,'x',2,'y',1] | summarize n = count() by a, b | order by a asc, b asc`,
    {
      rows: [
        ['x', 1, 2],
        ['x', 2, 1],
        ['y', 1, 1],
      ],
    },
  ),
  c(
    'summarize: a null key is its own group',
    `datatable(k:long)[1, long(null), long(null)] | summarize n = count() by k | order by k asc`,
    {
      rows: [
        [null, 2],
        [1, 1],
      ],
    },
  ),
  c(
    'summarize: computed key with a name',
    `${T} T | summarize n = count() by Team = toupper(Dept) | order by Team asc`,
    {
      cols: ['Team:string', 'n:long'],
      rows: [
        ['HR', 2],
        ['IT', 2],
        ['OPS', 1],
      ],
    },
  ),
  c(
    'summarize: stdev() of a sample',
    `datatable(x:long)[2, 4, 4, 4, 5, 5, 7, 9] | summarize s = round(stdev(x), 4)`,
    { rows: [[2.1381]] },
  ),

  // ---- join ----
  c(
    'join: default kind innerunique keeps one left row per key',
    `${XY} X | join Y on Key | summarize rows = count(), lefts = dcount(Value1)`,
    { rows: [[3, 2]] },
  ),
  c(
    'join kind=inner: every matching pair',
    `${XY} X | join kind=inner Y on Key | project Key, Value1, Value2`,
    {
      unordered: true,
      rows: [
        ['b', 2, 10],
        ['b', 3, 10],
        ['c', 4, 20],
        ['c', 4, 30],
      ],
    },
  ),
  c('join: duplicate key column is renamed Key1', `${XY} X | join kind=inner Y on Key | take 1`, {
    cols: ['Key:string', 'Value1:long', 'Key1:string', 'Value2:long'],
    rows: [['b', 2, 'b', 10]],
  }),
  c(
    'join kind=leftouter: unmatched left rows with nulls',
    `${XY} X | join kind=leftouter Y on Key | where Key == 'a'`,
    { rows: [['a', 1, '', null]] },
  ),
  c('join kind=leftouter: row count', `${XY} X | join kind=leftouter Y on Key | count`, {
    rows: [[5]],
  }),
  c(
    'join kind=rightouter: unmatched right rows with nulls',
    `${XY} X | join kind=rightouter Y on Key | where Key1 == 'd' | project Key, Value1, Key1, Value2`,
    { rows: [['', null, 'd', 40]] },
  ),
  c('join kind=fullouter: both sides kept', `${XY} X | join kind=fullouter Y on Key | count`, {
    rows: [[6]],
  }),
  c(
    'join kind=leftsemi: left rows with a match, left columns only',
    `${XY} X | join kind=leftsemi Y on Key`,
    {
      cols: ['Key:string', 'Value1:long'],
      unordered: true,
      rows: [
        ['b', 2],
        ['b', 3],
        ['c', 4],
      ],
    },
  ),
  c('join kind=leftanti: left rows without a match', `${XY} X | join kind=leftanti Y on Key`, {
    rows: [['a', 1]],
  }),
  c('join kind=rightsemi: right rows with a match', `${XY} X | join kind=rightsemi Y on Key`, {
    cols: ['Key:string', 'Value2:long'],
    unordered: true,
    rows: [
      ['b', 10],
      ['c', 20],
      ['c', 30],
    ],
  }),
  c('join kind=rightanti: right rows without a match', `${XY} X | join kind=rightanti Y on Key`, {
    rows: [['d', 40]],
  }),
  c(
    'join: $left.A == $right.B keys',
    `let L = datatable(id:long, a:string)[1,'x',2,'y']; let R = datatable(rid:long, b:string)[2,'z']; L | join kind=inner R on $left.id == $right.rid`,
    {
      cols: ['id:long', 'a:string', 'rid:long', 'b:string'],
      rows: [[2, 'y', 2, 'z']],
    },
  ),
  c(
    'join: two key columns must both match',
    `let L = datatable(a:string, b:long, v:long)['x',1,10,'x',2,20]; let R = datatable(a:string, b:long, w:long)['x',2,99]; L | join kind=inner R on a, b | project v, w`,
    { rows: [[20, 99]] },
  ),
  c(
    'join: parenthesised right side with a pipeline',
    `${XY} X | join kind=inner (Y | where Value2 > 15) on Key | project Key, Value2`,
    {
      unordered: true,
      rows: [
        ['c', 20],
        ['c', 30],
      ],
    },
  ),

  // ---- lookup ----
  c(
    'lookup: default leftouter, right key not repeated',
    `${XY} X | lookup (Y | summarize Value2 = max(Value2) by Key) on Key`,
    {
      cols: ['Key:string', 'Value1:long', 'Value2:long'],
      unordered: true,
      rows: [
        ['a', 1, null],
        ['b', 2, 10],
        ['b', 3, 10],
        ['c', 4, 30],
      ],
    },
  ),
  c(
    'lookup kind=inner: drops unmatched rows',
    `${XY} X | lookup kind=inner (Y | summarize Value2 = min(Value2) by Key) on Key | count`,
    { rows: [[3]] },
  ),
  c(
    'lookup: $left/$right keys',
    `let F = datatable(sub:string, n:long)['bu-hr',1]; let D = datatable(id:string, name:string)['bu-hr','HR']; F | lookup D on $left.sub == $right.id`,
    { cols: ['sub:string', 'n:long', 'name:string'], rows: [['bu-hr', 1, 'HR']] },
  ),

  // ---- union ----
  c('union: rows of both tables', `union (datatable(a:long)[1]), (datatable(a:long)[2])`, {
    unordered: true,
    rows: [[1], [2]],
  }),
  c(
    'union: columns matched by name, missing ones null',
    `union (datatable(a:long)[1]), (datatable(b:string)['x'])`,
    {
      cols: ['a:long', 'b:string'],
      unordered: true,
      rows: [
        [1, ''],
        [null, 'x'],
      ],
    },
  ),
  c(
    'union: piped form appends the listed table',
    `datatable(a:long)[1] | union (datatable(a:long)[2, 3]) | count`,
    { rows: [[3]] },
  ),
  c(
    'union: withsource names the source table',
    `let A = datatable(a:long)[1]; let B = datatable(a:long)[2]; union withsource=Src A, B | order by a asc`,
    {
      cols: ['Src:string', 'a:long'],
      rows: [
        ['A', 1],
        ['B', 2],
      ],
    },
  ),

  // ---- sort / order / top / take / limit ----
  c('sort by: default is descending', `datatable(a:long)[2, 3, 1] | sort by a`, {
    rows: [[3], [2], [1]],
  }),
  c('order by asc: nulls first', `datatable(a:long)[2, long(null), 1] | order by a asc`, {
    rows: [[null], [1], [2]],
  }),
  c('order by desc: nulls last', `datatable(a:long)[2, long(null), 1] | order by a desc`, {
    rows: [[2], [1], [null]],
  }),
  c('order by asc nulls last', `datatable(a:long)[2, long(null), 1] | order by a asc nulls last`, {
    rows: [[1], [2], [null]],
  }),
  c(
    'order by: several keys',
    `datatable(a:string, b:long)['x',1,'y',2,'x',3] | order by a asc, b desc`,
    {
      rows: [
        ['x', 3],
        ['x', 1],
        ['y', 2],
      ],
    },
  ),
  c('top: the first N by an expression (descending)', `${T} T | top 2 by Salary | project Name`, {
    rows: [['eve'], ['cid']],
  }),
  c('top: ascending puts nulls first', `${T} T | top 1 by Salary asc | project Name`, {
    rows: [['dan']],
  }),
  c('top: ascending nulls last', `${T} T | top 1 by Salary asc nulls last | project Name`, {
    rows: [['ann']],
  }),
  c('top: more than available returns all', `datatable(a:long)[1,2] | top 5 by a`, {
    rows: [[2], [1]],
  }),
  c('take: at most N rows', `${T} T | take 2 | count`, { rows: [[2]] }),
  c('limit: alias of take', `${T} T | limit 3 | count`, { rows: [[3]] }),
  c('take: N larger than the table', `datatable(a:long)[1] | take 10`, { rows: [[1]] }),

  // ---- distinct, count ----
  c('distinct: one row per distinct value', `${T} T | distinct Dept | order by Dept asc`, {
    cols: ['Dept:string'],
    rows: [['hr'], ['it'], ['ops']],
  }),
  c(
    'distinct: several columns',
    `datatable(a:string, b:long)['x',1,'x',1,'x',2] | distinct a, b | order by b asc`,
    {
      rows: [
        ['x', 1],
        ['x', 2],
      ],
    },
  ),
  c(
    'distinct *: whole-row duplicates removed',
    `datatable(a:string, b:long)['x',1,'x',1,'y',1] | distinct * | count`,
    { rows: [[2]] },
  ),
  c('count: one row with the Count column', `${T} T | count`, {
    cols: ['Count:long'],
    rows: [[5]],
  }),
  c('count: of an empty input is 0', `datatable(a:long)[] | count`, { rows: [[0]] }),

  // ---- serialize, row_number ----
  c(
    'serialize: row_number() starts at 1',
    `datatable(a:string)['x','y','z'] | serialize rn = row_number()`,
    {
      rows: [
        ['x', 1],
        ['y', 2],
        ['z', 3],
      ],
    },
  ),
  c(
    'row_number(start): custom starting index',
    `datatable(a:string)['x','y'] | serialize rn = row_number(10)`,
    {
      rows: [
        ['x', 10],
        ['y', 11],
      ],
    },
  ),
  c(
    'row_number(): after order by (sorted rows are serialized)',
    `datatable(a:long)[3, 1, 2] | order by a asc | extend rn = row_number()`,
    {
      rows: [
        [1, 1],
        [2, 2],
        [3, 3],
      ],
    },
  ),

  // ---- mv-expand ----
  c(
    'mv-expand: one row per array element',
    `datatable(a:long, b:dynamic)[1, dynamic([10, 20])] | mv-expand b`,
    {
      cols: ['a:long', 'b:dynamic'],
      rows: [
        [1, 10],
        [1, 20],
      ],
    },
  ),
  c(
    'mv-expand: property bag entries become single-key bags',
    `print d = dynamic({'x': 1, 'y': 2}) | mv-expand d`,
    { rows: [[{ x: 1 }], [{ y: 2 }]] },
  ),
  c(
    'mv-expand: a null value gives one row with null',
    `datatable(a:long, b:dynamic)[1, dynamic(null)] | mv-expand b`,
    { rows: [[1, null]] },
  ),
  c(
    'mv-expand: an empty array gives no row',
    `datatable(a:long, b:dynamic)[1, dynamic([])] | mv-expand b`,
    { rows: [] },
  ),
  c(
    'mv-expand: to typeof() casts; other types become null',
    `print d = dynamic([1, 'x', 3]) | mv-expand d to typeof(long)`,
    { cols: ['d:long'], rows: [[1], [null], [3]] },
  ),
  c(
    'mv-expand: two arrays expand in parallel, padded with null',
    `print a = dynamic([1, 2]), b = dynamic(['x']) | mv-expand a, b`,
    {
      rows: [
        [1, 'x'],
        [2, null],
      ],
    },
  ),
  c(
    'mv-expand: with_itemindex numbers the elements from 0',
    `print d = dynamic(['p', 'q']) | mv-expand with_itemindex=i d`,
    {
      cols: ['d:dynamic', 'i:long'],
      rows: [
        ['p', 0],
        ['q', 1],
      ],
    },
  ),
  c(
    'mv-expand: named expression',
    `print d = dynamic({'list': [5, 6]}) | mv-expand v = d.list | project v`,
    { rows: [[5], [6]] },
  ),

  // ---- make-series ----
  c(
    'make-series: one value per step, default for empty bins',
    `datatable(t:datetime, v:long)[datetime(2024-01-01 10:05), 1, datetime(2024-01-01 10:35), 2, datetime(2024-01-01 12:05), 3] | make-series s = sum(v) default=0 on t from datetime(2024-01-01 10:00) to datetime(2024-01-01 13:00) step 1h`,
    {
      cols: ['s:dynamic', 't:dynamic'],
      rows: [
        [
          [3, 0, 3],
          ['2024-01-01T10:00:00.000Z', '2024-01-01T11:00:00.000Z', '2024-01-01T12:00:00.000Z'],
        ],
      ],
    },
  ),
  c(
    'make-series: by key gives one series per key',
    `datatable(k:string, t:datetime)['a',datetime(2024-01-01 00:10),'b',datetime(2024-01-01 01:10),'a',datetime(2024-01-01 01:20)] | make-series n = count() on t from datetime(2024-01-01) to datetime(2024-01-01 02:00) step 1h by k | project k, n | order by k asc`,
    {
      rows: [
        ['a', [1, 1]],
        ['b', [0, 1]],
      ],
    },
  ),
  c(
    'make-series: in range(start, stop, step) form',
    `datatable(t:datetime, v:long)[datetime(2024-01-01 00:30), 4] | make-series m = max(v) default=-1 on t in range(datetime(2024-01-01), datetime(2024-01-01 02:00), 1h) | project m`,
    {
      rows: [[[4, -1]]],
    },
  ),

  // ---- let, materialize, toscalar ----
  c('let: a scalar used in a filter', `let min = 150; ${T} T | where Salary > min | count`, {
    rows: [[3]],
  }),
  c(
    'let: a tabular expression referenced later',
    `let hr = datatable(n:string, d:string)['a','hr','b','it'] | where d == 'hr'; hr | project n`,
    { rows: [['a']] },
  ),
  c(
    'toscalar(): the first cell of a tabular result',
    `let m = toscalar(datatable(x:long)[3, 1, 2] | summarize max(x)); print m`,
    { rows: [[3]] },
  ),
  c(
    'toscalar(): used inside an expression',
    `datatable(x:long)[1, 3] | extend share = 100.0 * x / toscalar(datatable(x:long)[1, 3] | summarize sum(x))`,
    {
      rows: [
        [1, 25],
        [3, 75],
      ],
    },
  ),
  c(
    'materialize(): the cached set used twice gives the same rows',
    `let m = materialize(datatable(x:long)[1, 2]); m | union m | count`,
    { rows: [[4]] },
  ),

  // ---- iif / iff / case / coalesce ----
  c('iif(): picks by condition', `print a = iif(1 > 0, 'yes', 'no'), b = iif(1 < 0, 'yes', 'no')`, {
    rows: [['yes', 'no']],
  }),
  c('iff(): alias of iif', `print a = iff(true, 1, 2)`, { rows: [[1]] }),
  c('iif(): per row', `datatable(x:long)[1, 5] | extend s = iif(x > 2, 'big', 'small')`, {
    rows: [
      [1, 'small'],
      [5, 'big'],
    ],
  }),
  c(
    'case(): first true predicate wins',
    `datatable(x:long)[12, 7, 1] | extend s = case(x >= 10, 'big', x >= 5, 'medium', 'small')`,
    {
      rows: [
        [12, 'big'],
        [7, 'medium'],
        [1, 'small'],
      ],
    },
  ),
  c('case(): the else value when nothing matches', `print s = case(false, 1, false, 2, 3)`, {
    rows: [[3]],
  }),
  c(
    'coalesce(): the first non-null value',
    `print a = coalesce(tolong('not a number'), tolong('42'), 33)`,
    { rows: [[42]] },
  ),
  c('coalesce(): all null gives null', `print a = coalesce(long(null), long(null))`, {
    rows: [[null]],
  }),
  c('coalesce(): skips empty strings', `print a = coalesce('', 'x')`, { rows: [['x']] }),

  // ---- string functions ----
  c('strcat(): concatenates', `print s = strcat('hello', ' ', 'world')`, {
    rows: [['hello world']],
  }),
  c('strcat(): converts numbers to text', `print s = strcat('n=', 5, '/', 2.5)`, {
    rows: [['n=5/2.5']],
  }),
  c('substring(): from a start index', `print s = substring('123456', 1)`, { rows: [['23456']] }),
  c('substring(): start and length', `print s = substring('123456', 2, 2)`, { rows: [['34']] }),
  c('substring(): strips the bu- prefix', `print s = substring('bu-finance', 3)`, {
    rows: [['finance']],
  }),
  c('split(): on a delimiter', `print s = split('aa_bb', '_')`, {
    cols: ['s:dynamic'],
    rows: [[['aa', 'bb']]],
  }),
  c(
    'split(): with an index returns that part in an array',
    `print s = split('aaa_bbb_ccc', '_', 1)`,
    { rows: [[['bbb']]] },
  ),
  c('split(): empty parts are kept', `print s = split('a__b', '_')`, { rows: [[['a', '', 'b']]] }),
  c('split(): a multi-character delimiter', `print s = split('aabbcc', 'bb')`, {
    rows: [[['aa', 'cc']]],
  }),
  c(
    'replace_regex(): replaces every match',
    `print s = replace_regex('A magic trick can turn a cat into a dog', @'cat', 'hamster')`,
    { rows: [['A magic trick can turn a hamster into a dog']] },
  ),
  c(
    'replace_regex(): \\1 refers to a capture group',
    `print s = replace_regex('abc123', @'(\\d+)', @'[\\1]')`,
    { rows: [['abc[123]']] },
  ),
  c(
    'replace_regex(): collapses a dated model name',
    `print s = replace_regex('gpt-4o-mini-2024-07-18', @'-\\d{4}-\\d{2}-\\d{2}$', '')`,
    { rows: [['gpt-4o-mini']] },
  ),
  c('extract(): a capture group', `print s = extract('x=([0-9.]+)', 1, 'hello x=45.6|wo')`, {
    rows: [['45.6']],
  }),
  c(
    'extract(): no match gives an empty string',
    `print s = extract('x=([0-9.]+)', 1, 'nothing here')`,
    { rows: [['']] },
  ),
  c('extract(): group 0 is the whole match', `print s = extract('[a-z]+', 0, '123abc456')`, {
    rows: [['abc']],
  }),
  c(
    'extract(): typeof() converts the match',
    `print v = extract('x=([0-9.]+)', 1, 'x=45.6', typeof(real))`,
    { cols: ['v:real'], rows: [[45.6]] },
  ),
  c('strcat_array(): joins array elements', `print s = strcat_array(dynamic([1, 2, 3]), '-')`, {
    rows: [['1-2-3']],
  }),
  c(
    'trim_start() and trim_end(): regex trims',
    `print a = trim_start('x+', 'xxabc'), b = trim_end('[0-9]+', 'abc123')`,
    { rows: [['abc', 'abc']] },
  ),
  c('tolower() and toupper()', `print a = tolower('AbC'), b = toupper('AbC')`, {
    rows: [['abc', 'ABC']],
  }),
  c('strlen(): number of characters', `print n = strlen('hello')`, { rows: [[5]] }),

  // ---- conversion ----
  c('tostring(): a long as text', `print s = tostring(123)`, { rows: [['123']] }),
  c('tostring(): null becomes an empty string', `print s = tostring(long(null))`, { rows: [['']] }),
  c('tostring(): a dynamic string without quotes', `print s = tostring(dynamic({'a': 'x'}).a)`, {
    rows: [['x']],
  }),
  c('tostring(): a dynamic object as JSON', `print s = tostring(dynamic({'a': 1}))`, {
    rows: [['{"a":1}']],
  }),
  c('toint(): parses digits', `print n = toint('123')`, { cols: ['n:int'], rows: [[123]] }),
  c('toint(): text that is not a number gives null', `print n = toint('abc')`, { rows: [[null]] }),
  c('tolong(): parses a negative number', `print n = tolong('-5')`, {
    cols: ['n:long'],
    rows: [[-5]],
  }),
  c('tolong(): from a dynamic number', `print n = tolong(dynamic({'v': 7}).v)`, { rows: [[7]] }),
  c('todouble(): parses a real', `print n = todouble('1.5')`, { cols: ['n:real'], rows: [[1.5]] }),
  c('toreal(): alias of todouble', `print n = toreal('2.25')`, { rows: [[2.25]] }),
  c('todouble(): invalid text gives null', `print n = todouble('x')`, { rows: [[null]] }),
  c('tobool(): true/false text', `print a = tobool('true'), b = tobool('false')`, {
    cols: ['a:bool', 'b:bool'],
    rows: [[true, false]],
  }),
  c('tobool(): numbers are true when non-zero', `print a = tobool(1), b = tobool(0)`, {
    rows: [[true, false]],
  }),
  c('todatetime(): parses a date', `print d = todatetime('2015-12-24')`, {
    cols: ['d:datetime'],
    rows: [['2015-12-24T00:00:00.000Z']],
  }),
  c('todatetime(): invalid text gives null', `print d = todatetime('not a date')`, {
    rows: [[null]],
  }),
  c('parse_json(): property of a JSON object', `print v = parse_json('{"a":123, "b":"hello"}').a`, {
    rows: [[123]],
  }),
  c('parse_json(): element of a JSON array', `print v = parse_json('[1, 2, 3]')[1]`, {
    rows: [[2]],
  }),
  c('todynamic(): alias of parse_json', `print v = todynamic('{"k":"v"}').k`, { rows: [['v']] }),

  // ---- numeric functions ----
  c('round(): to 3 digits', `print r = round(2.98765, 3)`, { rows: [[2.988]] }),
  c('round(): midpoint rounds away from zero', `print r = round(2.15, 1)`, { rows: [[2.2]] }),
  c('round(): negative precision', `print r = round(-50.55, -2)`, { rows: [[-100]] }),
  c('round(): to an integer by default', `print r = round(2.5)`, { rows: [[3]] }),
  c('bin(): rounds a real down to the bin size', `print b = bin(4.5, 1)`, { rows: [[4]] }),
  c('bin(): timespan bins', `print b = bin(time(16d), 7d)`, {
    cols: ['b:timespan'],
    rows: [['14.00:00:00']],
  }),
  c('bin(): datetime to the UTC day', `print b = bin(datetime(1970-05-11 13:45:07), 1d)`, {
    rows: [['1970-05-11T00:00:00.000Z']],
  }),
  c('bin(): long values', `print b = bin(17, 5)`, { cols: ['b:long'], rows: [[15]] }),
  c('floor(): alias of bin', `print b = floor(datetime(2024-01-01 10:59), 1h)`, {
    rows: [['2024-01-01T10:00:00.000Z']],
  }),
  c('min_of(): smallest argument', `print m = min_of(10, 1, -3, 17)`, { rows: [[-3]] }),
  c('max_of(): largest argument', `print m = max_of(10, 1, -3, 17)`, { rows: [[17]] }),
  c('max_of(): nulls are ignored', `print m = max_of(long(null), 5, 2)`, { rows: [[5]] }),
  c('abs() and sqrt()', `print a = abs(-4), s = sqrt(16.0)`, { rows: [[4, 4]] }),

  // ---- datetime functions ----
  c('ago(): now minus a timespan', `print d = ago(1h)`, { rows: [['2024-01-10T11:00:00.000Z']] }),
  c('now(): the query time', `print d = now()`, { rows: [['2024-01-10T12:00:00.000Z']] }),
  c('now(offset): shifted query time', `print d = now(-1d)`, {
    rows: [['2024-01-09T12:00:00.000Z']],
  }),
  c(
    'where TimeGenerated > ago(): relative filter',
    `datatable(t:datetime)[datetime(2024-01-10 11:30), datetime(2024-01-09)] | where t > ago(1h)`,
    { rows: [['2024-01-10T11:30:00.000Z']] },
  ),
  c(
    "datetime_diff('year')",
    `print d = datetime_diff('year', datetime(2017-01-01), datetime(2000-12-31))`,
    { rows: [[17]] },
  ),
  c(
    "datetime_diff('quarter')",
    `print d = datetime_diff('quarter', datetime(2017-07-01), datetime(2017-03-30))`,
    { rows: [[2]] },
  ),
  c(
    "datetime_diff('month')",
    `print d = datetime_diff('month', datetime(2017-01-01), datetime(2015-12-30))`,
    { rows: [[13]] },
  ),
  c(
    "datetime_diff('week')",
    `print d = datetime_diff('week', datetime(2017-10-29 00:00), datetime(2017-09-30 23:59))`,
    { rows: [[5]] },
  ),
  c(
    "datetime_diff('day')",
    `print d = datetime_diff('day', datetime(2017-10-29 00:00), datetime(2017-09-30 23:59))`,
    { rows: [[29]] },
  ),
  c(
    "datetime_diff('hour')",
    `print d = datetime_diff('hour', datetime(2017-10-31 01:00), datetime(2017-10-30 23:59))`,
    { rows: [[2]] },
  ),
  c(
    "datetime_diff('minute')",
    `print d = datetime_diff('minute', datetime(2017-10-30 23:05:01), datetime(2017-10-30 23:00:59))`,
    { rows: [[5]] },
  ),
  c(
    "datetime_diff('second')",
    `print d = datetime_diff('second', datetime(2017-10-30 23:00:10.100), datetime(2017-10-30 23:00:00.900))`,
    { rows: [[10]] },
  ),
  c(
    "datetime_diff('millisecond')",
    `print d = datetime_diff('millisecond', datetime(2017-10-30 23:00:10.100), datetime(2017-10-30 23:00:00.900))`,
    { rows: [[9200]] },
  ),
  c(
    "format_datetime(): 'yy-MM-dd [HH:mm:ss]'",
    `print s = format_datetime(datetime(2017-01-29 09:00:05), 'yy-MM-dd [HH:mm:ss]')`,
    { rows: [['17-01-29 [09:00:05]']] },
  ),
  c(
    "format_datetime(): 'yyyy-M-dd [H:mm:ss]'",
    `print s = format_datetime(datetime(2017-01-29 09:00:05), 'yyyy-M-dd [H:mm:ss]')`,
    { rows: [['2017-1-29 [9:00:05]']] },
  ),
  c(
    "format_datetime(): 'yy-MM-dd [hh:mm:ss tt]'",
    `print s = format_datetime(datetime(2017-01-29 09:00:05), 'yy-MM-dd [hh:mm:ss tt]')`,
    { rows: [['17-01-29 [09:00:05 AM]']] },
  ),
  c("format_timespan(): 'd-[hh:mm:ss]'", `print s = format_timespan(time(1d), 'd-[hh:mm:ss]')`, {
    rows: [['1-[00:00:00]']],
  }),
  c(
    "format_timespan(): 'ddddd-[hh:mm:ss.ffff]'",
    `print s = format_timespan(time('12:30:55.123'), 'ddddd-[hh:mm:ss.ffff]')`,
    { rows: [['00000-[12:30:55.1230]']] },
  ),
  c('startofday(): midnight UTC', `print d = startofday(datetime(2017-01-01 10:10:17))`, {
    rows: [['2017-01-01T00:00:00.000Z']],
  }),
  c(
    'startofmonth(): first day of the month',
    `print d = startofmonth(datetime(2017-01-10 10:10:17))`,
    { rows: [['2017-01-01T00:00:00.000Z']] },
  ),
  c(
    'startofweek(): the Sunday that starts the week',
    `print d = startofweek(datetime(2017-01-04 10:10:17))`,
    { rows: [['2017-01-01T00:00:00.000Z']] },
  ),
  c('startofyear(): January 1st', `print d = startofyear(datetime(2017-05-10))`, {
    rows: [['2017-01-01T00:00:00.000Z']],
  }),
  c('hourofday(): hour of a datetime', `print h = hourofday(datetime(2015-12-14 18:54))`, {
    rows: [[18]],
  }),
  c(
    'dayofweek(): days since Sunday as a timespan',
    `print d = dayofweek(datetime(1947-11-30 10:00:05))`,
    { rows: [['00:00:00']] },
  ),

  // ---- null and empty tests ----
  c('isempty(): an empty string', `print a = isempty(''), b = isempty('x')`, {
    rows: [[true, false]],
  }),
  c('isempty(): null is empty', `print a = isempty(long(null))`, { rows: [[true]] }),
  c('isnotempty(): non-empty text', `print a = isnotempty('x'), b = isnotempty('')`, {
    rows: [[true, false]],
  }),
  c('isnull(): a null long', `print a = isnull(long(null)), b = isnull(1)`, {
    rows: [[true, false]],
  }),
  c('isnull(): an empty string is not null', `print a = isnull('')`, { rows: [[false]] }),
  c('isnotnull(): a value', `print a = isnotnull(1), b = isnotnull(long(null))`, {
    rows: [[true, false]],
  }),

  // ---- dynamic ----
  c('array_length(): number of elements', `print n = array_length(dynamic([1, 2, 3, 'four']))`, {
    rows: [[4]],
  }),
  c('array_length(): an empty array is 0', `print n = array_length(dynamic([]))`, { rows: [[0]] }),
  c(
    'array_length(): not an array gives null',
    `datatable(d:dynamic)[dynamic({'a': 1})] | project n = array_length(d)`,
    { rows: [[null]] },
  ),
  c('dynamic: dotted property access', `print v = dynamic({'a': {'b': 5}}).a.b`, { rows: [[5]] }),
  c(
    "dynamic: bracket property access ['key']",
    `print v = dynamic({'Caller Id': 'x'})['Caller Id']`,
    { rows: [['x']] },
  ),
  c('dynamic: a missing property is null', `print v = isnull(dynamic({'a': 1}).zzz)`, {
    rows: [[true]],
  }),
  c('dynamic: array index', `print v = dynamic([10, 20, 30])[2]`, { rows: [[30]] }),
  c(
    'dynamic: property of a dynamic column per row',
    `datatable(d:dynamic)[dynamic({'CallerId':'a'}), dynamic({'CallerId':'b'})] | project c = tostring(d.CallerId)`,
    { rows: [['a'], ['b']] },
  ),
  c(
    'array_index_of(): position of a value, -1 when absent',
    `print a = array_index_of(dynamic(['a', 'b']), 'b'), b = array_index_of(dynamic(['a']), 'z')`,
    { rows: [[1, -1]] },
  ),
  c('isnan(): not-a-number test', `print a = isnan(real(nan)), b = isnan(1.0)`, {
    rows: [[true, false]],
  }),
  c('bag_keys(): keys of a property bag', `print k = bag_keys(dynamic({'a': 1, 'b': 2}))`, {
    rows: [[['a', 'b']]],
  }),
  c('pack_array(): values as an array', `print a = pack_array(1, 'x')`, { rows: [[[1, 'x']]] }),
];
