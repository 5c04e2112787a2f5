/**
 * Conformance cases for the operators added or audited in issue 16's second pass: parse,
 * parse-where, top-nested, evaluate bag_unpack, join conditions, and the parameters of
 * mv-expand, make-series, sort, top, take, summarize, distinct, lookup, range, serialize,
 * count and project-reorder. Each case cites its reference page; expected tables come from
 * the page's examples and rules (the rule is in the name). Where a page is silent the choice
 * is written in the name and in the operator's header comment.
 */
import type { ConformanceCase } from './conformance-cases.js';
import type { ExpectedTable } from './table-equal.js';

const BASE = 'https://learn.microsoft.com/kusto/query/';
const at =
  (page: string) =>
  (name: string, query: string, expect: ExpectedTable | 'refuse'): ConformanceCase => ({
    name,
    query,
    expect,
    ref: BASE + page,
  });

const parse = at('parse-operator');
const parseWhere = at('parse-where-operator');
const nested = at('top-nested-operator');
const bag = at('bag-unpack-plugin');
const join = at('join-operator');
const mvx = at('mv-expand-operator');
const series = at('make-series-operator');
const sort = at('sort-operator');
const top = at('top-operator');
const take = at('take-operator');
const summarize = at('summarize-operator');
const distinct = at('distinct-operator');
const lookup = at('lookup-operator');
const range = at('range-operator');
const serialize = at('serialize-operator');
const count = at('count-operator');
const reorder = at('project-reorder-operator');
const evaluate = at('evaluate-operator');

const EVENT = (slice: number, lock: string, release: string, prev: string): string =>
  `"Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=27, sliceNumber=${slice}, lockTime=${lock}, releaseTime=${release}, previousLockTime=${prev})"`;
const TRACES = `let Traces = datatable(EventText: string)[
  ${EVENT(23, '02/17/2016 08:40:01', '02/17/2016 08:40:01', '02/17/2016 08:39:01')},
  ${EVENT(15, '02/17/2016 08:40:00', '02/17/2016 08:40:00', '02/17/2016 08:39:00')}];\n`;
const T = (iso: string): string => `${iso}.000Z`;

const STORMS = `let S = datatable(State:string, Type:string, Damage:long)[
  'CA','Fire',100, 'CA','Wind',30, 'CA','Fire',50, 'OK','Ice',80, 'OK','Flood',20, 'TX','Hail',60];\n`;

const PEOPLE = `datatable(d:dynamic)[
  dynamic({"Name": "John", "Age":20}), dynamic({"Name": "Dave", "Age":40}), dynamic({"Name": "Jasmine", "Age":30})]`;
const OLD = `datatable(Name:string, d:dynamic)[
  'Old_name', dynamic({"Name": "John", "Age":20}), 'Old_name', dynamic({"Name": "Dave", "Age":40})]`;

const XY = `let X = datatable(k:string, v:long)['a',1,'b',2,'c',3];
let Y = datatable(k2:string, w:long, z:string)['a',1,'p','b',5,'q','c',3,'r'];\n`;
const N = `let N = datatable(a:long, b:string)[2,'x', long(null),'y', 1,'z', 3,'w'];\n`;

