/** Keel's pure core: contracts, tools, agents, breaker, pricing, idempotency keys. */
export { defineAgent, describeAgent, AgentDefinitionError, DEFAULT_MODEL, type Agent, type AgentDescriptor } from './agent';
export { AgentRegistry } from './agent-registry';
export * from './breaker';
export { FailureType, type FailureTypeName } from './errors';
export { canonicalJson, intentKey, sha256Hex, type IntentBinding } from './intent';
export { DEFAULT_INFORMATION_FLOW_POLICY, InformationFlowPolicySchema, type ArgumentSource, type InformationFlowPolicy, type InformationFlowPolicyInput, type ToolTrust } from './information-flow';
export { DEFAULT_LIMITS, ExtraBudgetSchema, LimitsSchema, type ExtraBudget, type LimitName, type Limits, type LimitsInput } from './limits';
export { costOf, DEFAULT_PRICES, FALLBACK_PRICE, priceOf, type ModelPrice } from './pricing';
export * from './orchestration';
export { routeStep, RoutingPolicySchema, type RoutingDecision, type RoutingPolicy, type RoutingPolicyInput, type RoutingStep } from './routing';
export { KEEL_SEARCH_ATTRIBUTE_NAMES, KEEL_SEARCH_ATTRIBUTES } from './search-attributes';
export * from './session';
export {
  defineTool,
  DEFAULT_TOOL_LIMITS,
  MAX_RESOURCE_TAG_LENGTH,
  MAX_RESOURCE_TAGS,
  resourceTags,
  toolInputJsonSchema,
  toolModelInputSchema,
  ToolDefinitionError,
  ToolLimitsSchema,
  ToolOutputTooLargeError,
  ToolTransientError,
  TOOL_TIERS,
  type AnyTool,
  type Tool,
  type ToolCacheOptions,
  type ToolContext,
  type ToolLimits,
  type ToolOrigin,
  type ToolTier,
} from './tool';
export { closeToolSources, isToolSource, pinnedToolProblem, pinnedToolsOf, toolDigest, type PinnedTool, type PinnedToolSet, type ToolSource } from './tool-source';
export type { TraceEvent } from './trace';
