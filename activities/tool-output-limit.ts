import { ToolOutputTooLargeError, type AnyTool } from '../core/tool';

/**
 * The output limit of a tool (`maxOutputBytes`), applied where the tool activity turns an output
 * into text: an output over the limit is never stored, cached or screened; the model gets
 * {@link ToolOutputTooLargeError} as an error result instead.
 *
 * For a side-effecting tool the idempotency ledger must still record that the effect was applied
 * (else a retry would apply it again), but not the giant output: it records
 * {@link oversizeLedgerRecord} instead, and a replay of the intent reads it back with
 * {@link oversizeFromLedger}.
 */

/** The size of an output's text, once, in bytes of UTF-8; the error when it is over the tool's limit. */
export function checkOutputSize(tool: AnyTool, text: string): ToolOutputTooLargeError | undefined {
  // UTF-8 takes at most three bytes per UTF-16 unit: a short enough text fits without counting.
  if (text.length <= tool.maxOutputBytes / 3) return undefined;
  const bytes = Buffer.byteLength(text, 'utf8');
  return bytes > tool.maxOutputBytes ? new ToolOutputTooLargeError(tool.name, bytes, tool.maxOutputBytes) : undefined;
}

/**
 * Starts the ledger record of an applied intent whose output was over the limit. It begins with a
 * control character, which `JSON.stringify` never leaves raw: no JSON output can look like it.
 */
const OVERSIZE_RECORD = '\u0001keel:output_too_large ';

/** What the ledger keeps, instead of the output, for an applied intent whose output was over the limit. */
export function oversizeLedgerRecord(error: ToolOutputTooLargeError): string {
  return `${OVERSIZE_RECORD}${JSON.stringify({ bytes: error.bytes, limit: error.limit })}`;
}

/** The error of a replayed intent whose recorded output was over the limit; undefined for a real output. */
export function oversizeFromLedger(tool: AnyTool, recorded: string): ToolOutputTooLargeError | undefined {
  if (recorded.length > 200 || !recorded.startsWith(OVERSIZE_RECORD)) return undefined;
  try {
    const { bytes, limit } = JSON.parse(recorded.slice(OVERSIZE_RECORD.length)) as { bytes: unknown; limit: unknown };
    if (typeof bytes === 'number' && typeof limit === 'number') return new ToolOutputTooLargeError(tool.name, bytes, limit);
  } catch {
    // not a record of ours: a real output that happens to start the same way
  }
  return undefined;
}
