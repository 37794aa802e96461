import { z } from 'zod';
import { defineTool } from '../../core/tool';
import { withScope, type SqlDatabase } from '../../store';
import { notFoundInScope } from '../scope-check';

/**
 * The payments pack: `process_payment` (write_critical) refunds or charges an order of the session's
 * scope. The idempotency key is the payment's unique key, as a payment provider's would be: the same
 * intent returns the first payment, never a second one.
 */
export function createPaymentTools(db: SqlDatabase) {
  const processPayment = defineTool({
    name: 'process_payment',
    description: 'Refund or charge an order. Needs human approval; say why in your message.',
    tier: 'write_critical',
    /** A payment changes what an order shows (its payments, refund state). */
    invalidates: ({ orderId }) => [`order:${orderId}`],
    input: z.object({
      orderId: z.string().regex(/^ord_\w+$/),
      kind: z.enum(['refund', 'charge']),
      amountCents: z.number().int().positive(),
    }),
    run: ({ orderId, kind, amountCents }, { scope, idempotencyKey }) =>
      withScope(db, scope, async (tx) => {
        const order = await tx.query<{ amount_cents: number }>(`SELECT amount_cents FROM orders WHERE id = $1`, [orderId]);
        if (!order.rows[0]) throw await notFoundInScope(tx, 'order', orderId);
        if (kind === 'refund' && amountCents > order.rows[0].amount_cents) {
          throw new Error(`a refund of ${amountCents} cents exceeds the order's ${order.rows[0].amount_cents} cents`);
        }
        await tx.query(
          `INSERT INTO payments (tenant, order_id, kind, amount_cents, idempotency_key) VALUES (current_setting('keel.tenant'), $1, $2, $3, $4)
           ON CONFLICT (idempotency_key) DO NOTHING`,
          [orderId, kind, amountCents, idempotencyKey],
        );
        const { rows } = await tx.query(
          `SELECT 'pay_' || id AS id, order_id AS "orderId", kind, amount_cents AS "amountCents" FROM payments WHERE idempotency_key = $1`,
          [idempotencyKey],
        );
        return rows[0];
      }),
  });
  return [processPayment];
}
