import { z } from 'zod';

/** Payload of the `approve` signal: approves exactly one pending request. */
export const ApproveSchema = z.object({
  requestId: z.string().min(1),
  approver: z.string().min(1),
  /** Roles the approver acts in, matched against `role:NAME` entries of the session's approvers. */
  roles: z.array(z.string().min(1)).optional(),
  /** When given, must equal the digest of the pending call's validated input. */
  digest: z.string().optional(),
  note: z.string().optional(),
  /** The child session the request belongs to, when sent to an orchestration (which forwards it). */
  sessionId: z.string().min(1).optional(),
});
/** Payload of the `approve` signal. */
export type Approve = z.input<typeof ApproveSchema>;

/** Payload of the `reject` signal. */
export const RejectSchema = z.object({
  requestId: z.string().min(1),
  approver: z.string().min(1),
  roles: z.array(z.string().min(1)).optional(),
  digest: z.string().optional(),
  reason: z.string().min(1),
  /** The child session the request belongs to, when sent to an orchestration (which forwards it). */
  sessionId: z.string().min(1).optional(),
});
/** Payload of the `reject` signal. */
export type Reject = z.input<typeof RejectSchema>;

/** A write_critical call waiting for a human, as `status` shows it. */
export interface PendingApproval {
  requestId: string;
  tool: string;
  /** The call's input, validated against the tool's schema. */
  input: Record<string, unknown>;
  /** SHA-256 of the canonical validated input: the approval is bound to it. */
  digest: string;
  /** What the agent said when it proposed the call. */
  reason: string;
  requestedAtMs: number;
  timeoutMs: number;
  /** In an orchestration's status: the child session the request belongs to (send the decision with it). */
  sessionId?: string;
}

/** How a pending approval was decided. */
export type ApprovalDecision =
  | { decision: 'approved'; approver: string; note?: string }
  | { decision: 'rejected'; approver: string; reason: string }
  | { decision: 'timeout' };

/**
 * Whether `approver` (acting in `roles`) may decide for a session whose approvers are `allowed`:
 * entries are identities or `role:NAME`. No list means anyone who can signal the workflow.
 */
export function isAllowedApprover(allowed: readonly string[] | undefined, approver: string, roles: readonly string[] = []): boolean {
  if (!allowed) return true;
  return allowed.includes(approver) || roles.some((role) => allowed.includes(`role:${role}`));
}
