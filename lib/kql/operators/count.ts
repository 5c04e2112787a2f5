/** `count`: one row, one `Count` column (long). */
import { applySchema, type Operator } from './common.js';

export const count: Operator = (op, input, _env, ctx) =>
  applySchema(op, [{ name: 'Count', type: 'long', data: [input.length] }], 1, ctx);
