/** `project-rename new = old`: renames columns in place. */
import { elements, prop } from '../kusto-language.js';
import { selectBySchema, type Operator } from './common.js';

export const projectRename: Operator = (op, input, _env, ctx) => {
  const rename = new Map<string, string>();
  for (const e of elements(prop(op, 'Expressions'))) {
    const to = String(prop(prop(e, 'Name')!, 'SimpleName'));
    const from = String(prop(e, 'Expression')!['SimpleName']);
    rename.set(to, from);
  }
  return selectBySchema(op, input, ctx, rename);
};
