/** `project-away`, `project-keep`, `project-reorder`: column selection the parser already resolved. */
import { selectBySchema, type Operator } from './common.js';

export const projectAway: Operator = (op, input, _env, ctx) => selectBySchema(op, input, ctx);
