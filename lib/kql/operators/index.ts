/**
 * The operator registry: syntax kind of the official parser to implementation. A kind that
 * is not here is reported as unsupported with its line and column.
 */
import type { Operator } from './common.js';
import { count } from './count.js';
import { distinct } from './distinct.js';
import { extend } from './extend.js';
import { join } from './join.js';
import { lookup } from './lookup.js';
import { makeSeries } from './make-series.js';
import { mvExpand } from './mv-expand.js';
import { parse, parseWhere } from './parse.js';
import { topNested } from './top-nested.js';
import { evaluate } from './evaluate.js';
import { project } from './project.js';
import { projectAway } from './project-away.js';
import { projectRename } from './project-rename.js';
import { serialize } from './serialize.js';
import { sort } from './sort.js';
import { summarize } from './summarize.js';
import { take } from './take.js';
import { top } from './top.js';
import { where } from './where.js';
import { unionOf } from './union.js';

const passThrough: Operator = (_op, input) => input;

/** Piped operators by `SyntaxKind` name. */
export const OPERATORS: ReadonlyMap<string, Operator> = new Map<string, Operator>([
  ['FilterOperator', where],
  ['ExtendOperator', extend],
  ['ProjectOperator', project],
  ['ProjectAwayOperator', projectAway],
  ['ProjectKeepOperator', projectAway],
  ['ProjectReorderOperator', projectAway],
  ['ProjectRenameOperator', projectRename],
  ['SummarizeOperator', summarize],
  ['JoinOperator', join],
  ['LookupOperator', lookup],
  ['UnionOperator', (op, input, env, ctx) => unionOf(op, input, env, ctx)],
  ['SortOperator', sort],
  ['TopOperator', top],
  ['TakeOperator', take],
  ['DistinctOperator', distinct],
  ['CountOperator', count],
  ['SerializeOperator', serialize],
  ['MvExpandOperator', mvExpand],
  ['MakeSeriesOperator', makeSeries],
  ['ParseOperator', parse],
  ['ParseWhereOperator', parseWhere],
  ['TopNestedOperator', topNested],
  ['EvaluateOperator', evaluate],
  // `render` only tells a client how to draw; the data is unchanged.
  ['RenderOperator', passThrough],
  ['AsOperator', passThrough],
]);

/** The user-facing spelling of an operator kind, for error messages. */
export function operatorSpelling(kind: string): string {
  return kind
    .replace(/Operator$/, '')
    .replace(/([a-z])([A-Z])/g, '$1-$2')
    .toLowerCase();
}
