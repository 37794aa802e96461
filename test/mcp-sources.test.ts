import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { defineAgent, describeAgent } from '../core/agent';
import { z } from 'zod';
import { defineTool, type ToolContext } from '../core/tool';
import {
  mcpToolSource,
  mcpToolTier,
  McpProtocolError,
  McpServerUnavailableError,
  McpSourceError,
  McpTimeoutError,
  McpToolError,
  type McpLogger,
  type McpToolSource,
} from '../tools/mcp';
import { everythingOverStdio, filesystemOverStdio, startEverythingOverHttp, type EverythingHttpServer } from './support/mcp-reference-servers';
import { ChangeableMcpServer, type TestMcpTool } from './support/mcp-test-server';

// Tools from real MCP servers installed from npm (the reference "everything" and "filesystem"
// servers, over stdio and Streamable HTTP), and from a small SDK server of our own where a reference
// server cannot do what a test needs (a tool without annotations, a changing list, echoing headers).

/** Log lines of a source, for the assertions on where tiers came from. */
function recordingLogger(): McpLogger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => void lines.push(m), warn: (m) => void lines.push(`WARN ${m}`), debug: () => undefined };
}

function context(scope: ToolContext['scope'] = { tenant: 'acme', subjects: [] }, idempotencyKey = 'test-key'): ToolContext {
  return { sessionId: 'session-1', scope, idempotencyKey, signal: new AbortController().signal };
}

const sources: McpToolSource[] = [];
async function source(options: Parameters<typeof mcpToolSource>[0]): Promise<McpToolSource> {
  const made = await mcpToolSource({ logger: recordingLogger(), ...options });
  sources.push(made);
  return made;
}
const toolOf = (from: McpToolSource, name: string) => {
  const tool = from.current().find((t) => t.name === name);
  if (!tool) throw new Error(`no tool ${name}; the source has ${from.current().map((t) => t.name).join(', ')}`);
  return tool;
};

let dir: string;
let everythingHttp: EverythingHttpServer;
let own: ChangeableMcpServer;

const OWN_TOOLS: TestMcpTool[] = [
  { name: 'plain', description: 'A tool that declares no annotations.', inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] } },
  { name: 'hints_without_destructive', description: 'Declares only that it is not read-only.', inputSchema: { type: 'object' }, annotations: { readOnlyHint: false } },
  { name: 'only_a_title', description: 'Annotations without any hint.', inputSchema: { type: 'object' }, annotations: { title: 'Only a title' } },
  {
    name: 'whoami',
    description: 'Says which credentials reached the server.',
    inputSchema: { type: 'object', properties: {} },
    annotations: { readOnlyHint: true },
    handler: (_args, headers) => ({ content: [{ type: 'text', text: `token=${headers['x-tenant-token'] ?? '(none)'}` }] }),
  },
  {
    name: 'broken',
    description: 'Answers every call with a JSON-RPC error.',
    inputSchema: { type: 'object' },
    annotations: { readOnlyHint: true },
    handler: () => {
      throw new McpError(ErrorCode.InternalError, 'the backend of this tool is misconfigured');
    },
  },
  {
    name: 'pictures',
    description: 'Returns text, an image and a resource.',
    inputSchema: { type: 'object' },
    annotations: { readOnlyHint: true },
    handler: () => ({
      content: [
        { type: 'text', text: 'two things' },
        { type: 'image', data: Buffer.from('not really a png').toString('base64'), mimeType: 'image/png' },
        { type: 'resource', resource: { uri: 'file:///notes.txt', mimeType: 'text/plain', text: 'a note' } },
      ],
    }),
  },
];

beforeAll(async () => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'keel-mcp-fs-')));
  everythingHttp = await startEverythingOverHttp();
  own = new ChangeableMcpServer(OWN_TOOLS);
  await own.start();
});

