/** A payment or refund as the provider records it. */
export interface PaymentRecord {
  id: string;
  idempotencyKey: string;
  tenant: string;
  orderId: string;
  kind: 'refund' | 'charge';
  amountCents: number;
  createdAt: string;
}

/**
 * An in-process payment provider for the demo and tests that honours idempotency keys the way real
 * providers do (Stripe's `Idempotency-Key`): the same key returns the first payment, never a second.
 */
export class InMemoryPaymentProvider {
  private readonly byKey = new Map<string, PaymentRecord>();

  /** Creates a payment, or returns the one created before with the same key. */
  async create(idempotencyKey: string, payment: Omit<PaymentRecord, 'id' | 'idempotencyKey' | 'createdAt'>): Promise<PaymentRecord> {
    const existing = this.byKey.get(idempotencyKey);
    if (existing) return existing;
    const record: PaymentRecord = { id: `pay_${this.byKey.size + 1}`, idempotencyKey, createdAt: new Date().toISOString(), ...payment };
    this.byKey.set(idempotencyKey, record);
    return record;
  }

  /** Every payment made, oldest first. */
  payments(): PaymentRecord[] {
    return [...this.byKey.values()];
  }
}
