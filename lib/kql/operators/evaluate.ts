/**
 * `evaluate [hint.*=...] plugin(...)`: only `bag_unpack` is implemented (bag-unpack.ts); any
 * other plugin is refused by name. The `hint.distribution` / `hint.remote` parameters only
 * say where a cluster runs the plugin, so they change nothing locally.
 */
import { kindName, prop } from '../kusto-language.js';
import { namedParameters, unsupportedAt, type Operator } from './common.js';
import { bagUnpack } from './bag-unpack.js';

export const evaluate: Operator = (op, input, env, ctx) => {
  for (const name of namedParameters(op).keys())
    if (!name.startsWith('hint.')) unsupportedAt(ctx, op, 'argument', name);
  const call = prop(op, 'FunctionCall');
  const name =
    call && kindName(call) === 'FunctionCallExpression'
      ? String(prop(call, 'Name')?.['SimpleName'] ?? '')
      : '';
  if (name !== 'bag_unpack') return unsupportedAt(ctx, call ?? op, 'function', name || 'evaluate');
  return bagUnpack(op, call!, input, env, ctx);
};
