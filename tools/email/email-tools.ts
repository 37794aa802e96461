import { z } from 'zod';
import { defineTool } from '../../core/tool';
import { withScope, type SqlDatabase } from '../../store';

/** The e-mail pack: `send_email` (write_critical), recorded in the tenant's outbox; a repeated intent sends nothing. */
export function createEmailTools(db: SqlDatabase) {
  const sendEmail = defineTool({
    name: 'send_email',
    description: 'Send an e-mail to a customer. Needs human approval; say why in your message.',
    tier: 'write_critical',
    input: z.object({ to: z.email(), subject: z.string().min(1).max(200), body: z.string().min(1).max(20_000) }),
    run: ({ to, subject, body }, { scope, idempotencyKey }) =>
      withScope(db, scope, async (tx) => {
        await tx.query(
          `INSERT INTO emails (tenant, recipient, subject, body, idempotency_key) VALUES (current_setting('keel.tenant'), $1, $2, $3, $4)
           ON CONFLICT (idempotency_key) DO NOTHING`,
          [to, subject, body, idempotencyKey],
        );
        const { rows } = await tx.query(`SELECT id::text AS "messageId", recipient AS "to", subject FROM emails WHERE idempotency_key = $1`, [
          idempotencyKey,
        ]);
        return { sent: true, ...rows[0] };
      }),
  });
  return [sendEmail];
}
