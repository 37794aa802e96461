import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError, ToolListChangedNotificationSchema, type CallToolResult, type Tool as McpTool } from '@modelcontextprotocol/sdk/types.js';
import { McpProtocolError, McpServerUnavailableError, McpSourceError, McpTimeoutError } from './mcp-errors';

/** How to reach an MCP server: a command spoken to over stdio, or a Streamable HTTP endpoint. */
export type McpTransportOptions =
  | {
      stdio: {
        command: string;
        args?: readonly string[];
        /** Added to the few variables a server inherits (PATH, HOME, ...); the worker's other variables are not passed on. */
        env?: Readonly<Record<string, string>>;
        cwd?: string;
      };
    }
  | { http: { url: string; headers?: Readonly<Record<string, string>> } };

/**
 * Credentials of one session's calls, sent out of band: HTTP headers for a Streamable HTTP server,
 * environment variables for a stdio server (a process per distinct set). Never part of the prompt,
 * the tool input, the history or the trace.
 */
export interface McpCredentials {
  headers?: Readonly<Record<string, string>>;
  env?: Readonly<Record<string, string>>;
}

/** Where a connection's diagnostics go. */
export interface McpLogger {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
}

/** Most pages of `tools/list` read from one server. */
const MAX_LIST_PAGES = 50;

/**
 * One client of one MCP server with one set of credentials. It connects on first use, and again
 * on the next use after its connection closed (the server exited, the network failed).
 */
export class McpConnection {
  private client: Client | undefined;
  private transport: StdioClientTransport | StreamableHTTPClientTransport | undefined;
  private connecting: Promise<Client> | undefined;
  private closed = false;
  private everConnected = false;
  /** Calls waiting for the server's answer. */
  inFlight = 0;

  constructor(
    private readonly server: string,
    private readonly target: McpTransportOptions,
    private readonly credentials: McpCredentials | undefined,
    private readonly options: { connectTimeoutMs: number; log: McpLogger; onToolListChanged?: () => void; onReconnect?: () => void },
  ) {
    if ('stdio' in target && credentials?.headers && Object.keys(credentials.headers).length) {
      throw new McpSourceError(server, 'the server is reached over stdio: its credentials must be environment variables (env), not headers');
    }
    if ('http' in target && credentials?.env && Object.keys(credentials.env).length) {
      throw new McpSourceError(server, 'the server is reached over HTTP: its credentials must be headers, not environment variables (env)');
    }
  }

  /** The server process's id (stdio, while connected). */
  get pid(): number | null {
    return this.transport instanceof StdioClientTransport ? this.transport.pid : null;
  }

  /** Whether the client is connected now. */
  get connected(): boolean {
    return this.client !== undefined;
  }

  /** Every tool the server lists, all pages. */
  async listTools(timeoutMs: number): Promise<McpTool[]> {
    const client = await this.connect();
    const tools: McpTool[] = [];
    let cursor: string | undefined;
    try {
      for (let page = 0; page < MAX_LIST_PAGES; page++) {
        const result = await client.listTools(cursor ? { cursor } : undefined, { timeout: timeoutMs });
        tools.push(...result.tools);
        cursor = result.nextCursor;
        if (!cursor) break;
      }
    } catch (error) {
      throw this.failure(error, 'tools/list', timeoutMs, client);
    }
    return tools;
  }

  /** Calls a tool; failures of the server or the protocol throw the typed errors of `mcp-errors`. */
  async callTool(name: string, args: Record<string, unknown>, options: { timeoutMs: number; signal: AbortSignal; meta: Record<string, unknown> }): Promise<CallToolResult> {
    const client = await this.connect();
    this.inFlight += 1;
    try {
      return (await client.callTool({ name, arguments: args, _meta: options.meta }, undefined, { timeout: options.timeoutMs, signal: options.signal })) as CallToolResult;
    } catch (error) {
      if (options.signal.aborted) throw error; // the activity was cancelled: not the server's failure
      throw this.failure(error, `tool "${name}"`, options.timeoutMs, client);
    } finally {
      this.inFlight -= 1;
    }
  }

  /** Closes the connection for good (a stdio server process is ended). */
  async close(): Promise<void> {
    this.closed = true;
    await this.disconnect();
  }

