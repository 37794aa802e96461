import type { SqlDatabase } from '../store';

/** The demo's customers: two tenants, so that scope boundaries have something to guard. */
export const CUSTOMERS = [
  { tenant: 'acme', id: 'cus_ada', name: 'Ada Lovelace', email: 'ada@example.com', plan: 'pro' },
  { tenant: 'acme', id: 'cus_alan', name: 'Alan Turing', email: 'alan@example.com', plan: 'free' },
  { tenant: 'globex', id: 'cus_grace', name: 'Grace Hopper', email: 'grace@example.org', plan: 'enterprise' },
] as const;

/** The demo's orders. */
export const ORDERS = [
  { tenant: 'acme', id: 'ord_1001', customerId: 'cus_ada', item: 'Analytical Engine manual', amountCents: 4900, status: 'delivered', placedOn: '2026-11-02' },
  { tenant: 'acme', id: 'ord_1002', customerId: 'cus_ada', item: 'Brass gear set', amountCents: 12900, status: 'shipped', placedOn: '2026-11-20' },
  { tenant: 'acme', id: 'ord_1003', customerId: 'cus_alan', item: 'Enigma rotor', amountCents: 25900, status: 'paid', placedOn: '2026-11-24' },
  { tenant: 'globex', id: 'ord_2001', customerId: 'cus_grace', item: 'COBOL compiler', amountCents: 99900, status: 'delivered', placedOn: '2026-10-11' },
] as const;

/** The demo's customer records (notes that `delete_record` can remove). */
export const RECORDS = [
  { tenant: 'acme', id: 'rec_1', customerId: 'cus_ada', content: 'Prefers e-mail contact.' },
  { tenant: 'acme', id: 'rec_2', customerId: 'cus_ada', content: 'Old shipping address: 12 St James Square.' },
  { tenant: 'globex', id: 'rec_9', customerId: 'cus_grace', content: 'Enterprise contract renewal in March.' },
] as const;

/** Inserts the demo data where it is missing (each tenant's rows under that tenant's scope). */
export async function seedExampleData(db: SqlDatabase): Promise<void> {
  for (const tenant of ['acme', 'globex']) {
    await db.transaction(async (tx) => {
      await tx.query(`SELECT set_config('keel.tenant', $1, true), set_config('keel.subjects', '', true)`, [tenant]);
      for (const c of CUSTOMERS.filter((c) => c.tenant === tenant)) {
        await tx.query(`INSERT INTO customers (tenant, id, name, email, plan) VALUES ($1,$2,$3,$4,$5) ON CONFLICT DO NOTHING`, [
          c.tenant, c.id, c.name, c.email, c.plan,
        ]);
      }
      for (const o of ORDERS.filter((o) => o.tenant === tenant)) {
        await tx.query(
          `INSERT INTO orders (tenant, id, customer_id, item, amount_cents, status, placed_on) VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT DO NOTHING`,
          [o.tenant, o.id, o.customerId, o.item, o.amountCents, o.status, o.placedOn],
        );
      }
      for (const r of RECORDS.filter((r) => r.tenant === tenant)) {
        await tx.query(`INSERT INTO records (tenant, id, customer_id, content) VALUES ($1,$2,$3,$4) ON CONFLICT DO NOTHING`, [
          r.tenant, r.id, r.customerId, r.content,
        ]);
      }
    });
  }
}
