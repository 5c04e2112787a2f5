/**
 * Window functions over serialized rows: row_number.
 */
import { KqlRuntimeError } from '../errors.js';
import { registerScalar } from './registry.js';

registerScalar(
  'row_number',
  ([start], _t, call, scope) => {
    if (!scope.frame.serialized) {
      const p = scope.ctx.position(call.TextStart);
      throw new KqlRuntimeError(
        `row_number() needs serialized rows (line ${p.line}, column ${p.column}): add 'serialize' or 'order by' before it.`,
      );
    }
    const first = start ? Number(start.fn(0) ?? 1) : 1;
    return (r) => r + first;
  },
  1,
);
