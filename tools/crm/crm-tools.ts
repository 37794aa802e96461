import { z } from 'zod';
import { defineTool } from '../../core/tool';
import { withScope, type SqlDatabase } from '../../store';
import { notFoundInScope } from '../scope-check';

/** An order as the CRM tools return it. */
type OrderRow = { id: string; customerId: string; item: string; amountCents: number; status: string; placedOn: string };

const orderColumns = `id, customer_id AS "customerId", item, amount_cents AS "amountCents", status, to_char(placed_on, 'YYYY-MM-DD') AS "placedOn"`;

/**
 * The CRM pack: `lookup_customer`, `list_orders`, `get_order` (read) and `update_draft`
 * (write_reversible). The reads share their results across sessions of the same tenant and subjects
 * (their row-level security depends on both) and tag them with the resources they show:
 * `customer:<id>`, `order:<id>`, `customer-orders:<customer id>`. Saving a draft invalidates
 * `customer:<id>` (the customer's support state changed).
 */
export function createCrmTools(db: SqlDatabase) {
  const lookupCustomer = defineTool({
    name: 'lookup_customer',
    description: 'Look up a customer by customer id (cus_…) or e-mail address. Returns the customer record or an error.',
    tier: 'read',
    cache: { ttlMs: 300_000, shared: true, resources: (_input, customer: { id: unknown }) => [`customer:${String(customer.id)}`] },
    input: z.object({ customer: z.string().min(1).describe('customer id or e-mail address') }),
    run: ({ customer }, { scope }) =>
      withScope(db, scope, async (tx) => {
        const { rows } = await tx.query(`SELECT id, name, email, plan FROM customers WHERE id = $1 OR email = $1`, [customer]);
        if (rows[0]) return rows[0];
        throw await notFoundInScope(tx, 'customer', customer);
      }),
  });

  const listOrders = defineTool({
    name: 'list_orders',
    description: "List a customer's orders, newest first, with status and amount in cents.",
    tier: 'read',
    cache: {
      ttlMs: 60_000,
      shared: true,
      resources: ({ customerId }: { customerId: string }, orders: ReadonlyArray<{ id: unknown }>) => [
        `customer-orders:${customerId}`,
        ...orders.map((order) => `order:${String(order.id)}`),
      ],
    },
    input: z.object({ customerId: z.string().min(1) }),
    run: ({ customerId }, { scope }) =>
      withScope(db, scope, async (tx) => {
        const { rows } = await tx.query<OrderRow>(`SELECT ${orderColumns} FROM orders WHERE customer_id = $1 ORDER BY placed_on DESC`, [customerId]);
        if (rows.length === 0) {
          // No orders: say so only for a customer the session can see (a missing or foreign one reads the same).
          const customer = await tx.query(`SELECT id FROM customers WHERE id = $1`, [customerId]);
          if (!customer.rows[0]) throw await notFoundInScope(tx, 'customer', customerId);
        }
        return rows;
      }),
  });

  const getOrder = defineTool({
    name: 'get_order',
    description: 'Get one order by id (ord_…): item, amount in cents, status and date.',
    tier: 'read',
    cache: { ttlMs: 60_000, shared: true, resources: ({ orderId }) => [`order:${orderId}`] },
    input: z.object({ orderId: z.string().regex(/^ord_\w+$/, 'an order id looks like ord_1001') }),
    run: ({ orderId }, { scope }) =>
      withScope(db, scope, async (tx) => {
        const { rows } = await tx.query(`SELECT ${orderColumns} FROM orders WHERE id = $1`, [orderId]);
        if (rows[0]) return rows[0];
        throw await notFoundInScope(tx, 'order', orderId);
      }),
  });

  const updateDraft = defineTool({
    name: 'update_draft',
    description: "Save the draft reply to a customer (replaces the previous draft; reversible).",
    tier: 'write_reversible',
    scope: 'subject',
    invalidates: ({ customerId }) => [`customer:${customerId}`],
    input: z.object({ customerId: z.string().min(1), body: z.string().min(1).max(10_000) }),
    run: ({ customerId, body }, { scope, idempotencyKey }) =>
      withScope(db, scope, async (tx) => {
        const customer = await tx.query(`SELECT id FROM customers WHERE id = $1`, [customerId]);
        if (!customer.rows[0]) throw await notFoundInScope(tx, 'customer', customerId);
        const { rows } = await tx.query(
          `INSERT INTO drafts (tenant, id, customer_id, body, idempotency_key) VALUES (current_setting('keel.tenant'), $1, $1, $2, $3)
           ON CONFLICT (tenant, id) DO UPDATE SET body = EXCLUDED.body, idempotency_key = EXCLUDED.idempotency_key, updated_at = now()
           RETURNING customer_id AS "customerId", body`,
          [customerId, body, idempotencyKey],
        );
        return { saved: true, draft: rows[0] };
      }),
  });

  return [lookupCustomer, listOrders, getOrder, updateDraft];
}
