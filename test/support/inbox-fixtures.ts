import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { defineAgent, type Agent } from '../../core/agent';
import { defineTool } from '../../core/tool';
import type { PendingApproval } from '../../core/approval';
import type { SessionHandle } from '../../client';
import { addLocalUser } from '../../inbox/local-users';
import type { ScriptedModelServer } from '../../scripted-model';
import { unmarked } from './marked-data';

/** Real executions of the inbox agents' tools in this process, by tool and input. */
export const inboxExecutions: Array<{ tool: string; input: unknown; sessionId: string }> = [];

const refundOrder = defineTool({
  name: 'refund_order',
  description: 'Refund an order. Needs approval.',
  tier: 'write_critical',
  input: z.object({ orderId: z.string(), amountCents: z.number().int().positive(), memo: z.string().optional() }),
  async run(input, { sessionId }) {
    inboxExecutions.push({ tool: 'refund_order', input, sessionId });
    return { refundId: `re_${input.orderId}` };
  },
});

const wireTransfer = defineTool({
  name: 'wire_transfer',
  description: 'Send money to a bank account. Needs two approvers.',
  tier: 'write_critical',
  approvals: { required: 2 },
  input: z.object({ iban: z.string(), amountCents: z.number().int().positive() }),
  async run(input, { sessionId }) {
    inboxExecutions.push({ tool: 'wire_transfer', input, sessionId });
    return { transferId: `tr_${input.amountCents}` };
  },
});

/** The agents the inbox tests serve: `desk` refunds (one approver), `treasury` wires money (two approvers). */
export function inboxAgents(): Agent[] {
  return [
    defineAgent({ name: 'desk', instructions: 'Refund what the customer asks for.', tools: [refundOrder] }),
    defineAgent({ name: 'treasury', instructions: 'Pay what the invoice says.', tools: [wireTransfer] }),
  ];
}

/** Who may approve the test sessions. */
export const INBOX_APPROVERS = ['alice@acme.com', 'bob@acme.com', 'role:support-lead'];

/** The inbox's test users; every password is `correct horse battery staple`. */
export const INBOX_PASSWORD = 'correct horse battery staple';
export async function writeInboxUsers(dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'inbox-users.json');
  await addLocalUser(path, { identity: 'alice@acme.com', name: 'Alice Adams', password: INBOX_PASSWORD, tenants: ['acme'] });
  await addLocalUser(path, { identity: 'bob@acme.com', name: 'Bob Brown', password: INBOX_PASSWORD, tenants: ['acme'] });
  await addLocalUser(path, { identity: 'maria@acme.com', name: 'Maria Lopez', password: INBOX_PASSWORD, tenants: ['acme'], roles: ['support-lead'] });
  // Holds acme but is no approver of the test sessions.
  await addLocalUser(path, { identity: 'carol@acme.com', password: INBOX_PASSWORD, tenants: ['acme'] });
  await addLocalUser(path, { identity: 'gina@globex.com', name: 'Gina Global', password: INBOX_PASSWORD, tenants: ['globex'] });
  return path;
}

/**
 * Scripts the model: given `tag` in the user's message it proposes `calls` with `reason`; after the
 * results it answers with what happened. With `again`, a rejected call is proposed once more with
 * that input instead.
 */
export function proposes(model: ScriptedModelServer, tag: string, reason: string, calls: Array<{ name: string; input: Record<string, unknown> }>, again?: Record<string, unknown>) {
  model.addScenario({
    name: tag,
    match: tag,
    turns: (ctx) => {
      const results = ctx.toolResults.map((r) => (r.isError ? `error: ${unmarked(r.content)}` : 'ok')).join(' | ');
      if (ctx.turn === 1 && again && ctx.toolResults.some((r) => r.isError)) return { text: 'Trying another amount.', toolCalls: [{ name: calls[0]!.name, input: again }] };
      return ctx.turn === 0 ? { text: reason, toolCalls: calls } : { text: `results: ${results}` };
    },
  });
}

/** The first request the session waits on (waits for it to appear). */
export async function pendingOf(session: SessionHandle, notRequestId?: string): Promise<PendingApproval> {
  for (let i = 0; i < 600; i++) {
    const status = await session.status().catch(() => undefined);
    const pending = status?.pendingApprovals.find((p) => p.requestId !== notRequestId);
    if (status?.state === 'awaiting_approval' && pending) return pending;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`session ${session.sessionId} has no pending approval`);
}

/** Polls `check` until it returns a value (not undefined), for at most `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