export const OPS_CASES: ConformanceCase[] = [
  // ---- parse ----
  parse(
    'parse: the page example (simple kind, * skips, typed long and date columns)',
    `${TRACES}Traces | parse EventText with * "resourceName=" resourceName ", totalSlices=" totalSlices: long * "sliceNumber=" sliceNumber: long * "lockTime=" lockTime ", releaseTime=" releaseTime: date "," * "previousLockTime=" previousLockTime: date ")" *
| project resourceName, totalSlices, sliceNumber, lockTime, releaseTime, previousLockTime`,
    {
      cols: [
        'resourceName:string',
        'totalSlices:long',
        'sliceNumber:long',
        'lockTime:string',
        'releaseTime:datetime',
        'previousLockTime:datetime',
      ],
      rows: [
        [
          'PipelineScheduler',
          27,
          23,
          '02/17/2016 08:40:01',
          T('2016-02-17T08:40:01'),
          T('2016-02-17T08:39:01'),
        ],
        [
          'PipelineScheduler',
          27,
          15,
          '02/17/2016 08:40:00',
          T('2016-02-17T08:40:00'),
          T('2016-02-17T08:39:00'),
        ],
      ],
    },
  ),
  parse(
    'parse: the page example extracting email alias and domain',
    `datatable(Contacts: string)["Event: LeadContact (email=john@contosohotel.com, Website=https:contosohotel.com)",
  "Event: LeadContact (email=abi@fourthcoffee.com, Website=https:www.fourthcoffee.com)"]
| parse Contacts with * "email=" alias:string "@" domain: string ", Website=https:" WebsiteDomain: string ")"
| project EmailAddress=strcat(alias, "@", domain), EmailAlias=alias, WebsiteDomain`,
    {
      rows: [
        ['john@contosohotel.com', 'john', 'contosohotel.com'],
        ['abi@fourthcoffee.com', 'abi', 'www.fourthcoffee.com'],
      ],
    },
  ),
  parse(
    'parse: the page example in regex mode (string columns are greedy)',
    `${TRACES}Traces | parse kind=regex EventText with "(.*?)[a-zA-Z]*=" resourceName @", totalSlices=\\s*\\d+\\s*.*?sliceNumber=" sliceNumber: long  ".*?(previous)?lockTime=" lockTime ".*?releaseTime=" releaseTime ".*?previousLockTime=" previousLockTime: date "\\\\)"
| project resourceName, sliceNumber, lockTime, releaseTime, previousLockTime`,
    {
      rows: [
        [
          'PipelineScheduler',
          23,
          '02/17/2016 08:40:01, ',
          '02/17/2016 08:40:01, ',
          T('2016-02-17T08:39:01'),
        ],
        [
          'PipelineScheduler',
          15,
          '02/17/2016 08:40:00, ',
          '02/17/2016 08:40:00, ',
          T('2016-02-17T08:39:00'),
        ],
      ],
    },
  ),
  parse(
    'parse: regex mode without flags is greedy (the page example)',
    `${TRACES}Traces | parse kind=regex EventText with * "resourceName=" resourceName ',' * | project resourceName`,
    {
      rows: [
        [
          'PipelineScheduler, totalSlices=27, sliceNumber=23, lockTime=02/17/2016 08:40:01, releaseTime=02/17/2016 08:40:01',
        ],
        [
          'PipelineScheduler, totalSlices=27, sliceNumber=15, lockTime=02/17/2016 08:40:00, releaseTime=02/17/2016 08:40:00',
        ],
      ],
    },
  ),
  parse(
    'parse: regex flags U (ungreedy) and i (case-insensitive), the page example',
    `${TRACES}Traces | parse kind=regex flags=Ui EventText with * "RESOURCENAME=" resourceName ',' * | project resourceName`,
    { rows: [['PipelineScheduler'], ['PipelineScheduler']] },
  ),
  parse(
    'parse: regex flag s lets . match a newline (the page example)',
    `datatable(EventText: string)["Event: NotifySliceRelease (resourceName=PipelineScheduler\\ntotalSlices=27\\nsliceNumber=23\\nlockTime=02/17/2016 08:40:01\\nreleaseTime=02/17/2016 08:40:01\\npreviousLockTime=02/17/2016 08:39:01)"]
| parse kind=regex flags=s EventText with * "resourceName=" resourceName: string "(.*?)totalSlices=" totalSlices: long "(.*?)lockTime=" lockTime: datetime "(.*?)releaseTime=" releaseTime: datetime "(.*?)previousLockTime=" previousLockTime: datetime "\\\\)"
| project-away EventText`,
    {
      rows: [
        [
          'PipelineScheduler\n',
          27,
          T('2016-02-17T08:40:01'),
          T('2016-02-17T08:40:01'),
          T('2016-02-17T08:39:01'),
        ],
      ],
    },
  ),
  parse(
    'parse: relaxed kind nulls only the columns that do not convert (the page example)',
    `datatable(EventText: string)[
  "Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=27, sliceNumber=15, lockTime=02/17/2016 08:40:00, releaseTime=nonValidDateTime, previousLockTime=02/17/2016 08:39:00)",
  "Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=nonValidLongValue, sliceNumber=16, lockTime=02/17/2016 08:41:00, releaseTime=02/17/2016 08:41:00, previousLockTime=02/17/2016 08:40:00)"]
| parse kind=relaxed EventText with * "resourceName=" resourceName ", totalSlices=" totalSlices: long ", sliceNumber=" sliceNumber: long * "lockTime=" lockTime ", releaseTime=" releaseTime: date "," * "previousLockTime=" previousLockTime: date ")" *
| project-away EventText`,
    {
      rows: [
        ['PipelineScheduler', 27, 15, '02/17/2016 08:40:00', null, T('2016-02-17T08:39:00')],
        [
          'PipelineScheduler',
          null,
          16,
          '02/17/2016 08:41:00',
          T('2016-02-17T08:41:00'),
          T('2016-02-17T08:40:00'),
        ],
      ],
    },
  ),
  parse(
    'parse: the same input in simple kind gives nulls in every extended column (the page)',
    `datatable(EventText: string)[
  "Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=27, sliceNumber=15, lockTime=02/17/2016 08:40:00, releaseTime=nonValidDateTime, previousLockTime=02/17/2016 08:39:00)"]
| parse kind=simple EventText with * "resourceName=" resourceName ", totalSlices=" totalSlices: long ", sliceNumber=" sliceNumber: long * "lockTime=" lockTime ", releaseTime=" releaseTime: date "," * "previousLockTime=" previousLockTime: date ")" *
| project-away EventText`,
    { rows: [['', null, null, '', null, null]] },
  ),
  parse(
    'parse: a non-string expression is converted to string first',
    `print n = 12345 | parse n with a:long "3" b:long | project a, b`,
    {
      cols: ['a:long', 'b:long'],
      rows: [[12, 45]],
    },
  ),
  parse(
    'parse: an unsuccessful parse gives null typed columns',
    `print s = 'abc' | parse s with 'x=' v:long | project v`,
    {
      cols: ['v:long'],
      rows: [[null]],
    },
  ),
  parse(
    'parse: an unsuccessful parse gives empty string columns',
    `print s = 'abc' | parse s with 'x=' v | project v`,
    {
      cols: ['v:string'],
      rows: [['']],
    },
  ),
  parse(
    'parse: the pattern may start with a column name',
    `print s = 'key=val' | parse s with k '=' v | project k, v`,
    {
      rows: [['key', 'val']],
    },
  ),
  parse(
    'parse: * skips junk before and after',
    `print s = 'junk id=7 end' | parse s with * 'id=' id:long * | project id`,
    {
      rows: [[7]],
    },
  ),
  parse(
    'parse: a typed real column',
    `print s = 't=2.5s' | parse s with 't=' v:real 's' | project v`,
    {
      cols: ['v:real'],
      rows: [[2.5]],
    },
  ),
  parse(
    'parse: a typed timespan column',
    `print s = 'took 00:01:30' | parse s with 'took ' d:timespan | project d`,
    {
      cols: ['d:timespan'],
      rows: [['00:01:30']],
    },
  ),
  parse(
    'parse: a typed bool column',
    `print s = 'ok=true' | parse s with 'ok=' b:bool | project b`,
    {
      cols: ['b:bool'],
      rows: [[true]],
    },
  ),
  parse(
    'parse: simple kind is strict, one column of the wrong type nulls them all',
    `print s = 'a=x;b=y' | parse s with 'a=' a:long ';b=' b | project a, b`,
    { rows: [[null, '']] },
  ),
  parse(
    'parse: relaxed kind keeps the columns that matched',
    `print s = 'a=x;b=y' | parse kind=relaxed s with 'a=' a:long ';b=' b | project a, b`,
    { rows: [[null, 'y']] },
  ),
  parse(
    'parse: regex kind with a typed long (negative)',
    `print s = 'v=-12' | parse kind=regex s with 'v=' n:long | project n`,
    {
      rows: [[-12]],
    },
  ),
  parse(
    'parse: regex flag i',
    `print s = 'ID=5' | parse kind=regex flags=i s with 'id=' n:long | project n`,
    {
      rows: [[5]],
    },
  ),
  parse(
    'parse: a missing delimiter gives nulls (all delimiters must appear)',
    `print s = 'a=1' | parse s with 'a=' a:long ';b=' b:long | project a, b`,
    { rows: [[null, null]] },
  ),
  parse(
    'parse: existing columns are kept, new ones appended',
    `print x = 1, s = 'n=2' | parse s with 'n=' n:long`,
    {
      cols: ['x:long', 's:string', 'n:long'],
      rows: [[1, 'n=2', 2]],
    },
  ),
  parse(
    'parse: flags=U when the constants hold quantifiers is refused (RE2 would also swap them)',
    `print s = 'aa=1' | parse kind=regex flags=U s with 'a+=' n:long`,
    'refuse',
  ),
  parse(
    'parse: flags with the simple kind are refused (the page defines them for regex only)',
    `print s = 'a=1' | parse flags=i s with 'A=' n:long`,
    'refuse',
  ),
  parse(
    'parse: a flag RE2 does not have is refused',
    `print s = 'a=1' | parse kind=regex flags=x s with 'a=' n:long`,
    'refuse',
  ),
  // ---- parse-where ----
  parseWhere(
    'parse-where: only the rows that parse are kept',
    `datatable(s:string)['a=1', 'b', 'a=2'] | parse-where s with 'a=' n:long`,
    {
      cols: ['s:string', 'n:long'],
      rows: [
        ['a=1', 1],
        ['a=2', 2],
      ],
    },
  ),
  parseWhere(
    'parse-where: a row whose typed column does not convert is dropped',
    `datatable(s:string)['a=x', 'a=3'] | parse-where s with 'a=' n:long | project n`,
    { rows: [[3]] },
  ),
  parseWhere(
    'parse-where: regex kind',
    `datatable(s:string)['id 12', 'none'] | parse-where kind=regex s with 'id\\\\s+' n:long | project n`,
    { rows: [[12]] },
  ),
  // ---- top-nested ----
  nested(
    'top-nested: top 2 values by sum, named aggregated_<Expr>',
    `${STORMS}S | top-nested 2 of State by sum(Damage)`,
    {
      cols: ['State:string', 'aggregated_State:long'],
      rows: [
        ['CA', 180],
        ['OK', 100],
      ],
    },
  ),
  nested(
    'top-nested: a nested level partitions each kept value',
    `${STORMS}S | top-nested 2 of State by sum(Damage), top-nested 1 of Type by sum(Damage)`,
    {
      cols: ['State:string', 'aggregated_State:long', 'Type:string', 'aggregated_Type:long'],
      rows: [
        ['CA', 180, 'Fire', 150],
        ['OK', 100, 'Ice', 80],
      ],
    },
  ),
  nested(
    'top-nested: asc picks the smallest',
    `${STORMS}S | top-nested 1 of State by sum(Damage) asc`,
    {
      rows: [['TX', 60]],
    },
  ),
  nested(
    'top-nested: without N every distinct value is returned',
    `${STORMS}S | top-nested of State by sum(Damage)`,
    {
      rows: [
        ['CA', 180],
        ['OK', 100],
        ['TX', 60],
      ],
      unordered: true,
    },
  ),
  nested(
    'top-nested: with others adds one row aggregating the rest',
    `${STORMS}S | top-nested 1 of State with others = 'Other' by sum(Damage)`,
    {
      rows: [
        ['CA', 180],
        ['Other', 160],
      ],
    },
  ),
  nested(
    'top-nested: a named aggregation names its column',
    `${STORMS}S | top-nested 1 of State by Total = sum(Damage)`,
    {
      cols: ['State:string', 'Total:long'],
      rows: [['CA', 180]],
    },
  ),
  nested('top-nested: count()', `${STORMS}S | top-nested 1 of State by count()`, {
    rows: [['CA', 3]],
  }),
  nested('top-nested: max()', `${STORMS}S | top-nested 1 of Type by max(Damage)`, {
    rows: [['Fire', 100]],
  }),
  nested('top-nested: min() asc', `${STORMS}S | top-nested 1 of State by min(Damage) asc`, {
    rows: [['OK', 20]],
  }),
  nested('top-nested: avg()', `${STORMS}S | top-nested 2 of Type by avg(Damage)`, {
    rows: [
      ['Ice', 80],
      ['Fire', 75],
    ],
  }),
  nested('top-nested: dcount()', `${STORMS}S | top-nested 1 of Type by dcount(State)`, {
    rows: [['Fire', 1]],
  }),
  nested(
    'top-nested: an algebraic combination of aggregations',
    `${STORMS}S | top-nested 1 of State by v = sum(Damage) * 2`,
    { rows: [['CA', 360]] },
  ),
  nested(
    'top-nested: Ignore=max(1) keeps every value of a level (the page pattern)',
    `${STORMS}S | top-nested of State by Ignore = max(1), top-nested 1 of Type by sum(Damage) | project-away Ignore`,
    {
      cols: ['State:string', 'Type:string', 'aggregated_Type:long'],
      rows: [
        ['CA', 'Fire', 150],
        ['OK', 'Ice', 80],
        ['TX', 'Hail', 60],
      ],
      unordered: true,
    },
  ),
  nested(
    'top-nested: latest records per identity (the page example)',
    `datatable(id: string, timestamp: datetime, otherInformation: string)[
  "Barak", datetime(2015-01-01), "1", "Barak", datetime(2016-01-01), "2", "Barak", datetime(2017-01-20), "3",
  "Donald", datetime(2017-01-20), "4", "Donald", datetime(2017-01-18), "5", "Donald", datetime(2017-01-19), "6"]
| top-nested of id by Ignore0=max(1), top-nested 2 of timestamp by Ignore1=max(timestamp), top-nested of otherInformation by Ignore2=max(1)
| project-away Ignore0, Ignore1, Ignore2`,
    {
      rows: [
        ['Barak', T('2017-01-20T00:00:00'), '3'],
        ['Barak', T('2016-01-01T00:00:00'), '2'],
        ['Donald', T('2017-01-20T00:00:00'), '4'],
        ['Donald', T('2017-01-19T00:00:00'), '6'],
      ],
      unordered: true,
    },
  ),
  nested(
    'top-nested: empty input gives no rows',
    `${STORMS}S | where Damage < 0 | top-nested 2 of State by sum(Damage)`,
    {
      rows: [],
    },
  ),
  nested(
    'top-nested: with others on a level with a nested level is refused (the page is silent on the deeper columns)',
    `${STORMS}S | top-nested 1 of State with others = 'Other' by sum(Damage), top-nested 1 of Type by sum(Damage)`,
    'refuse',
  ),
  nested(
    'top-nested: an aggregation the page does not list is refused',
    `${STORMS}S | top-nested 1 of State by stdev(Damage)`,
    'refuse',
  ),
  // ---- evaluate bag_unpack ----
  bag(
    'bag_unpack: one column per slot, the unpacked column removed (the page example)',
    `${PEOPLE} | evaluate bag_unpack(d)`,
    {
      cols: ['Age:long', 'Name:string'],
      rows: [
        [20, 'John'],
        [40, 'Dave'],
        [30, 'Jasmine'],
      ],
    },
  ),
  bag(
    'bag_unpack: OutputColumnPrefix (the page example)',
    `${PEOPLE} | evaluate bag_unpack(d, 'Property_')`,
    {
      cols: ['Property_Age:long', 'Property_Name:string'],
      rows: [
        [20, 'John'],
        [40, 'Dave'],
        [30, 'Jasmine'],
      ],
    },
  ),
  bag(
    "bag_unpack: columnsConflict='replace_source' (the page example)",
    `${OLD} | evaluate bag_unpack(d, columnsConflict='replace_source')`,
    {
      cols: ['Age:long', 'Name:string'],
      rows: [
        [20, 'John'],
        [40, 'Dave'],
      ],
    },
  ),
  bag(
    "bag_unpack: columnsConflict='keep_source' (the page example)",
    `${OLD} | evaluate bag_unpack(d, columnsConflict='keep_source')`,
    {
      cols: ['Age:long', 'Name:string'],
      rows: [
        [20, 'Old_name'],
        [40, 'Old_name'],
      ],
    },
  ),
  bag(
    'bag_unpack: a slot missing from a row is null (the page example)',
    `datatable(d:dynamic)[dynamic({"Name": "John", "Age":20}), dynamic({ "Name": "Dave", "Height": 170, "Age":40}), dynamic({"Name": "Jasmine", "Age":30})]
| evaluate bag_unpack(d)`,
    {
      cols: ['Age:long', 'Height:long', 'Name:string'],
      rows: [
        [20, null, 'John'],
        [40, 170, 'Dave'],
        [30, null, 'Jasmine'],
      ],
    },
  ),
  bag(
    'bag_unpack: OutputSchema with * keeps the input columns (the page example)',
    `datatable(d:dynamic, Description: string)[
  dynamic({"Name": "John", "Age":20, "height":180}), "Student", dynamic({"Name": "Dave", "Age":40, "height":160}), "Teacher"]
| evaluate bag_unpack(d) : (*, Name:string, Age:long)`,
    {
      cols: ['Description:string', 'Name:string', 'Age:long'],
      rows: [
        ['Student', 'John', 20],
        ['Teacher', 'Dave', 40],
      ],
    },
  ),
  bag(
    'bag_unpack: OutputSchema without * returns only its columns',
    `${PEOPLE} | evaluate bag_unpack(d) : (Name:string)`,
    { cols: ['Name:string'], rows: [['John'], ['Dave'], ['Jasmine']] },
  ),
  bag(
    'bag_unpack: OutputSchema lets later operators use the columns',
    `${PEOPLE} | evaluate bag_unpack(d) : (Name:string, Age:long) | where Age > 25 | project Name`,
    { rows: [['Dave'], ['Jasmine']] },
  ),
  bag(
    'bag_unpack: a slot whose values differ in type is dynamic',
    `datatable(d:dynamic)[dynamic({"a": 1}), dynamic({"a": "x"})] | evaluate bag_unpack(d)`,
    { cols: ['a:dynamic'], rows: [[1], ['x']] },
  ),
  bag(
    'bag_unpack: null values are ignored when typing a slot',
    `datatable(d:dynamic)[dynamic({"a": null}), dynamic({"a": 2})] | evaluate bag_unpack(d)`,
    { cols: ['a:long'], rows: [[null], [2]] },
  ),
  bag(
    'bag_unpack: a row without a bag gives nulls',
    `datatable(d:dynamic)[dynamic({"a": 1}), dynamic(null)] | evaluate bag_unpack(d)`,
    { cols: ['a:long'], rows: [[1], [null]] },
  ),
  bag(
    'bag_unpack: the input columns come first, the slots extend the schema',
    `datatable(x:long, d:dynamic)[1, dynamic({"b": 2})] | evaluate bag_unpack(d)`,
    { cols: ['x:long', 'b:long'], rows: [[1, 2]] },
  ),
  bag(
    'bag_unpack: without an OutputSchema before another operator is refused (the parser cannot type the columns)',
    `${PEOPLE} | evaluate bag_unpack(d) | project Name`,
    'refuse',
  ),
  evaluate(
    'evaluate: a plugin other than bag_unpack is refused',
    `datatable(a:string, b:long)['x', 1] | evaluate pivot(a)`,
    'refuse',
  ),
  // ---- join conditions ----
  join(
    'join: conditions joined with and',
    `${XY}X | join kind=inner (Y) on $left.k == $right.k2 and $left.v == $right.w | project k, z`,
    {
      rows: [
        ['a', 'p'],
        ['c', 'r'],
      ],
      unordered: true,
    },
  ),
  join(
    'join: conditions separated by commas are and-ed',
    `${XY}X | join kind=inner (Y) on $left.k == $right.k2, $left.v == $right.w | project k, z`,
    {
      rows: [
        ['a', 'p'],
        ['c', 'r'],
      ],
      unordered: true,
    },
  ),
  join(
    'join: hints do not change the result',
    `${XY}X | join kind=inner hint.strategy=broadcast (Y) on $left.k == $right.k2 | project k, z`,
    {
      rows: [
        ['a', 'p'],
        ['b', 'q'],
        ['c', 'r'],
      ],
      unordered: true,
    },
  ),
  join(
    'join: a leftouter join on and-ed conditions keeps the unmatched rows',
    `${XY}X | join kind=leftouter (Y) on $left.k == $right.k2 and $left.v == $right.w | project k, z`,
    {
      rows: [
        ['a', 'p'],
        ['b', ''],
        ['c', 'r'],
      ],
      unordered: true,
    },
  ),
  join(
    'join: the where form is refused',
    `${XY}X | join kind=inner (Y) where $left.k == $right.k2`,
    'refuse',
  ),
  // ---- mv-expand parameters ----
  mvx(
    'mv-expand: array expansion (the page example)',
    `datatable (a: int, b: dynamic)[1, dynamic([10, 20]), 2, dynamic(['a', 'b'])] | mv-expand b`,
    {
      cols: ['a:int', 'b:dynamic'],
      rows: [
        [1, 10],
        [1, 20],
        [2, 'a'],
        [2, 'b'],
      ],
    },
  ),
  mvx(
    'mv-expand: bags expand to single-entry bags by default (the page example)',
    `datatable (a: int, b: dynamic)[1, dynamic({"prop1": "a1", "prop2": "b1"})] | mv-expand b`,
    {
      rows: [
        [1, { prop1: 'a1' }],
        [1, { prop2: 'b1' }],
      ],
    },
  ),
  mvx(
    'mv-expand: kind=array expands bags to [key, value] (the page example)',
    `datatable (a: int, b: dynamic)[1, dynamic({"prop1": "a1", "prop2": "b1"})] | mv-expand kind=array b | extend key = b[0], val = b[1]`,
    {
      rows: [
        [1, ['prop1', 'a1'], 'prop1', 'a1'],
        [1, ['prop2', 'b1'], 'prop2', 'b1'],
      ],
    },
  ),
  mvx(
    'mv-expand: bagexpansion=array is the same as kind=array',
    `print b = dynamic({"k": 1}) | mv-expand bagexpansion=array b`,
    { rows: [[['k', 1]]] },
  ),
  mvx(
    'mv-expand: two columns expand in parallel, the shorter padded with null (the page example)',
    `datatable (a: int, b: dynamic, c: dynamic)[1, dynamic({"prop1": "a", "prop2": "b"}), dynamic([5, 4, 3])] | mv-expand b, c`,
    {
      rows: [
        [1, { prop1: 'a' }, 5],
        [1, { prop2: 'b' }, 4],
        [1, null, 3],
      ],
    },
  ),
  mvx(
    'mv-expand: to typeof(int) types the column (the page example)',
    `datatable (a: string, b: dynamic, c: dynamic)["Constant", dynamic([1, 2]), dynamic([6, 7])] | mv-expand b, c to typeof(int)`,
    {
      cols: ['a:string', 'b:dynamic', 'c:int'],
      rows: [
        ['Constant', 1, 6],
        ['Constant', 2, 7],
      ],
    },
  ),
  mvx(
    'mv-expand: with_itemindex counts from 0 (the page example)',
    `range x from 1 to 4 step 1 | summarize x = make_list(x) | mv-expand with_itemindex=Index x`,
    {
      cols: ['x:dynamic', 'Index:long'],
      rows: [
        [1, 0],
        [2, 1],
        [3, 2],
        [4, 3],
      ],
    },
  ),
  mvx(
    'mv-expand: limit caps the rows of each input row',
    `print d = dynamic([1, 2, 3]) | mv-expand d limit 2`,
    {
      rows: [[1], [2]],
    },
  ),
  mvx(
    'mv-expand: to typeof() only casts, elements of another type become null',
    `print d = dynamic([1, "2", 3.5]) | mv-expand d to typeof(long)`,
    { cols: ['d:long'], rows: [[1], [null], [null]] },
  ),
  mvx(
    'mv-expand: to typeof(bool) casts',
    `print d = dynamic([true, "true"]) | mv-expand d to typeof(bool)`,
    { cols: ['d:bool'], rows: [[true], [null]] },
  ),
  mvx(
    'mv-expand: to typeof(real) keeps numbers',
    `print d = dynamic([1.5, 2, "x"]) | mv-expand d to typeof(real)`,
    { cols: ['d:real'], rows: [[1.5], [2], [null]] },
  ),
  mvx(
    'mv-expand: a null value gives one row, an empty array none',
    `datatable(k:long, d:dynamic)[1, dynamic(null), 2, dynamic([])] | mv-expand d`,
    {
      rows: [[1, null]],
    },
  ),
  mvx(
    'mv-expand: Name = ArrayExpression adds a new column',
    `print d = dynamic([1, 2]) | mv-expand e = d`,
    {
      cols: ['d:dynamic', 'e:dynamic'],
      rows: [
        [[1, 2], 1],
        [[1, 2], 2],
      ],
    },
  ),
  // ---- make-series parameters ----
  series(
    'make-series: from, to (exclusive) and step with default=0',
    `datatable(t:long, v:long)[0, 1, 2, 5, 2, 1] | make-series s = sum(v) default=0 on t from 0 to 3 step 1`,
    {
      cols: ['s:dynamic', 't:dynamic'],
      rows: [
        [
          [1, 0, 6],
          [0, 1, 2],
        ],
      ],
    },
  ),
  series(
    'make-series: default= fills the empty bins',
    `datatable(t:long, v:long)[0, 1, 2, 5] | make-series s = sum(v) default=-1 on t from 0 to 3 step 1`,
    {
      rows: [
        [
          [1, -1, 5],
          [0, 1, 2],
        ],
      ],
    },
  ),
  series(
    'make-series: the default default is 0',
    `datatable(t:long)[0, 2] | make-series c = count() on t from 0 to 3 step 1`,
    {
      rows: [
        [
          [1, 0, 1],
          [0, 1, 2],
        ],
      ],
    },
  ),
  series(
    'make-series: one series per by key',
    `datatable(t:long, k:string)[0, 'a', 1, 'b', 1, 'a'] | make-series c = count() on t from 0 to 2 step 1 by k`,
    {
      cols: ['k:string', 'c:dynamic', 't:dynamic'],
      rows: [
        ['a', [1, 1], [0, 1]],
        ['b', [0, 1], [0, 1]],
      ],
      unordered: true,
    },
  ),
  series(
    'make-series: hint.shufflekey does not change the result',
    `datatable(t:long, k:string)[0, 'a'] | make-series hint.shufflekey = k c = count() on t from 0 to 1 step 1 by k`,
    { rows: [['a', [1], [0]]] },
  ),
  series(
    'make-series: datetime axis with a timespan step',
    `datatable(t:datetime)[datetime(2024-01-01 00:30), datetime(2024-01-01 02:10)] | make-series c = count() on t from datetime(2024-01-01) to datetime(2024-01-01 03:00) step 1h`,
    {
      rows: [
        [
          [1, 0, 1],
          ['2024-01-01T00:00:00.000Z', '2024-01-01T01:00:00.000Z', '2024-01-01T02:00:00.000Z'],
        ],
      ],
    },
  ),
  series(
    'make-series: kind=nonempty is refused',
    `datatable(t:long)[0] | make-series kind=nonempty c = count() on t from 0 to 2 step 1`,
    'refuse',
  ),
  // ---- sort / order ----
  sort('sort: asc puts nulls first by default', `${N}N | sort by a asc | project a`, {
    rows: [[null], [1], [2], [3]],
  }),
  sort('sort: desc (the default) puts nulls last', `${N}N | sort by a | project a`, {
    rows: [[3], [2], [1], [null]],
  }),
  sort('sort: asc nulls last', `${N}N | sort by a asc nulls last | project a`, {
    rows: [[1], [2], [3], [null]],
  }),
  sort('sort: desc nulls first', `${N}N | sort by a desc nulls first | project a`, {
    rows: [[null], [3], [2], [1]],
  }),
  sort(
    'sort: later keys break ties',
    `datatable(a:long, b:string)[1,'x', 2,'y', 1,'z'] | sort by a asc, b desc`,
    {
      rows: [
        [1, 'z'],
        [1, 'x'],
        [2, 'y'],
      ],
    },
  ),
  at('order-by-operator')(
    'order: the same as sort (asc nulls last)',
    `${N}N | order by a asc nulls last | project a`,
    {
      rows: [[1], [2], [3], [null]],
    },
  ),
  // ---- top ----
  top('top: by desc (default) leaves nulls last', `${N}N | top 2 by a | project a`, {
    rows: [[3], [2]],
  }),
  top('top: asc puts nulls first by default', `${N}N | top 2 by a asc | project a`, {
    rows: [[null], [1]],
  }),
  top('top: asc nulls last', `${N}N | top 2 by a asc nulls last | project a`, { rows: [[1], [2]] }),
  top('top: desc nulls first', `${N}N | top 2 by a desc nulls first | project a`, {
    rows: [[null], [3]],
  }),
  top(
    'top: N larger than the input returns every row',
    `${N}N | top 10 by a asc nulls last | count`,
    { rows: [[4]] },
  ),
  // ---- take ----
  take('take: 0 returns no rows', `${N}N | take 0`, { rows: [] }),
  take('take: more than the input returns every row', `${N}N | take 100 | count`, { rows: [[4]] }),
  at('take-operator')('limit: an alias of take', `${N}N | limit 1 | count`, { rows: [[1]] }),
  // ---- summarize hints ----
  summarize(
    'summarize: hint.shufflekey does not change the result',
    `datatable(k:string, v:long)['a',1,'b',2,'a',3] | summarize hint.shufflekey = k s = sum(v) by k`,
    {
      rows: [
        ['a', 4],
        ['b', 2],
      ],
      unordered: true,
    },
  ),
  summarize(
    'summarize: hint.strategy=shuffle does not change the result',
    `datatable(k:string, v:long)['a',1,'b',2,'a',3] | summarize hint.strategy = shuffle s = sum(v) by k`,
    {
      rows: [
        ['a', 4],
        ['b', 2],
      ],
      unordered: true,
    },
  ),
  summarize(
    'summarize: hint.num_partitions does not change the result',
    `datatable(k:string, v:long)['a',1,'b',2,'a',3] | summarize hint.strategy = shuffle hint.num_partitions = 4 c = count() by k`,
    {
      rows: [
        ['a', 2],
        ['b', 1],
      ],
      unordered: true,
    },
  ),
  summarize(
    'summarize: by bin(t, 1h) groups by the bin start',
    `datatable(t:datetime)[datetime(2024-01-01 00:10), datetime(2024-01-01 00:50), datetime(2024-01-01 01:05)] | summarize c = count() by bin(t, 1h)`,
    {
      rows: [
        ['2024-01-01T00:00:00.000Z', 2],
        ['2024-01-01T01:00:00.000Z', 1],
      ],
      unordered: true,
    },
  ),
  // ---- distinct, lookup ----
  distinct(
    'distinct: hint.strategy=shuffle does not change the result',
    `datatable(k:string)['a','b','a'] | distinct hint.strategy = shuffle k`,
    { rows: [['a'], ['b']], unordered: true },
  ),
  lookup(
    'lookup: kind=inner drops the rows without a match',
    `datatable(k:string, v:long)['a',1,'x',2] | lookup kind=inner (datatable(k:string, n:string)['a','A']) on k`,
    { cols: ['k:string', 'v:long', 'n:string'], rows: [['a', 1, 'A']] },
  ),
  lookup(
    'lookup: the default kind=leftouter keeps them with nulls',
    `datatable(k:string, v:long)['a',1,'x',2] | lookup (datatable(k:string, n:long)['a',7]) on k`,
    {
      rows: [
        ['a', 1, 7],
        ['x', 2, null],
      ],
      unordered: true,
    },
  ),
  // ---- range, serialize, count, project-reorder ----
  range(
    'range: datetime values with a timespan step, inclusive of the stop',
    `range t from datetime(2024-01-01) to datetime(2024-01-01 02:00) step 1h`,
    {
      cols: ['t:datetime'],
      rows: [
        ['2024-01-01T00:00:00.000Z'],
        ['2024-01-01T01:00:00.000Z'],
        ['2024-01-01T02:00:00.000Z'],
      ],
    },
  ),
  range(
    'range: a stop below the start with a positive step gives no rows',
    `range x from 5 to 1 step 1`,
    { rows: [] },
  ),
  serialize(
    'serialize: extends with row_number()',
    `datatable(a:string)['x','y'] | serialize n = row_number()`,
    {
      cols: ['a:string', 'n:long'],
      rows: [
        ['x', 1],
        ['y', 2],
      ],
    },
  ),
  count('count: an empty input counts 0', `datatable(a:long)[] | count`, {
    cols: ['Count:long'],
    rows: [[0]],
  }),
  reorder(
    'project-reorder: the named columns first, the rest after in their order',
    `datatable(a:long, b:long, c:long)[1, 2, 3] | project-reorder c`,
    { cols: ['c:long', 'a:long', 'b:long'], rows: [[3, 1, 2]] },
  ),
];
