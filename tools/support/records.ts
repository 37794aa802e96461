/** A customer of the example support pack. */
export interface CustomerRecord {
  id: string;
  tenant: string;
  name: string;
  email: string;
  plan: 'free' | 'pro' | 'enterprise';
}

/** An order of the example support pack. */
export interface OrderRecord {
  id: string;
  tenant: string;
  customerId: string;
  item: string;
  amountCents: number;
  status: 'paid' | 'shipped' | 'delivered' | 'refunded';
  placedOn: string;
}

/** The demo's customers: two tenants, so that scope boundaries have something to guard. */
export const CUSTOMERS: readonly CustomerRecord[] = [
  { id: 'cus_ada', tenant: 'acme', name: 'Ada Lovelace', email: 'ada@example.com', plan: 'pro' },
  { id: 'cus_alan', tenant: 'acme', name: 'Alan Turing', email: 'alan@example.com', plan: 'free' },
  { id: 'cus_grace', tenant: 'globex', name: 'Grace Hopper', email: 'grace@example.org', plan: 'enterprise' },
];

/** The demo's orders. */
export const ORDERS: readonly OrderRecord[] = [
  { id: 'ord_1001', tenant: 'acme', customerId: 'cus_ada', item: 'Analytical Engine manual', amountCents: 4900, status: 'delivered', placedOn: '2026-11-02' },
  { id: 'ord_1002', tenant: 'acme', customerId: 'cus_ada', item: 'Brass gear set', amountCents: 12900, status: 'shipped', placedOn: '2026-11-20' },
  { id: 'ord_1003', tenant: 'acme', customerId: 'cus_alan', item: 'Enigma rotor', amountCents: 25900, status: 'paid', placedOn: '2026-11-24' },
  { id: 'ord_2001', tenant: 'globex', customerId: 'cus_grace', item: 'COBOL compiler', amountCents: 99900, status: 'delivered', placedOn: '2026-10-11' },
];
