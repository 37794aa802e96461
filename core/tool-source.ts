import { canonicalJson, sha256Hex } from './intent';
import type { AnyTool, ToolScope, ToolTier } from './tool';

/**
 * Tools that come from outside the code, such as an MCP server, whose list can change while the
 * worker runs. An agent takes a source among its tools (`defineAgent({ tools: [...own, source] })`);
 * each session pins the list the source offers when the session starts (see {@link PinnedToolSet}).
 */
export interface ToolSource {
  readonly kind: 'tool_source';
  /** Names the source in descriptors, traces and logs, e.g. `mcp:files`. */
  readonly name: string;
  /** The tools the source offers now, as last listed. */
  current(): readonly AnyTool[];
  /**
   * Brings {@link current} up to date when the source was told its list changed or the list is
   * old. Never throws: when the source cannot be reached, the last list stays.
   */
  refresh(): Promise<void>;
  /** Closes the source's connections; its tools fail from then on. */
  close(): Promise<void>;
}

/** Whether a value is a {@link ToolSource}. */
export function isToolSource(value: unknown): value is ToolSource {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'tool_source';
}

/** A tool as a session pins it: what the model is offered and what decides its governance. */
export interface PinnedTool {
  name: string;
  description: string;
  /** The input's JSON Schema as the model gets it. */
  inputSchema: Record<string, unknown>;
  tier: ToolTier;
  scope: ToolScope;
  /** The source the tool comes from (`mcp:files`). */
  source: string;
  /** Where the tier came from (`annotation:readOnlyHint`, `default:no-annotations`, `override`, ...). */
  tierSource: string;
  /** {@link toolDigest} of the fields above but `tierSource`. */
  digest: string;
}

/**
 * The tools from sources that a session pinned when it started, stored in the content store; the
 * session's descriptor records its reference (`toolSet`) and each tool's digest, so every model
 * call of the session offers these definitions and every call checks the source still offers them.
 */
export interface PinnedToolSet {
  version: 1;
  tools: PinnedTool[];
}

/**
 * Digest of the contract of a tool from a source: name, description, input schema, tier, scope and
 * source. Equal digests mean the model is offered the same tool and Keel governs it the same way.
 */
export function toolDigest(tool: { name: string; description: string; inputSchema: Record<string, unknown>; tier: ToolTier; scope: ToolScope; source: string }): string {
  const { name, description, inputSchema, tier, scope, source } = tool;
  return sha256Hex(canonicalJson({ name, description, inputSchema, tier, scope, source }));
}

/** The pinned definitions of an agent's tools that come from sources (empty when none does). */
export function pinnedToolsOf(tools: readonly AnyTool[]): PinnedTool[] {
  return tools.flatMap((tool): PinnedTool[] =>
    tool.origin && tool.inputJsonSchema
      ? [{ name: tool.name, description: tool.description, inputSchema: tool.inputJsonSchema, tier: tool.tier, scope: tool.scope, source: tool.origin.source, tierSource: tool.origin.tierSource, digest: tool.origin.digest }]
      : [],
  );
}

/** Why a call of a pinned tool cannot run with the tool the source offers now (null when it can). */
export function pinnedToolProblem(pinned: PinnedTool, current: AnyTool | undefined): { kind: 'tool_removed' | 'tool_changed'; message: string } | null {
  if (!current || !current.origin || current.origin.source !== pinned.source) {
    return {
      kind: 'tool_removed',
      message: `tool "${pinned.name}" is no longer offered by ${pinned.source}: it was removed after this session started, so this session cannot call it`,
    };
  }
  if (current.origin.digest !== pinned.digest) {
    return {
      kind: 'tool_changed',
      message: `tool "${pinned.name}" of ${pinned.source} changed after this session started (its description, input schema or tier); this session keeps the version it started with, which the server no longer offers`,
    };
  }
  return null;
}

/** Closes the tool sources of agents (each once), e.g. when their worker shuts down. */
export async function closeToolSources(agents: readonly { toolSources?: readonly ToolSource[] }[]): Promise<void> {
  const sources = new Set(agents.flatMap((agent) => agent.toolSources ?? []));
  await Promise.allSettled([...sources].map((source) => source.close()));
}
