/**
 * Loads every function module so the registries are filled.
 */
import './conditional.js';
import './conversion.js';
import './datetime.js';
import './dynamic.js';
import './math.js';
import './strings.js';
import './window.js';
import './aggregate-collect.js';
import './datetime-parts.js';

export { scalarFunction, scalarFunctionNames, registerScalar } from './registry.js';
export {
  aggregateFunction,
  aggregateMaxArgs,
  aggregateNames,
  isAggregateName,
} from './aggregate-registry.js';
