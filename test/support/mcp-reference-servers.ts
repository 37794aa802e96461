import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { McpTransportOptions } from '../../tools/mcp';

/**
 * The reference MCP servers installed from npm (pinned in package.json): the "everything" test
 * server over stdio and over Streamable HTTP, and the filesystem server over stdio.
 */
const EVERYTHING = require.resolve('@modelcontextprotocol/server-everything/dist/index.js');
const FILESYSTEM = require.resolve('@modelcontextprotocol/server-filesystem/dist/index.js');

/** The everything server over stdio (a process per connection). */
export function everythingOverStdio(env: Record<string, string> = {}): McpTransportOptions {
  return { stdio: { command: process.execPath, args: [EVERYTHING, 'stdio'], env } };
}

/** The filesystem server over stdio, allowed into `dir` only. */
export function filesystemOverStdio(dir: string): McpTransportOptions {
  return { stdio: { command: process.execPath, args: [FILESYSTEM, dir] } };
}

/** A running everything server in its Streamable HTTP mode. */
export interface EverythingHttpServer {
  url: string;
  process: ChildProcess;
  /** Ends the server process (and waits for it to exit). */
  stop(): Promise<void>;
}

/** Starts the everything server's Streamable HTTP mode on a free port. */
export async function startEverythingOverHttp(): Promise<EverythingHttpServer> {
  const port = await freePort();
  const child = spawn(process.execPath, [EVERYTHING, 'streamableHttp'], { env: { PATH: process.env.PATH ?? '', PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the everything server did not start on port ${port}: ${output}`)), 20_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      output += String(chunk);
      if (output.includes(`listening on port ${port}`)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the everything server exited with ${code}: ${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    process: child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const closed = new Promise((resolve) => child.once('close', resolve));
        child.kill('SIGKILL');
        await closed;
      }
      child.stderr?.destroy();
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
