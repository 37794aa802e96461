import type { ToolTier } from '../../core/tool';

/** The behaviour hints of an MCP tool (`annotations` in `tools/list`): claims of the server, not guarantees. */
export interface McpToolAnnotations {
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
  [key: string]: unknown;
}

/**
 * Where the tier of a tool from an MCP server came from:
 * - `annotation:readOnlyHint`: `readOnlyHint: true`, so `read`;
 * - `annotation:destructiveHint`: `destructiveHint: true`, so `write_critical`;
 * - `annotation:destructiveHint=false`: a write the server declares not destructive, so `write_reversible`;
 * - `default:destructiveHint`: hints without `destructiveHint`, which MCP defines as destructive, so `write_critical`;
 * - `default:no-annotations`: no hints at all, so `write_critical` (fail-closed);
 * - `override`: set where the source was registered (`tiers`).
 */
export type McpTierSource =
  | 'annotation:readOnlyHint'
  | 'annotation:destructiveHint'
  | 'annotation:destructiveHint=false'
  | 'default:destructiveHint'
  | 'default:no-annotations'
  | 'override';

/**
 * The tier of an MCP tool from its annotations, or the override when one is given. Fail-closed:
 * what the hints do not prove to be a read or a reversible write needs a person's approval.
 */
export function mcpToolTier(annotations: McpToolAnnotations | undefined, override?: ToolTier): { tier: ToolTier; tierSource: McpTierSource } {
  if (override) return { tier: override, tierSource: 'override' };
  const hints = annotations ?? {};
  const given = ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'].some((hint) => typeof hints[hint] === 'boolean');
  if (!given) return { tier: 'write_critical', tierSource: 'default:no-annotations' };
  if (hints.readOnlyHint === true) return { tier: 'read', tierSource: 'annotation:readOnlyHint' };
  if (hints.destructiveHint === true) return { tier: 'write_critical', tierSource: 'annotation:destructiveHint' };
  if (hints.destructiveHint === false) return { tier: 'write_reversible', tierSource: 'annotation:destructiveHint=false' };
  return { tier: 'write_critical', tierSource: 'default:destructiveHint' };
}
