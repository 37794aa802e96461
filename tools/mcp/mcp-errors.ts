/**
 * Failures of tools from MCP servers. Each is a tool error for the model (its kind is the class
 * name) and counts toward the session's breaker like any tool error; none is retried by Temporal:
 * a call whose outcome is unknown (the server died or timed out while it ran) is not sent again
 * behind the model's back. The next call reconnects.
 */

/** The MCP server could not be reached, or its connection closed before the call was answered. */
export class McpServerUnavailableError extends Error {
  override readonly name = 'McpServerUnavailableError';
}

/** The MCP server did not answer the call within `callTimeoutMs` (the call is cancelled on the server). */
export class McpTimeoutError extends Error {
  override readonly name = 'McpTimeoutError';
}

/** The MCP server answered the call with a JSON-RPC error or with something that is not a tool result. */
export class McpProtocolError extends Error {
  override readonly name = 'McpProtocolError';
  constructor(
    message: string,
    /** The JSON-RPC error code, when the server sent one. */
    readonly code?: number,
  ) {
    super(message);
  }
}

/** The tool ran and reported a failure (`isError: true`); the message is the server's text. */
export class McpToolError extends Error {
  override readonly name = 'McpToolError';
}

/** An MCP tool source that cannot be created (the server is down at registration, an invalid option). */
export class McpSourceError extends Error {
  override readonly name = 'McpSourceError';
  constructor(
    readonly source: string,
    reason: string,
  ) {
    super(`MCP source "${source}": ${reason}`);
  }
}
