import { randomUUID } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** A tool of the test server: its listing, and what a call returns (or throws). */
export interface TestMcpTool {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
  annotations?: Record<string, unknown>;
  /** @default text `{"tool": <name>, "args": <arguments>}` */
  handler?: (args: Record<string, unknown>, headers: Record<string, string>) => CallToolResult | Promise<CallToolResult>;
}

/** One call the server received. */
export interface ReceivedCall {
  tool: string;
  args: Record<string, unknown>;
  /** The HTTP headers of the request that carried the call (lower-case names). */
  headers: Record<string, string>;
  meta: Record<string, unknown>;
}

/**
 * A real MCP server (the official SDK's low-level server over Streamable HTTP, with sessions) whose
 * tool list a test can change while clients are connected: every connected session is sent
 * `notifications/tools/list_changed`, as a server whose tools change at run time does. The reference
 * servers cannot change their list on demand, so the pinned-tools tests use this one.
 */
export class ChangeableMcpServer {
  private tools: Map<string, TestMcpTool>;
  private readonly sessions = new Map<string, { server: Server; transport: StreamableHTTPServerTransport }>();
  private http: HttpServer | undefined;
  /** Every call received, oldest first. */
  readonly calls: ReceivedCall[] = [];
  /** Every `tools/list` request received. */
  listings = 0;

  constructor(tools: readonly TestMcpTool[]) {
    this.tools = new Map(tools.map((t) => [t.name, t]));
  }

  /** Starts listening on a free local port; returns the MCP endpoint URL. */
  async start(): Promise<string> {
    this.http = createServer((req, res) => {
      void this.handle(req, res).catch((error: Error) => {
        if (!res.headersSent) res.writeHead(500).end(error.message);
      });
    });
    await new Promise<void>((resolve) => this.http!.listen(0, '127.0.0.1', resolve));
    return this.url;
  }

  get url(): string {
    const { port } = this.http!.address() as AddressInfo;
    return `http://127.0.0.1:${port}/mcp`;
  }

  /** Connected MCP sessions. */
  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Replaces the tool list and tells every connected client that it changed. */
  async setTools(tools: readonly TestMcpTool[]): Promise<void> {
    this.tools = new Map(tools.map((t) => [t.name, t]));
    await Promise.allSettled([...this.sessions.values()].map(({ server }) => server.sendToolListChanged()));
  }

  /** The current tool list. */
  currentTools(): TestMcpTool[] {
    return [...this.tools.values()];
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.sessions.values()].map(({ transport }) => transport.close()));
    this.sessions.clear();
    const http = this.http;
    if (!http) return;
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  }

  private async handle(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): Promise<void> {
    const sessionId = req.headers['mcp-session-id'];
    const existing = typeof sessionId === 'string' ? this.sessions.get(sessionId) : undefined;
    if (existing) return existing.transport.handleRequest(req, res);
    if (sessionId || req.method !== 'POST') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null }));
      return;
    }
    const server = this.newServer();
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void this.sessions.set(id, { server, transport }),
    });
    transport.onclose = () => {
      if (transport.sessionId) this.sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(req, res);
  }

  private newServer(): Server {
    const server = new Server({ name: 'keel-changeable-test-server', version: '1.0.0' }, { capabilities: { tools: { listChanged: true } } });
    server.setRequestHandler(ListToolsRequestSchema, async () => {
      this.listings += 1;
      return { tools: [...this.tools.values()].map(({ handler: _handler, ...listed }) => listed) } as never;
    });
    server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
      const { name, arguments: args = {}, _meta = {} } = request.params;
      const headers = Object.fromEntries(Object.entries(extra.requestInfo?.headers ?? {}).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(', ') : String(v)]));
      this.calls.push({ tool: name, args, headers, meta: _meta as Record<string, unknown> });
      const tool = this.tools.get(name);
      if (!tool) throw new McpError(ErrorCode.InvalidParams, `Tool ${name} not found`);
      if (tool.handler) return tool.handler(args, headers);
      return { content: [{ type: 'text', text: JSON.stringify({ tool: name, args }) }] };
    });
    return server;
  }
}
