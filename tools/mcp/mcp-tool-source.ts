import { Runtime } from '@temporalio/worker';
import type { Tool as McpTool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { canonicalJson, sha256Hex } from '../../core/intent';
import { DEFAULT_TOOL_LIMITS, defineTool, TOOL_TIERS, type AnyTool, type ToolContext, type ToolTier } from '../../core/tool';
import { toolDigest, type ToolSource } from '../../core/tool-source';
import { jsonSchemaInput } from './json-schema-input';
import { McpConnection, type McpCredentials, type McpLogger, type McpTransportOptions } from './mcp-connection';
import { McpSourceError } from './mcp-errors';
import { toolOutputOf } from './mcp-tool-output';
import { mcpToolTier, type McpTierSource } from './tier-mapping';

/** The settings of an MCP tool source that are plain data, with their defaults (the one place they are spelled out). */
export const McpToolSourceSettingsSchema = z.strictObject({
  /** Names the server: its tools' origin is `mcp:<name>` in descriptors, traces and logs. */
  name: z.string().regex(/^[a-zA-Z0-9_.-]{1,64}$/, 'a name of 1-64 letters, digits, _, . or -'),
  /** Tiers set where the source is registered, by the tool's name on the server; they win over annotations. @default none */
  tiers: z.record(z.string(), z.enum(TOOL_TIERS as [ToolTier, ...ToolTier[]])).default({}),
  /** Only these tools of the server (by their name on the server). @default every tool */
  tools: z.array(z.string()).optional(),
  /** Put before each tool's name as the model sees it (e.g. `files_`), to keep two servers' names apart. @default '' */
  prefix: z.string().regex(/^[a-zA-Z0-9_-]{0,32}$/).default(''),
  /** Time a tool call may take before it fails as {@link McpTimeoutError} (and is cancelled on the server). @default 30000 */
  callTimeoutMs: z.number().int().positive().default(30_000),
  /** Time to connect (spawn and initialize a stdio server, or initialize over HTTP). @default 10000 */
  connectTimeoutMs: z.number().int().positive().default(10_000),
  /** Time `tools/list` may take. @default 10000 */
  listTimeoutMs: z.number().int().positive().default(10_000),
  /**
   * A tool list older than this is listed again when a session starts. A `tools/list_changed`
   * notification makes it stale at once. @default 60000
   */
  listTtlMs: z.number().int().nonnegative().default(60_000),
  /** Largest output of each tool, in bytes. @default 1_048_576 (see `ToolLimitsSchema`) */
  maxOutputBytes: z.number().int().positive().default(DEFAULT_TOOL_LIMITS.maxOutputBytes),
  /**
   * Connections kept open for sessions' credentials (one per distinct set; a stdio server runs a
   * process per set). Beyond it, the least recently used idle one is closed. @default 16
   */
  maxConnections: z.number().int().positive().default(16),
  /** Most tools taken from the server (in its order); the rest are not offered (logged). Keeps descriptors and model requests bounded. @default 128 */
  maxTools: z.number().int().positive().max(1000).default(128),
});

/** The plain-data settings of an MCP tool source as written (defaults filled in by {@link McpToolSourceSettingsSchema}). */
export type McpToolSourceSettings = z.input<typeof McpToolSourceSettingsSchema>;

/** Options of {@link mcpToolSource}. */
export interface McpToolSourceOptions extends McpToolSourceSettings {
  /** How to reach the server. Headers and environment given here are sent with every call (and used to list the tools). */
  transport: McpTransportOptions;
  /**
   * The credentials of a session's calls, from the session's scope (tenant and subjects), sent
   * out of band: headers over HTTP, environment variables over stdio. Calls with equal credentials
   * share a connection. @default none (every call uses the transport's own headers or environment)
   */
  credentials?: (scope: ToolContext['scope']) => McpCredentials | undefined | Promise<McpCredentials | undefined>;
  /** Where the source logs its tools, their tiers and where each tier came from. @default the Temporal runtime's logger */
  logger?: McpLogger;
}

/** What a tool from an MCP server carries besides a Keel tool's fields. */
export interface McpToolInfo {
  /** The tool's name on the server (the Keel name adds the prefix and replaces characters the model API refuses). */
  serverTool: string;
  tierSource: McpTierSource;
  /** The server's annotations, as listed. */
  annotations?: Record<string, unknown>;
}

/** A Keel tool made from an MCP server's tool. */
export type McpSourcedTool = AnyTool & { readonly mcp: McpToolInfo };

/** A source's connections and tools, for health checks and tests. */
export interface McpToolSourceStatus {
  source: string;
  tools: string[];
  listedAtMs: number;
  connections: Array<{ credentials: 'transport' | 'session'; connected: boolean; pid: number | null; inFlight: number }>;
}

/**
 * Connects to an MCP server and lists its tools: each becomes a Keel tool (the server's JSON Schema
 * sent to the model as it is and checked by Keel before a call; the tier from the tool's
 * annotations or `tiers`), governed like Keel's own tools. Give the source to an agent among its
 * tools; each session pins the list offered when it starts. Throws {@link McpSourceError} when the
 * server cannot be reached or listed.
 */
export async function mcpToolSource(options: McpToolSourceOptions): Promise<McpToolSource> {
  const source = new McpToolSource(options);
  try {
    await source.relist({ initial: true });
  } catch (error) {
    await source.close();
    throw new McpSourceError(options.name, (error as Error).message);
  }
  return source;
}

/** The tools of one MCP server, kept current, and the connections that call them. See {@link mcpToolSource}. */
export class McpToolSource implements ToolSource {
  readonly kind = 'tool_source' as const;
  /** `mcp:<name>`. */
  readonly name: string;
  private readonly settings: z.output<typeof McpToolSourceSettingsSchema>;
  private readonly base: McpConnection;
  private readonly pool = new Map<string, McpConnection>();
  private tools: McpSourcedTool[] = [];
  private listedAtMs = 0;
  private stale = false;
  private listing: Promise<void> | undefined;
  private closed = false;
  private readonly log: McpLogger;

  constructor(private readonly options: McpToolSourceOptions) {
    const parsed = McpToolSourceSettingsSchema.safeParse({
      name: options.name,
      tiers: options.tiers,
      tools: options.tools,
      prefix: options.prefix,
      callTimeoutMs: options.callTimeoutMs,
      connectTimeoutMs: options.connectTimeoutMs,
      listTimeoutMs: options.listTimeoutMs,
      listTtlMs: options.listTtlMs,
      maxOutputBytes: options.maxOutputBytes,
      maxConnections: options.maxConnections,
      maxTools: options.maxTools,
    });
    if (!parsed.success) throw new McpSourceError(String(options.name), parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    if (!options.transport || (!('stdio' in options.transport) && !('http' in options.transport))) {
      throw new McpSourceError(options.name, 'transport must be { stdio: { command, args, env } } or { http: { url, headers } }');
    }
    this.settings = parsed.data;
    this.name = `mcp:${parsed.data.name}`;
    this.log = options.logger ?? runtimeLogger();
    this.base = this.newConnection(undefined, true);
  }

  /** The tools the server offers, as last listed. */
  current(): readonly McpSourcedTool[] {
    return this.tools;
  }

  /** Lists the tools again when the server said they changed, when the list is older than `listTtlMs`, or after a reconnect. */
  async refresh(): Promise<void> {
    if (this.closed) return;
    if (!this.stale && this.base.connected && Date.now() - this.listedAtMs < this.settings.listTtlMs) {
      await this.listing?.catch(() => undefined);
      return;
    }
    await this.relist().catch(() => undefined);
  }

  /** Connections and tools now. */
  status(): McpToolSourceStatus {
    const connection = (c: McpConnection, credentials: 'transport' | 'session') => ({ credentials, connected: c.connected, pid: c.pid, inFlight: c.inFlight });
    return {
      source: this.name,
      tools: this.tools.map((t) => t.name),
      listedAtMs: this.listedAtMs,
      connections: [connection(this.base, 'transport'), ...[...this.pool.values()].map((c) => connection(c, 'session'))],
    };
  }

  /** Closes every connection (stdio servers are ended); the tools fail as unavailable from then on. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([this.base.close(), ...[...this.pool.values()].map((c) => c.close())]);
    this.pool.clear();
  }

  /**
   * Lists the server's tools and makes them Keel tools (one listing at a time). Throws when the
   * server cannot be listed; the last list then stays.
   * @internal
   */
  relist(options: { initial?: boolean } = {}): Promise<void> {
    this.listing ??= (async () => {
      this.stale = false;
      try {
        const listed = await this.base.listTools(this.settings.listTimeoutMs);
        this.replaceTools(listed, options.initial ?? false);
        this.listedAtMs = Date.now();
      } catch (error) {
        this.stale = true;
        if (!options.initial) this.log.warn(`${this.name}: cannot list tools, keeping the last list: ${(error as Error).message}`, { source: this.name });
        throw error;
      }
    })().finally(() => (this.listing = undefined));
    return this.listing;
  }

  private replaceTools(listed: McpTool[], initial: boolean): void {
    const wanted = this.settings.tools ? new Set(this.settings.tools) : undefined;
    const before = new Map(this.tools.map((t) => [t.name, t]));
    const made: McpSourcedTool[] = [];
    const taken = new Set<string>();
    for (const listedTool of listed) {
      if (wanted && !wanted.has(listedTool.name)) continue;
      if (made.length >= this.settings.maxTools) {
        this.log.warn(`${this.name}: tool "${listedTool.name}" is not offered: the source takes at most ${this.settings.maxTools} tools (maxTools)`, { source: this.name, tool: listedTool.name });
        continue;
      }
      const tool = this.keelTool(listedTool, taken);
      if (!tool) continue;
      taken.add(tool.name);
      made.push(tool);
    }
    if (initial) {
      for (const name of Object.keys(this.settings.tiers)) {
        if (!listed.some((t) => t.name === name)) this.log.warn(`${this.name}: tier override for "${name}", which the server does not list`, { source: this.name });
      }
    }
    // Log each tool's tier and where it came from when it is new or changed.
    for (const tool of made) {
      const earlier = before.get(tool.name);
      if (earlier?.origin?.digest === tool.origin!.digest) continue;
      this.log.info(`${this.name}: ${earlier ? 'changed tool' : initial ? 'tool' : 'new tool'} "${tool.name}" is ${tool.tier} (${tool.mcp.tierSource})`, {
        source: this.name,
        tool: tool.name,
        serverTool: tool.mcp.serverTool,
        tier: tool.tier,
        tierSource: tool.mcp.tierSource,
        digest: tool.origin!.digest,
      });
    }
    for (const name of before.keys()) {
      if (!made.some((t) => t.name === name)) this.log.info(`${this.name}: tool "${name}" was removed by the server`, { source: this.name, tool: name });
    }
    this.tools = made;
  }

  /** The Keel tool of a listed MCP tool, or undefined (logged) when Keel cannot offer it. */
  private keelTool(listed: McpTool, taken: Set<string>): McpSourcedTool | undefined {
    const skip = (reason: string) => void this.log.warn(`${this.name}: tool "${listed.name}" is not offered: ${reason}`, { source: this.name, tool: listed.name });
    const name = `${this.settings.prefix}${listed.name}`.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64);
    if (taken.has(name)) return skip(`its name "${name}" is already taken by another tool of the server`);
    if ((listed.execution as { taskSupport?: string } | undefined)?.taskSupport === 'required') return skip('it can only run as an MCP task');
    let input;
    try {
      input = jsonSchemaInput(listed.inputSchema);
    } catch (error) {
      return skip((error as Error).message);
    }
    const { tier, tierSource } = mcpToolTier(listed.annotations, this.settings.tiers[listed.name]);
    const description = listed.description?.trim() || listed.title?.trim() || listed.annotations?.title?.trim() || `The "${listed.name}" tool of MCP server "${this.settings.name}".`;
    const digest = toolDigest({ name, description, inputSchema: input.jsonSchema, tier, scope: 'tenant', source: this.name });
    const serverTool = listed.name;
    let tool: AnyTool;
    try {
      tool = defineTool({
        name,
        description,
        tier,
        input: input.validator,
        inputJsonSchema: input.jsonSchema,
        origin: { source: this.name, tierSource, digest },
        maxOutputBytes: this.settings.maxOutputBytes,
        run: (args: Record<string, unknown>, context: ToolContext) => this.call(serverTool, name, args, context),
      });
    } catch (error) {
      return skip((error as Error).message);
    }
    return Object.assign(tool, { mcp: { serverTool, tierSource, ...(listed.annotations ? { annotations: { ...listed.annotations } } : {}) } });
  }

  private async call(serverTool: string, name: string, args: Record<string, unknown>, context: ToolContext): Promise<unknown> {
    const credentials = this.options.credentials ? await this.options.credentials(context.scope) : undefined;
    const connection = this.connectionFor(credentials);
    const result = await connection.callTool(serverTool, args, {
      timeoutMs: this.settings.callTimeoutMs,
      signal: context.signal,
      // A server that knows the key can apply a retried call once (MCP has no idempotency of its own).
      meta: { 'keel/idempotencyKey': context.idempotencyKey },
    });
    return toolOutputOf(result, name);
  }

  /** The connection for a set of credentials: the transport's own without any, else one per distinct set. */
  private connectionFor(credentials: McpCredentials | undefined): McpConnection {
    const empty = !credentials || (!Object.keys(credentials.headers ?? {}).length && !Object.keys(credentials.env ?? {}).length);
    if (empty) return this.base;
    const key = sha256Hex(canonicalJson({ headers: credentials.headers ?? {}, env: credentials.env ?? {} }));
    let connection = this.pool.get(key);
    if (connection) {
      this.pool.delete(key); // most recently used last
      this.pool.set(key, connection);
      return connection;
    }
    connection = this.newConnection(credentials, false);
    this.pool.set(key, connection);
    if (this.pool.size > this.settings.maxConnections) {
      const idle = [...this.pool.entries()].find(([k, c]) => k !== key && c.inFlight === 0);
      if (idle) {
        this.pool.delete(idle[0]);
        void idle[1].close();
      }
    }
    return connection;
  }

  private newConnection(credentials: McpCredentials | undefined, lists: boolean): McpConnection {
    return new McpConnection(this.settings.name, this.options.transport, credentials, {
      connectTimeoutMs: this.settings.connectTimeoutMs,
      log: this.log,
      ...(lists
        ? {
            onToolListChanged: () => {
              this.stale = true;
              this.log.info(`${this.name}: the server says its tools changed; listing them again (running sessions keep theirs)`, { source: this.name });
              // After a listing already under way (it may have read the old list), list again.
              void (this.listing ?? Promise.resolve())
                .catch(() => undefined)
                .then(() => (this.stale && !this.closed ? this.relist() : undefined))
                .catch(() => undefined);
            },
            // The server may have changed while it was away.
            onReconnect: () => void (this.stale = true),
          }
        : {}),
    });
  }
}

/** The Temporal runtime's logger (the worker's logging settings), resolved when first used. */
function runtimeLogger(): McpLogger {
  const logger = () => Runtime.instance().logger;
  return {
    info: (message, meta) => logger().info(message, meta),
    warn: (message, meta) => logger().warn(message, meta),
    debug: (message, meta) => logger().debug(message, meta),
  };
}
