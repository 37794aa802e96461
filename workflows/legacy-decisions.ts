import { z } from 'zod';
import { ExtraBudgetSchema } from '../core/limits';
import { lazySchema } from '../core/lazy-schema';

/**
 * Decision payloads of sessions recorded before decisions were signed statements. Only used to
 * replay decisions already in such histories (the `verified-decisions` patch is absent there); any
 * decision that arrives after the upgrade goes through the {@link DecisionGate}.
 */
export const VERIFIED_DECISIONS_PATCH = 'verified-decisions';

/**
 * Sessions recorded since this patch reload approver keys when a decision needs them (see
 * `HumanGate.keysFor`) instead of every `approverKeyRefreshMs` while they wait; older histories
 * replay their periodic reloads.
 */
export const KEYS_ON_DEMAND_PATCH = 'keys-on-demand';

export const LegacyApproveSchema = lazySchema(() =>
  z.object({
    requestId: z.string().min(1),
    approver: z.string().min(1),
    roles: z.array(z.string().min(1)).optional(),
    digest: z.string().optional(),
    note: z.string().optional(),
    sessionId: z.string().min(1).optional(),
  }),
);

export const LegacyRejectSchema = lazySchema(() => LegacyApproveSchema.omit({ note: true }).extend({ reason: z.string().min(1) }));

export const LegacyResolveEscalationSchema = lazySchema(() =>
  z.object({
    approver: z.string().min(1),
    roles: z.array(z.string().min(1)).optional(),
    action: z.enum(['resume', 'abort']),
    extraBudget: ExtraBudgetSchema.optional(),
    note: z.string().optional(),
    sessionId: z.string().min(1).optional(),
  }),
);
