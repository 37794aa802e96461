/**
 * The scripted model server: an HTTP server speaking the Anthropic Messages API, answering from
 * scenario scripts, for tests and offline demos of agents. See README.md in this folder.
 */
export { ScriptedModelServer, type ScriptedModelServerOptions, type RecordedRequest } from './server';
export type { Scenario, ScriptedStep, ScriptedReply, ScriptedError, TurnContext, ToolResultView } from './scenario';
export type { MessagesRequest, MessageParam, ContentBlockParam, ToolDefinition, StopReason, CacheControl, ResponseUsage } from './messages-api';
export { defaultMinCacheableTokens, MAX_CACHE_BREAKPOINTS, CACHE_TTL_MS, type CacheTtl } from './prompt-cache';
export { loadScenarios } from './scenario-file';
export { ScenarioValidationError, ServerNotStartedError, ServerAlreadyStartedError, type ScenarioIssue } from './errors';
