import { z } from 'zod';
import { defineTool, type ToolContext } from '../../core/tool';
import { CUSTOMERS, ORDERS } from './records';

const inScope = (tenant: string, context: ToolContext) => tenant === context.scope.tenant;

/** Looks up a customer of the session's tenant by id or e-mail. */
export const lookupCustomer = defineTool({
  name: 'lookup_customer',
  description: 'Look up a customer by customer id (cus_…) or e-mail address. Returns the customer record or an error.',
  tier: 'read',
  input: z.object({ customer: z.string().min(1).describe('customer id or e-mail address') }),
  async run({ customer }, context) {
    const record = CUSTOMERS.find((c) => inScope(c.tenant, context) && (c.id === customer || c.email === customer));
    if (!record) throw new Error(`no customer "${customer}"`);
    return record;
  },
});

/** Lists a customer's orders. */
export const listOrders = defineTool({
  name: 'list_orders',
  description: "List a customer's orders, newest first, with status and amount.",
  tier: 'read',
  input: z.object({ customerId: z.string().min(1) }),
  async run({ customerId }, context) {
    return ORDERS.filter((o) => inScope(o.tenant, context) && o.customerId === customerId).sort((a, b) =>
      b.placedOn.localeCompare(a.placedOn),
    );
  },
});

/** Reads one order. */
export const getOrder = defineTool({
  name: 'get_order',
  description: 'Get one order by id (ord_…): item, amount in cents, status and date.',
  tier: 'read',
  input: z.object({ orderId: z.string().regex(/^ord_\w+$/, 'an order id looks like ord_1001') }),
  async run({ orderId }, context) {
    const order = ORDERS.find((o) => inScope(o.tenant, context) && o.id === orderId);
    if (!order) throw new Error(`no order "${orderId}"`);
    return order;
  },
});

/** The support pack's tools. */
export const supportTools = [lookupCustomer, listOrders, getOrder];
