import { z } from 'zod';
import { DECISION_LIMITS } from './decision-statement';
import { lazySchema } from './lazy-schema';

/**
 * Who may decide for a session: an identity, or anyone holding a role. Typed, so an identity never
 * matches a role entry and a role never matches an identity. As a string, `role:NAME` is a role and
 * anything else an identity.
 */
export const ApproverSchema = lazySchema(() =>
  z.union([
    z
      .string()
      .min(1)
      .max(DECISION_LIMITS.identityChars)
      .transform((s): Approver => (s.startsWith('role:') ? { role: s.slice('role:'.length) } : { identity: s })),
    z.strictObject({ identity: z.string().min(1).max(DECISION_LIMITS.identityChars) }),
    z.strictObject({ role: z.string().min(1).max(DECISION_LIMITS.roleChars) }),
  ]),
);
/** An approver entry: an identity or a role. */
export type Approver = { identity: string } | { role: string };
/** An approver entry as a caller writes it. */
export type ApproverInput = z.input<typeof ApproverSchema>;

/** The session's approvers list (bounded). */
export const ApproversSchema = lazySchema(() => z.array(ApproverSchema).min(1, 'name at least one approver, or leave approvers out').max(100));

/** A write_critical call waiting for a human, as `status` shows it. */
export interface PendingApproval {
  requestId: string;
  tool: string;
  /** The call's input, validated against the tool's schema. */
  input: Record<string, unknown>;
  /** SHA-256 of the canonical validated input: the approval is bound to it. */
  digest: string;
  /** What the agent said when it proposed the call: the model's own words, not a fact. */
  reason: string;
  requestedAtMs: number;
  timeoutMs: number;
  /**
   * For a tool that needs several distinct approvers (quorum): how many, and who has approved so
   * far (the call waits until `by` has `required` identities). Absent: one approval decides.
   */
  approvals?: { required: number; by: string[] };
  /**
   * Where each sensitive argument came from (information-flow policy): `user` (the request),
   * `instructions` (the agent's), `tool:<name>` (a trusted tool's output), `untrusted:<name>` (only an
   * untrusted tool's output), `model` (found in none of them).
   */
  provenance?: Record<string, string>;
  /** In an orchestration's status: the child session the request belongs to (send the decision with it). */
  sessionId?: string;
}

/** The approver recorded for calls of an agent that declares automatic approval. */
export const AUTOMATIC_APPROVER = 'policy:automatic';

/** How a pending approval was decided. `approver` is the verified identity; `sender` the Temporal identity it came with (a claim). */
export type ApprovalDecision =
  | { decision: 'approved'; approver: string; roles?: string[]; kid?: string; sender?: string; note?: string; statement?: string }
  | { decision: 'rejected'; approver: string; roles?: string[]; kid?: string; sender?: string; reason: string }
  | { decision: 'timeout' };

/**
 * Whether a verified `identity` acting in verified `roles` may decide for a session whose approvers
 * are `allowed`. Without a list, any key the deployment trusts for the tenant may decide (sessions
 * with write_critical tools cannot start without one).
 */
export function isAllowedApprover(allowed: readonly Approver[] | undefined, identity: string, roles: readonly string[]): boolean {
  if (!allowed) return true;
  return allowed.some((entry) => ('identity' in entry ? entry.identity === identity : roles.includes(entry.role)));
}

/** An approver entry as text (`role:NAME` for a role). */
export function approverLabel(entry: Approver): string {
  return 'identity' in entry ? entry.identity : `role:${entry.role}`;
}
