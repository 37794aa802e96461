/** One event of a session trace: its single definition is the zod schema in `trace-schema.ts`. */
export type { TraceEvent } from './trace-schema';
