/** What a guardrail detector looks for. */
export type GuardrailCategory = 'prompt_injection' | 'pii' | 'grounding' | 'output_schema';

/** The guardrail categories, for validation and documentation. */
export const GUARDRAIL_CATEGORIES: readonly GuardrailCategory[] = ['prompt_injection', 'pii', 'grounding', 'output_schema'];

/** Where a guardrail runs: on a tool output before the model reads it, or on a final answer before the caller does. */
export type GuardrailCheckpoint = 'tool_output' | 'final_answer';

/** A half-open range of UTF-16 code units `[start, end)` in the text that was checked (the original, not a normalised copy). */
export interface TextSpan {
  start: number;
  end: number;
}

/**
 * One thing a detector found. Findings are plain data: they go into the session trace and the
 * metrics unchanged, so keep `message` short and never put a secret's full value in it.
 */
export interface GuardrailFinding {
  /** The detector that produced it, e.g. `injection.instruction_override`, `pii.payment_card`, `grounding.amount`. */
  detector: string;
  category: GuardrailCategory;
  /** Finer kind within the category, e.g. `email`, `iban`, `role_marker`, `order_status`. */
  kind: string;
  /** Confidence in [0, 1]. */
  score: number;
  /** Where in the original text; absent when the finding is about the text as a whole. */
  span?: TextSpan;
  /** What was found, for a person reading the trace. */
  message: string;
}
