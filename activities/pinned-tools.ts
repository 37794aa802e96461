import type Anthropic from '@anthropic-ai/sdk';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../core/errors';
import { canonicalJson } from '../core/intent';
import type { AnyTool } from '../core/tool';
import { pinnedToolProblem, pinnedToolsOf, type PinnedTool, type PinnedToolSet } from '../core/tool-source';
import { ContentNotFoundError, type ContentStore } from '../store';

/** Pinned tool sets kept in memory (they are immutable: addressed by their content). */
const CACHED_SETS = 256;

/**
 * The tool lists sessions pinned when they started, for the tools that come from sources (MCP
 * servers): recorded in the content store by `describeAgent`, read by every model call (which
 * offers the pinned definitions) and every tool call (which fails clearly when the source no longer
 * offers the pinned tool). The worker's agents keep the current lists for new sessions.
 *
 * A pinned set belongs to the tenant of the session that pinned it (stored and read as that
 * tenant), like the rest of the session's content: two tenants pinning the same list store it once
 * each, and one tenant's session handed another's reference finds nothing.
 */
export function createPinnedTools(store: ContentStore) {
  const sets = new Map<string, Map<string, PinnedTool>>();

  const load = async (ref: string, tenant: string): Promise<Map<string, PinnedTool>> => {
    const key = `${ref} ${tenant}`;
    const cached = sets.get(key);
    if (cached) return cached;
    let text: string;
    try {
      text = await store.get(ref, tenant);
    } catch (error) {
      if (error instanceof ContentNotFoundError) throw ApplicationFailure.create({ type: FailureType.ContentNotFound, message: error.message, nonRetryable: true });
      throw error;
    }
    const set = JSON.parse(text) as PinnedToolSet;
    if (set.version !== 1 || !Array.isArray(set.tools)) {
      throw ApplicationFailure.create({ type: FailureType.ContentNotFound, message: `content ${ref} is not a pinned tool set`, nonRetryable: true });
    }
    const byName = new Map(set.tools.map((tool) => [tool.name, tool]));
    if (sets.size >= CACHED_SETS) sets.delete(sets.keys().next().value!);
    sets.set(key, byName);
    return byName;
  };

  return {
    /** Stores the pinned definitions of the tools from sources among `tools` as the session's tenant; undefined when there are none. */
    async record(tools: readonly AnyTool[], tenant: string): Promise<string | undefined> {
      const pinned = pinnedToolsOf(tools);
      if (pinned.length === 0) return undefined;
      const set: PinnedToolSet = { version: 1, tools: pinned };
      return store.put(canonicalJson(set), tenant);
    },

    /** The tools a model call offers: pinned definitions for tools from sources, the agent's own for the rest, in `offered` order. */
    async modelTools(ref: string, tenant: string, own: readonly Anthropic.Tool[], offered: readonly string[]): Promise<Anthropic.Tool[]> {
      const set = await load(ref, tenant);
      const byName = new Map(own.map((tool) => [tool.name, tool]));
      return offered.flatMap((name): Anthropic.Tool[] => {
        const pinned = set.get(name);
        if (pinned) return [{ name, description: pinned.description, input_schema: pinned.inputSchema as Anthropic.Tool.InputSchema }];
        const tool = byName.get(name);
        return tool ? [tool] : [];
      });
    },

    /** Why a call of a pinned tool cannot run with what its source offers now; null when it can, or when the tool is not pinned. */
    async problem(ref: string | undefined, tenant: string, name: string, current: AnyTool | undefined): Promise<{ kind: string; message: string } | null> {
      if (!ref) return null;
      const pinned = (await load(ref, tenant)).get(name);
      return pinned ? pinnedToolProblem(pinned, current) : null;
    },
  };
}
