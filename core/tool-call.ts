import type { ToolCallRequest } from './model-call';

/** Input of the tool activity. */
export interface ToolCallInput {
  sessionId: string;
  agent: string;
  call: ToolCallRequest;
  idempotencyKey: string;
  scope: { tenant: string; subjects: string[] };
}

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
}
