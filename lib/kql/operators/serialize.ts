/** `serialize`: marks the rows as ordered (so `row_number()` works) and optionally extends. */
import { elements, prop } from '../kusto-language.js';
import { extendFrame } from './extend.js';
import type { Operator } from './common.js';

export const serialize: Operator = (op, input, env, ctx) =>
  extendFrame(op, elements(prop(op, 'Expressions')), { ...input, serialized: true }, env, ctx);