  private async connect(): Promise<Client> {
    if (this.closed) throw new McpServerUnavailableError(`MCP server "${this.server}" is unavailable: its tool source was closed`);
    if (this.client) return this.client;
    this.connecting ??= this.open().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async open(): Promise<Client> {
    const client = new Client({ name: 'keel', version: '0.1.0' }, { capabilities: {} });
    const transport = this.createTransport();
    const reconnecting = this.everConnected;
    try {
      await client.connect(transport, { timeout: this.options.connectTimeoutMs });
    } catch (error) {
      await client.close().catch(() => undefined);
      // The same words as a failure during a call, so that a server that stays down repeats one error (the breaker counts it).
      const reason = error instanceof McpError && error.code === ErrorCode.RequestTimeout ? `it did not answer within ${this.options.connectTimeoutMs} ms` : describe(error);
      throw new McpServerUnavailableError(`MCP server "${this.server}" is unavailable: ${reason}`);
    }
    if (this.closed) {
      await client.close().catch(() => undefined);
      throw new McpServerUnavailableError(`MCP server "${this.server}" is unavailable: its tool source was closed`);
    }
    client.onclose = () => {
      if (this.client !== client) return;
      this.client = undefined;
      this.transport = undefined;
      if (!this.closed) this.options.log.warn(`MCP server "${this.server}": connection closed; the next call reconnects`, { server: this.server });
    };
    const onChanged = this.options.onToolListChanged;
    if (onChanged) client.setNotificationHandler(ToolListChangedNotificationSchema, async () => onChanged());
    this.client = client;
    this.transport = transport;
    this.everConnected = true;
    this.options.log.debug(`MCP server "${this.server}": connected`, { server: this.server, ...(this.pid ? { pid: this.pid } : {}) });
    if (reconnecting) this.options.onReconnect?.();
    return client;
  }

  private createTransport(): StdioClientTransport | StreamableHTTPClientTransport {
    if ('stdio' in this.target) {
      const { command, args, env, cwd } = this.target.stdio;
      const transport = new StdioClientTransport({
        command,
        args: [...(args ?? [])],
        env: { ...(env ?? {}), ...(this.credentials?.env ?? {}) },
        ...(cwd ? { cwd } : {}),
        stderr: 'pipe',
      });
      // The server's own log goes to the worker's debug log (and a full pipe never blocks the server).
      transport.stderr?.on('data', (chunk: Buffer) => this.options.log.debug(`MCP server "${this.server}" stderr: ${String(chunk).trimEnd().slice(0, 2000)}`, { server: this.server }));
      return transport;
    }
    const { url, headers } = this.target.http;
    return new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { ...(headers ?? {}), ...(this.credentials?.headers ?? {}) } } });
  }

  private async disconnect(): Promise<void> {
    const client = this.client ?? (await this.connecting?.catch(() => undefined));
    const transport = this.transport;
    this.client = undefined;
    this.transport = undefined;
    if (transport instanceof StreamableHTTPClientTransport) await transport.terminateSession().catch(() => undefined);
    await client?.close().catch(() => undefined);
  }

  /** Drops a client that failed; a newer one (another call already reconnected) stays. */
  private drop(failed: Client): void {
    if (this.client === failed) {
      this.client = undefined;
      this.transport = undefined;
    }
    void failed.close().catch(() => undefined);
  }

  /** The typed error of a failed request; a connection that failed is dropped, so the next call reconnects. */
  private failure(error: unknown, what: string, timeoutMs: number, client: Client): Error {
    if (error instanceof McpServerUnavailableError) return error;
    if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
      return new McpTimeoutError(`MCP server "${this.server}" did not answer ${what} within ${timeoutMs} ms`);
    }
    if (error instanceof McpError && error.code === ErrorCode.ConnectionClosed) {
      this.drop(client);
      return new McpServerUnavailableError(`MCP server "${this.server}" is unavailable: the connection closed before it answered ${what}`);
    }
    if (error instanceof McpError) return new McpProtocolError(`MCP server "${this.server}" answered ${what} with a protocol error: ${error.message}`, error.code);
    if (error instanceof StreamableHTTPError || isNetworkError(error) || (error as { message?: unknown } | undefined)?.message === 'Not connected') {
      this.drop(client);
      return new McpServerUnavailableError(`MCP server "${this.server}" is unavailable: ${describe(error)}`);
    }
    return new McpProtocolError(`MCP server "${this.server}" answered ${what} with something that is not a valid result: ${describe(error)}`);
  }
}

/** A stable one-line reason (no stack, no addresses that change per attempt). */
function describe(error: unknown): string {
  if (error instanceof StreamableHTTPError) return `HTTP ${error.code ?? 'error'}: ${error.message}`;
  const { message, cause } = (error ?? {}) as { message?: unknown; cause?: { code?: unknown } };
  if (typeof message !== 'string') return String(error);
  return cause && typeof cause.code === 'string' ? `${message} (${cause.code})` : message;
}

/** A failed `fetch` (checked by shape: it may come from another realm than this module's `TypeError`). */
function isNetworkError(error: unknown): boolean {
  const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
  return name === 'TypeError' && typeof message === 'string' && /fetch failed|network/i.test(message);
}