afterAll(async () => {
  await Promise.allSettled(sources.map((s) => s.close()));
  await everythingHttp?.stop();
  await own?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('tiers', () => {
  test('the filesystem server over stdio: tiers from annotations, where each came from logged and kept on the tool, schemas sent as the server wrote them', async () => {
    const logger = recordingLogger();
    const files = await source({ name: 'files', transport: filesystemOverStdio(dir), logger });
    const tiers = Object.fromEntries(files.current().map((t) => [t.name, `${t.tier} (${t.mcp.tierSource})`]));
    expect(tiers).toMatchObject({
      read_text_file: 'read (annotation:readOnlyHint)',
      list_directory: 'read (annotation:readOnlyHint)',
      write_file: 'write_critical (annotation:destructiveHint)',
      edit_file: 'write_critical (annotation:destructiveHint)',
      move_file: 'write_critical (annotation:destructiveHint)',
      create_directory: 'write_reversible (annotation:destructiveHint=false)',
    });
    expect(logger.lines).toContain('mcp:files: tool "write_file" is write_critical (annotation:destructiveHint)');
    expect(logger.lines).toContain('mcp:files: tool "create_directory" is write_reversible (annotation:destructiveHint=false)');
    expect(toolOf(files, 'write_file').origin).toEqual({ source: 'mcp:files', tierSource: 'annotation:destructiveHint', digest: expect.stringMatching(/^[0-9a-f]{64}$/) });

    // The model gets the server's JSON Schema as it is (only the `$schema` dialect line is left out).
    const client = new Client({ name: 'raw', version: '1' });
    await client.connect(new StdioClientTransport({ ...(filesystemOverStdio(dir) as { stdio: { command: string; args: string[] } }).stdio, stderr: 'ignore' }));
    try {
      const raw = (await client.listTools()).tools.find((t) => t.name === 'edit_file')!;
      const { $schema: _dialect, ...asSent } = raw.inputSchema as Record<string, unknown>;
      expect(toolOf(files, 'edit_file').inputJsonSchema).toEqual(asSent);
      expect(toolOf(files, 'edit_file').description).toBe(raw.description);
    } finally {
      await client.close();
    }
  });

  test('the everything server over Streamable HTTP: annotations, an override per tool, and a task-only tool left out', async () => {
    const logger = recordingLogger();
    const everything = await source({ name: 'everything', transport: { http: { url: everythingHttp.url } }, tiers: { echo: 'write_critical', 'no-such-tool': 'read' }, logger });
    expect(toolOf(everything, 'get-sum')).toMatchObject({ tier: 'read', mcp: { tierSource: 'annotation:readOnlyHint' } });
    expect(toolOf(everything, 'gzip-file-as-resource')).toMatchObject({ tier: 'write_reversible', mcp: { tierSource: 'annotation:destructiveHint=false' } });
    expect(toolOf(everything, 'echo')).toMatchObject({ tier: 'write_critical', mcp: { tierSource: 'override', annotations: { readOnlyHint: true } } });
    expect(logger.lines).toContain('mcp:everything: tool "echo" is write_critical (override)');
    expect(logger.lines).toContain('WARN mcp:everything: tier override for "no-such-tool", which the server does not list');
    expect(everything.current().map((t) => t.name)).not.toContain('simulate-research-query');
    expect(logger.lines).toContain('WARN mcp:everything: tool "simulate-research-query" is not offered: it can only run as an MCP task');
    await expect(toolOf(everything, 'get-sum').run({ a: 2, b: 40 }, context())).resolves.toBe('The sum of 2 and 40 is 42.');
  });

  test('a tool without annotations is write_critical (fail-closed), as is one whose hints leave destructiveHint unset', async () => {
    const ours = await source({ name: 'ours', transport: { http: { url: own.url } }, tiers: { only_a_title: 'write_reversible' } });
    expect(toolOf(ours, 'plain')).toMatchObject({ tier: 'write_critical', mcp: { tierSource: 'default:no-annotations' } });
    expect(toolOf(ours, 'hints_without_destructive')).toMatchObject({ tier: 'write_critical', mcp: { tierSource: 'default:destructiveHint' } });
    expect(toolOf(ours, 'only_a_title')).toMatchObject({ tier: 'write_reversible', mcp: { tierSource: 'override' } });
    expect(mcpToolTier({ title: 'x' })).toEqual({ tier: 'write_critical', tierSource: 'default:no-annotations' });
    expect(mcpToolTier(undefined)).toEqual({ tier: 'write_critical', tierSource: 'default:no-annotations' });
    expect(mcpToolTier({ readOnlyHint: true, destructiveHint: true })).toEqual({ tier: 'read', tierSource: 'annotation:readOnlyHint' });
    expect(mcpToolTier({ destructiveHint: true }, 'read')).toEqual({ tier: 'read', tierSource: 'override' });
  });
});

test("Keel checks an input against the server's JSON Schema before any call, naming the failing field", async () => {
  const everything = await source({ name: 'everything-stdio-input', transport: everythingOverStdio() });
  const echo = toolOf(everything, 'echo');
  const missing = echo.input.safeParse({});
  expect(missing.success).toBe(false);
  expect(missing.error!.issues).toEqual([expect.objectContaining({ path: ['message'], message: 'is required' })]);
  const wrong = toolOf(everything, 'get-sum').input.safeParse({ a: 'one', b: 2 });
  expect(wrong.error!.issues).toEqual([expect.objectContaining({ path: ['a'], message: 'must be number' })]);
  expect(echo.input.safeParse({ message: 'hi' })).toEqual({ success: true, data: { message: 'hi' } });
  await expect(echo.run({ message: 'hi' }, context())).resolves.toBe('Echo: hi');
});

test("per-session credentials reach the server out of band: headers over HTTP, the environment over stdio (a process per set)", async () => {
  const ours = await source({ name: 'ours-credentials', transport: { http: { url: own.url, headers: { 'x-deployment': 'test' } } }, credentials: (scope) => ({ headers: { 'x-tenant-token': `token-of-${scope.tenant}` } }) });
  const whoami = toolOf(ours, 'whoami');
  await expect(whoami.run({}, context({ tenant: 'acme', subjects: [] }))).resolves.toBe('token=token-of-acme');
  await expect(whoami.run({}, context({ tenant: 'globex', subjects: [] }))).resolves.toBe('token=token-of-globex');
  const received = own.calls.filter((c) => c.tool === 'whoami');
  expect(received.map((c) => [c.headers['x-tenant-token'], c.headers['x-deployment']])).toEqual([['token-of-acme', 'test'], ['token-of-globex', 'test']]);
  expect(received[0]!.args).toEqual({});
  expect(received[0]!.meta).toEqual({ 'keel/idempotencyKey': 'test-key' });
  // Neither the definition the model gets nor the agent's descriptor carries a credential.
  const agent = defineAgent({ name: 'credentials-check', instructions: 'x', tools: [ours] });
  expect(JSON.stringify([describeAgent(agent), agent.tools.map((t) => [t.description, t.inputJsonSchema])])).not.toMatch(/token-of/);

  const everything = await source({ name: 'everything-env', transport: everythingOverStdio({ KEEL_DEPLOYMENT: 'test' }), credentials: (scope) => ({ env: { TENANT_TOKEN: `env-token-of-${scope.tenant}` } }) });
  const env = toolOf(everything, 'get-env');
  const acme = JSON.parse(String(await env.run({}, context({ tenant: 'acme', subjects: [] })))) as Record<string, string>;
  const globex = JSON.parse(String(await env.run({}, context({ tenant: 'globex', subjects: [] })))) as Record<string, string>;
  expect([acme.TENANT_TOKEN, acme.KEEL_DEPLOYMENT, globex.TENANT_TOKEN]).toEqual(['env-token-of-acme', 'test', 'env-token-of-globex']);
  // The worker's own environment is not passed on to a server.
  process.env.KEEL_SECRET_OF_THE_WORKER = 'do-not-pass';
  const another = JSON.parse(String(await env.run({}, context({ tenant: 'initech', subjects: [] })))) as Record<string, string>;
  delete process.env.KEEL_SECRET_OF_THE_WORKER;
  expect(another.KEEL_SECRET_OF_THE_WORKER).toBeUndefined();
  const pids = everything.status().connections.filter((c) => c.credentials === 'session').map((c) => c.pid);
  expect(new Set(pids).size).toBe(3);
  // Credentials of the wrong kind for the transport are refused, not dropped.
  const misconfigured = await source({ name: 'ours-env-over-http', transport: { http: { url: own.url } }, credentials: () => ({ env: { TOKEN: 'x' } }) });
  await expect(toolOf(misconfigured, 'whoami').run({}, context())).rejects.toThrow(new McpSourceError('ours-env-over-http', 'the server is reached over HTTP: its credentials must be headers, not environment variables (env)'));
});

describe('failures are typed tool errors', () => {
  test('slow: a call past callTimeoutMs fails as McpTimeoutError', async () => {
    const everything = await source({ name: 'everything-slow', transport: everythingOverStdio(), callTimeoutMs: 500 });
    const slow = toolOf(everything, 'trigger-long-running-operation');
    const error = await slow.run({ duration: 5, steps: 5 }, context()).catch((e: Error) => e);
    expect(error).toBeInstanceOf(McpTimeoutError);
    expect((error as Error).message).toBe('MCP server "everything-slow" did not answer tool "trigger-long-running-operation" within 500 ms');
    // The connection stays usable.
    await expect(toolOf(everything, 'echo').run({ message: 'still there' }, context())).resolves.toBe('Echo: still there');
  });

  test('a protocol error (a JSON-RPC error answer) fails as McpProtocolError; a tool that reports a failure as McpToolError', async () => {
    const ours = await source({ name: 'ours-errors', transport: { http: { url: own.url } } });
    const protocol = await toolOf(ours, 'broken').run({}, context()).catch((e: Error) => e);
    expect(protocol).toBeInstanceOf(McpProtocolError);
    expect(protocol).toMatchObject({ code: ErrorCode.InternalError, message: expect.stringContaining('the backend of this tool is misconfigured') });

    const files = await source({ name: 'files-errors', transport: filesystemOverStdio(dir) });
    const denied = await toolOf(files, 'read_text_file').run({ path: '/etc/hostname' }, context()).catch((e: Error) => e);
    expect(denied).toBeInstanceOf(McpToolError);
    expect((denied as Error).message).toMatch(/^tool "read_text_file" failed: Access denied - path outside allowed directories/);
  });

  test('content other than text reaches the model as a description, binary data left out', async () => {
    const ours = await source({ name: 'ours-content', transport: { http: { url: own.url } } });
    await expect(toolOf(ours, 'pictures').run({}, context())).resolves.toEqual([
      { type: 'text', text: 'two things' },
      { type: 'image', mimeType: 'image/png', bytes: 16, note: 'binary content is not passed to the model' },
      { type: 'resource', uri: 'file:///notes.txt', mimeType: 'text/plain', text: 'a note' },
    ]);
    const everything = await source({ name: 'everything-structured', transport: everythingOverStdio() });
    await expect(toolOf(everything, 'get-structured-content').run({ location: 'Chicago' }, context())).resolves.toMatchObject({ temperature: expect.any(Number) });
  });

  test('down: a server that went away fails every call as the same McpServerUnavailableError; a server down at registration is an McpSourceError', async () => {
    const server = await startEverythingOverHttp();
    const everything = await source({ name: 'everything-down', transport: { http: { url: server.url } } });
    await expect(toolOf(everything, 'echo').run({ message: 'up' }, context())).resolves.toBe('Echo: up');
    await server.stop();
    const first = await toolOf(everything, 'echo').run({ message: 'down' }, context()).catch((e: Error) => e);
    const second = await toolOf(everything, 'echo').run({ message: 'down' }, context()).catch((e: Error) => e);
    expect(first).toBeInstanceOf(McpServerUnavailableError);
    expect((first as Error).message).toMatch(/^MCP server "everything-down" is unavailable: /);
    expect((second as Error).message).toBe((first as Error).message); // identical, so the breaker counts them as one error repeating
    // A session starting now keeps the last list (its calls fail as data).
    await everything.refresh();
    expect(everything.current().map((t) => t.name)).toContain('echo');

    await expect(mcpToolSource({ name: 'nowhere', transport: { http: { url: server.url } }, logger: recordingLogger() })).rejects.toThrow(McpSourceError);
    await expect(mcpToolSource({ name: 'nothing', transport: { stdio: { command: join(dir, 'no-such-server') } }, logger: recordingLogger() })).rejects.toThrow(/MCP source "nothing": MCP server "nothing" is unavailable/);
  });

  test('closing a source ends its stdio servers; its tools then fail as unavailable', async () => {
    const everything = await mcpToolSource({ name: 'everything-closed', transport: everythingOverStdio(), logger: recordingLogger() });
    await toolOf(everything, 'echo').run({ message: 'hello' }, context());
    const pid = everything.status().connections[0]!.pid!;
    expect(alive(pid)).toBe(true);
    const echo = toolOf(everything, 'echo');
    await everything.close();
    for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    expect(alive(pid)).toBe(false);
    await expect(echo.run({ message: 'again' }, context())).rejects.toThrow(new McpServerUnavailableError('MCP server "everything-closed" is unavailable: its tool source was closed'));
  });
});

test('a server that changes its tools: the source follows list_changed, and a changed tool gets a new digest', async () => {
  const server = new ChangeableMcpServer([
    { name: 'lookup', description: 'Look a thing up.', inputSchema: { type: 'object', properties: { id: { type: 'string' } } }, annotations: { readOnlyHint: true } },
    { name: 'update', description: 'Change a thing.', inputSchema: { type: 'object', properties: { id: { type: 'string' } } }, annotations: { destructiveHint: false } },
  ]);
  await server.start();
  try {
    const logger = recordingLogger();
    const changing = await source({ name: 'changing', transport: { http: { url: server.url } }, logger, prefix: 'ch_' });
    expect(changing.current().map((t) => t.name)).toEqual(['ch_lookup', 'ch_update']);
    const before = toolOf(changing, 'ch_update').origin!.digest;
    await server.setTools([
      { name: 'update', description: 'Change a thing.', inputSchema: { type: 'object', properties: { id: { type: 'string' }, force: { type: 'boolean' } } }, annotations: { destructiveHint: false } },
      { name: 'remove', description: 'Remove a thing.', inputSchema: { type: 'object' }, annotations: { destructiveHint: true } },
    ]);
    await until(() => changing.current().some((t) => t.name === 'ch_remove'));
    expect(changing.current().map((t) => `${t.name} ${t.tier}`)).toEqual(['ch_update write_reversible', 'ch_remove write_critical']);
    expect(toolOf(changing, 'ch_update').origin!.digest).not.toBe(before);
    expect(logger.lines).toEqual(
      expect.arrayContaining([
        'mcp:changing: the server says its tools changed; listing them again (running sessions keep theirs)',
        'mcp:changing: changed tool "ch_update" is write_reversible (annotation:destructiveHint=false)',
        'mcp:changing: new tool "ch_remove" is write_critical (annotation:destructiveHint)',
        'mcp:changing: tool "ch_lookup" was removed by the server',
      ]),
    );
  } finally {
    await server.stop();
  }
});

test('an agent takes a source among its tools; a name taken twice is refused where the agent is defined', async () => {
  const files = await source({ name: 'files-agent', transport: filesystemOverStdio(dir), tools: ['read_text_file', 'write_file'] });
  writeFileSync(join(dir, 'hello.txt'), 'hello');
  const agent = defineAgent({ name: 'files-agent', instructions: 'x', tools: [files] });
  expect(agent.tools.map((t) => t.name)).toEqual(['read_text_file', 'write_file']);
  expect(describeAgent(agent).tools).toEqual([
    { name: 'read_text_file', tier: 'read', scope: 'tenant', source: 'mcp:files-agent', tierSource: 'annotation:readOnlyHint', digest: toolOf(files, 'read_text_file').origin!.digest },
    { name: 'write_file', tier: 'write_critical', scope: 'tenant', source: 'mcp:files-agent', tierSource: 'annotation:destructiveHint', digest: toolOf(files, 'write_file').origin!.digest },
  ]);
  await expect(toolOf(files, 'read_text_file').run({ path: join(dir, 'hello.txt') }, context())).resolves.toEqual({ content: 'hello' }); // the server's structuredContent
  expect(existsSync(join(dir, 'hello.txt')) && readFileSync(join(dir, 'hello.txt'), 'utf8')).toBe('hello');
  expect(() => defineAgent({ name: 'twice', instructions: 'x', tools: [files, files] })).toThrow(/a tool source is registered twice/);
  const ownRead = defineTool({ name: 'read_text_file', description: 'Our own.', tier: 'read', input: z.object({}), run: async () => 'ours' });
  expect(() => defineAgent({ name: 'clash', instructions: 'x', tools: [ownRead, files] })).toThrow(/tool "read_text_file" is registered twice/);
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}
