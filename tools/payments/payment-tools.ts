import { z } from 'zod';
import { defineTool } from '../../core/tool';
import { ORDERS } from '../support/records';
import type { InMemoryPaymentProvider } from './payment-provider';

/** `process_payment` (write_critical): refunds or charges an order of the session's tenant through `provider`. */
export function processPaymentTool(provider: InMemoryPaymentProvider) {
  return defineTool({
    name: 'process_payment',
    description: 'Refund or charge an order. Needs human approval; say why in your message.',
    tier: 'write_critical',
    input: z.object({
      orderId: z.string().regex(/^ord_\w+$/),
      kind: z.enum(['refund', 'charge']),
      amountCents: z.number().int().positive(),
    }),
    async run({ orderId, kind, amountCents }, { scope, idempotencyKey }) {
      const order = ORDERS.find((o) => o.id === orderId && o.tenant === scope.tenant);
      if (!order) throw new Error(`no order "${orderId}"`);
      if (kind === 'refund' && amountCents > order.amountCents) {
        throw new Error(`a refund of ${amountCents} cents exceeds the order's ${order.amountCents} cents`);
      }
      return provider.create(idempotencyKey, { tenant: scope.tenant, orderId, kind, amountCents });
    },
  });
}
