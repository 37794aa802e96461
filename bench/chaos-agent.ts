import { z } from 'zod';
import { defineAgent, type Agent } from '../core/agent';
import { defineTool, type AnyTool, type ToolContext } from '../core/tool';
import type { SqlDatabase } from '../store';
import { createCrmTools, createPaymentTools } from '../tools';

/**
 * The agent of the chaos run (`npm run chaos`): a read (`get_order`), a write_reversible
 * (`record_note`) and a write_critical call (`process_payment`, approved with a signed statement),
 * each taking real time so that worker kills land during work. The write tools journal every
 * execution in `chaos_executions` (a backend that deduplicates by the idempotency key hides a second
 * execution; the journal shows it) and hold on after their effect, the window in which a crash
 * leaves an applied effect without its ledger completion.
 */

/** The chaos run's own tables: notes (deduplicated by idempotency key) and the execution journal. */
export const CHAOS_TABLES_SQL = `
CREATE TABLE IF NOT EXISTS chaos_notes (
  idempotency_key text PRIMARY KEY, session_id text NOT NULL, tenant text NOT NULL, customer_id text NOT NULL,
  note text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS chaos_executions (
  id bigserial PRIMARY KEY, idempotency_key text NOT NULL, tool text NOT NULL, worker_pid integer NOT NULL,
  at timestamptz NOT NULL DEFAULT now());
CREATE INDEX IF NOT EXISTS chaos_executions_key ON chaos_executions (idempotency_key);
`;

/** How long the chaos tools take (uniform between the bounds, in ms). */
export interface ChaosToolTimings {
  readMs: [number, number];
  /** After a write's effect, before it returns (and the ledger records it). */
  afterEffectMs: [number, number];
}

export const DEFAULT_CHAOS_TOOL_TIMINGS: ChaosToolTimings = { readMs: [100, 600], afterEffectMs: [200, 900] };

const between = ([min, max]: [number, number]) => min + Math.random() * (max - min);
const pause = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

/**
 * The chaos agent on `db`. `busy` wraps each tool run (the worker counts its calls in flight with
 * it, so the run can tell a kill that landed during work).
 */
export function createChaosAgent(
  db: SqlDatabase,
  options: { timings?: ChaosToolTimings; busy?: <T>(work: () => Promise<T>) => Promise<T> } = {},
): Agent {
  const timings = options.timings ?? DEFAULT_CHAOS_TOOL_TIMINGS;
  const busy = options.busy ?? (<T>(work: () => Promise<T>) => work());
  const journal = (key: string, tool: string) =>
    db.query(`INSERT INTO chaos_executions (idempotency_key, tool, worker_pid) VALUES ($1, $2, $3)`, [key, tool, process.pid]);

  const getOrder: AnyTool = createCrmTools(db).find((t) => t.name === 'get_order')!;
  const payment: AnyTool = createPaymentTools(db).find((t) => t.name === 'process_payment')!;

  const slowRead: AnyTool = {
    ...getOrder,
    // Every call reads the database (no shared cache in the chaos run), then takes a while.
    run: (input: unknown, context: ToolContext) =>
      busy(async () => {
        const output = await getOrder.run(input, context);
        await pause(between(timings.readMs), context.signal);
        return output;
      }),
  };
  const recordNote = defineTool({
    name: 'record_note',
    description: "Add a note to the customer's file (reversible).",
    tier: 'write_reversible',
    input: z.object({ customerId: z.string().min(1), note: z.string().min(1).max(2000) }),
    run: ({ customerId, note }, context) =>
      busy(async () => {
        await db.query(
          `INSERT INTO chaos_notes (idempotency_key, session_id, tenant, customer_id, note) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING`,
          [context.idempotencyKey, context.sessionId, context.scope.tenant, customerId, note],
        );
        await journal(context.idempotencyKey, 'record_note');
        await pause(between(timings.afterEffectMs), context.signal);
        return { saved: true, customerId };
      }),
  });
  const slowPayment: AnyTool = {
    ...payment,
    run: (input: unknown, context: ToolContext) =>
      busy(async () => {
        const output = await payment.run(input, context);
        await journal(context.idempotencyKey, 'process_payment');
        await pause(between(timings.afterEffectMs), context.signal);
        return output;
      }),
  };
  return defineAgent({
    name: 'chaos',
    instructions: 'You are the chaos-run agent: look up the order, note it, refund it (with approval), answer.',
    tools: [slowRead, recordNote, slowPayment],
  });
}
