import type { GuardrailVerdict } from './guardrails/policy';
import type { ToolCallRequest } from './model-call';

/** Input of the tool activity. */
export interface ToolCallInput {
  sessionId: string;
  agent: string;
  call: ToolCallRequest;
  idempotencyKey: string;
  scope: { tenant: string; subjects: string[] };
  /** The session's pinned tools from sources (`AgentDescriptor.toolSet`): a call to one the source no longer offers as pinned fails. */
  toolSet?: string;
  /** Required for a write_critical tool: the human decision bound to this exact input. */
  approval?: {
    requestId: string;
    digest: string;
    /** The verified approver (`policy:automatic` when the agent declares automatic approval). */
    approver: string;
    /** The signed statement that approved it, verified again by the worker before the call runs. */
    statement?: string;
    /** The Temporal identity the approval came with (a claim), for the audit log. */
    sender?: string;
  };
  /**
   * False when the session turned tool-result caching off: the shared cache is neither read nor
   * written (a write still invalidates what it declares). @default true
   */
  toolResultCache?: boolean;
  /**
   * Attempts the tool's own transient failures may take: on the last one, a `ToolTransientError` is
   * not retried. Attempts lost with a worker are retried beyond it (see `LOST_CALL_ATTEMPTS`).
   */
  maxAttempts?: number;
}

/** Output of the activity that validates a call's input before a human is asked about it. */
export type PreparedToolCall =
  | { ok: true; tier: string; input: Record<string, unknown> }
  | { ok: false; kind: string; message: string };

/** Output of the tool activity. A failed tool is data for the model, not an exception. */
export interface ToolCallResult {
  ok: boolean;
  /** The output (or error text) in the content store. */
  contentRef: string;
  bytes: number;
  /** The first characters of the output, for the trace. */
  preview: string;
  error?: { kind: string; message: string };
  latencyMs: number;
  /** The intent had been applied before: its stored result was returned and nothing ran. */
  replayed?: boolean;
  /** Served from the shared tool-result cache: the tool did not run. */
  cache?: 'shared';
  /** The guardrail's verdict on the output, when it found something (the content is then what the policy let through). */
  guardrail?: GuardrailVerdict;
  /** The output as it was, when a human or the judge must decide whether the model may read it. */
  heldRef?: string;
}
