/** Tools from MCP servers, governed like Keel's own: see "Tools from MCP servers" in the README. */
export {
  mcpToolSource,
  McpToolSource,
  McpToolSourceSettingsSchema,
  type McpSourcedTool,
  type McpToolInfo,
  type McpToolSourceOptions,
  type McpToolSourceSettings,
  type McpToolSourceStatus,
} from './mcp-tool-source';
export type { McpCredentials, McpLogger, McpTransportOptions } from './mcp-connection';
export { McpProtocolError, McpServerUnavailableError, McpSourceError, McpTimeoutError, McpToolError } from './mcp-errors';
export { mcpToolTier, type McpTierSource, type McpToolAnnotations } from './tier-mapping';
export { jsonSchemaInput, JsonSchemaInputError, type JsonSchemaInput } from './json-schema-input';
