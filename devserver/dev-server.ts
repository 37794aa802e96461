import type { Connection } from '@temporalio/client';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { KEEL_SEARCH_ATTRIBUTE_NAMES } from '../core/search-attributes';
import { clientHost, formatAddress } from './address';
import { tieToThisProcess } from './child-lifetime';
import { DatabaseInUseError, DevServerStartError, PortInUseError } from './errors';
import { findKeelRoot } from './keel-root';
import { ensureNamespace } from './namespace-registration';
import { OutputTail } from './output-tail';
import { logFilePath, removePidFile, runningServerPid, writePidFile } from './pid-file';
import { stderrLog, type ProgressLog } from './progress-log';
import { connectToTemporal, isPortOpen, waitForTemporal } from './server-readiness';
import { ensureSearchAttributes } from './search-attribute-registration';
import { findTemporalCli } from './temporal-cli';

/** Log levels of `temporal server start-dev --log-level`. */
export type DevServerLogLevel = 'debug' | 'info' | 'warn' | 'error' | 'never';

/** Options of {@link startDevServer}. Every field is optional; the defaults give Keel's local server. */
export interface DevServerOptions {
  /**
   * Port of the frontend gRPC service (what clients and workers dial).
   * @default 7233
   */
  port?: number;
  /**
   * Port of the Web UI.
   * @default port + 1000 (8233)
   */
  uiPort?: number;
  /**
   * Run without the Web UI.
   * @default false
   */
  headless?: boolean;
  /**
   * Interface the server binds to.
   * @default '127.0.0.1'
   */
  ip?: string;
  /**
   * Namespace to create at start (the server always has `default` too) and to register the search
   * attributes in.
   * @default 'default'
   */
  namespace?: string;
  /**
   * SQLite database of the server. Workflows, their histories and search attributes stay in it
   * across restarts. Its folder is created if needed; the pid file `<dbFile>.pid` marks it in use.
   * @default `<repoRoot>/.keel/temporal.db`
   */
  dbFile?: string;
  /**
   * Search attributes to register (all of type Keyword) in `namespace`.
   * @default Keel's: `KEEL_SEARCH_ATTRIBUTE_NAMES` from `core/search-attributes.ts`
   */
  searchAttributes?: readonly string[];
  /**
   * Keep the server running after this process exits. Its output then goes to `<dbFile>.log`,
   * and `stop()`, `npx tsx devserver/cli.ts stop` or `kill $(cat <dbFile>.pid)` stop it.
   * When false the server gets SIGTERM when this process exits.
   * @default false
   */
  detached?: boolean;
  /**
   * The `temporal` executable.
   * @default the result of {@link findTemporalCli} (which may build the CLI, about 4 minutes once)
   */
  cliPath?: string;
  /**
   * Keel's folder, for the default `dbFile` and for finding or building the CLI.
   * @default the folder holding Keel's package.json
   */
  repoRoot?: string;
  /**
   * Receives progress lines (reuse, start, timing, build).
   * @default writes to stderr
   */
  log?: ProgressLog;
  /**
   * How long to wait for a started server to answer.
   * @default 60 000
   */
  startTimeoutMs?: number;
  /**
   * How long `stop()` waits after SIGTERM before it sends SIGKILL.
   * @default 10 000
   */
  stopGraceMs?: number;
  /**
   * The server's own log level (its output is kept for error messages, or written to `<dbFile>.log`
   * when detached).
   * @default 'warn'
   */
  logLevel?: DevServerLogLevel;
  /**
   * More arguments for `temporal server start-dev`, e.g. `['--dynamic-config-value', 'K=V']`.
   * @default []
   */
  extraArgs?: readonly string[];
}

/** A running Temporal dev server, started by {@link startDevServer} or found running and reused. */
export interface DevServer {
  /** `host:port` for clients and workers (`TEMPORAL_ADDRESS`). */
  readonly address: string;
  /** The Web UI, if it runs (for a reused server: if its port answers). */
  readonly uiUrl?: string;
  /** The namespace that has the search attributes. */
  readonly namespace: string;
  /** The server process, when this call started it. */
  readonly pid?: number;
  /** The database file, when this call started the server. */
  readonly dbFile?: string;
  /** True if a server already answered on the address and was reused; nothing was started. */
  readonly reused: boolean;
  /** Milliseconds from the call to a server that answers with its search attributes registered. */
  readonly startupMs: number;
  /**
   * Stops the server: SIGTERM, then SIGKILL after `stopGraceMs`; removes the pid file.
   * Does nothing for a reused server. Safe to call more than once.
   */
  stop(): Promise<void>;
}

interface ResolvedOptions {
  ip: string;
  host: string;
  port: number;
  uiPort: number;
  headless: boolean;
  namespace: string;
  searchAttributes: readonly string[];
  detached: boolean;
  log: ProgressLog;
  startTimeoutMs: number;
  stopGraceMs: number;
  logLevel: DevServerLogLevel;
  extraArgs: readonly string[];
  address: string;
}

/**
 * Starts a Temporal dev server (`temporal server start-dev`) with a persistent SQLite database and
 * Keel's search attributes, and resolves once it answers; or, if a Temporal server already answers
 * on `ip:port`, reuses it: registers the namespace and search attributes on it and starts nothing.
 *
 * The server runs with `--sqlite-pragma journal_mode=WAL --sqlite-pragma synchronous=NORMAL`
 * (about 3 times the throughput of SQLite's defaults on a database file).
 *
 * @throws {@link PortInUseError} if something that is not Temporal listens on the port
 * @throws {@link DatabaseInUseError} if another running server holds `dbFile` on another address
 * @throws {@link DevServerStartError} with the server's last output if it exits early or does not
 *   answer within `startTimeoutMs`
 * @throws the errors of {@link findTemporalCli} when `cliPath` is not given
 */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const started = Date.now();
  const opts = resolveOptions(options);
  const { log, address } = opts;

  const reused = await reuseRunningServer(opts, started);
  if (reused !== undefined) return reused;

  const repoRoot = (): string => options.repoRoot ?? findKeelRoot();
  const dbFile = path.resolve(options.dbFile ?? path.join(repoRoot(), '.keel', 'temporal.db'));
  const holder = runningServerPid(dbFile);
  if (holder !== undefined) throw new DatabaseInUseError(dbFile, holder);

  const cliPath = options.cliPath ?? (await findTemporalCli({ repoRoot: repoRoot(), log }));
  fs.mkdirSync(path.dirname(dbFile), { recursive: true });
  const args = startDevArgs(opts, dbFile);
  log(`starting ${cliPath} ${args.join(' ')}${opts.detached ? ` (detached, output in ${logFilePath(dbFile)})` : ''}`);

  // The start deadline counts from the launch: finding (or building, minutes the first time) the CLI is not the server's start.
  const launchedAt = Date.now();
  const server = launch(cliPath, args, opts.detached, dbFile);
  const pid = server.child.pid;
  if (pid !== undefined) writePidFile(dbFile, pid);
  const stop = stopper(server, dbFile, opts.stopGraceMs);

  const readiness = await waitForTemporal({
    host: opts.host,
    port: opts.port,
    address,
    deadline: launchedAt + opts.startTimeoutMs,
    exited: () => server.exit,
  });
  if (readiness.kind !== 'ready') {
    await stop();
    // Another process may have started a server on this address at the same moment: use it.
    const raced = readiness.kind === 'exited' ? await reuseRunningServer(opts, launchedAt) : undefined;
    if (raced !== undefined) return raced;
    throw new DevServerStartError(readiness.kind === 'exited' ? 'exited' : 'timeout', address, server.outputTail(), server.exit);
  }

  try {
    await registerSearchAttributes(readiness.connection, opts);
  } catch (err) {
    await stop();
    throw err;
  } finally {
    await readiness.connection.close();
  }
  const startupMs = Date.now() - started;
  const uiUrl = opts.headless ? undefined : `http://${formatAddress(opts.host, opts.uiPort)}`;
  log(`Temporal dev server ready at ${address}${uiUrl !== undefined ? `, UI ${uiUrl}` : ''} (pid ${pid}, ${startupMs} ms)`);
  return { address, uiUrl, namespace: opts.namespace, pid, dbFile, reused: false, startupMs, stop };
}

function resolveOptions(options: DevServerOptions): ResolvedOptions {
  const ip = options.ip ?? '127.0.0.1';
  const host = clientHost(ip);
  const port = options.port ?? 7233;
  return {
    ip,
    host,
    port,
    uiPort: options.uiPort ?? port + 1000,
    headless: options.headless ?? false,
    namespace: options.namespace ?? 'default',
    searchAttributes: options.searchAttributes ?? KEEL_SEARCH_ATTRIBUTE_NAMES,
    detached: options.detached ?? false,
    log: options.log ?? stderrLog,
    startTimeoutMs: options.startTimeoutMs ?? 60_000,
    stopGraceMs: options.stopGraceMs ?? 10_000,
    logLevel: options.logLevel ?? 'warn',
    extraArgs: options.extraArgs ?? [],
    address: formatAddress(host, port),
  };
}

/** The arguments of `temporal` that start the dev server described by `opts` on `dbFile`. */
function startDevArgs(opts: ResolvedOptions, dbFile: string): string[] {
  return [
    'server',
    'start-dev',
    '--ip',
    opts.ip,
    '--port',
    String(opts.port),
    ...(opts.headless ? ['--headless'] : ['--ui-port', String(opts.uiPort)]),
    '--db-filename',
    dbFile,
    '--sqlite-pragma',
    'journal_mode=WAL',
    '--sqlite-pragma',
    'synchronous=NORMAL',
    '--namespace',
    opts.namespace,
    ...opts.searchAttributes.flatMap((name) => ['--search-attribute', `${name}=Keyword`]),
    '--log-level',
    opts.logLevel,
    ...opts.extraArgs,
  ];
}

/** If a Temporal server answers on the address, prepares and returns it as a reused server. */
async function reuseRunningServer(opts: ResolvedOptions, started: number): Promise<DevServer | undefined> {
  if (!(await isPortOpen(opts.host, opts.port))) return undefined;
  const connection = await connectToTemporal(opts.address);
  if (connection === undefined) throw new PortInUseError(opts.address);
  try {
    await registerSearchAttributes(connection, opts);
  } finally {
    await connection.close();
  }
  const uiUrl =
    !opts.headless && (await isPortOpen(opts.host, opts.uiPort))
      ? `http://${formatAddress(opts.host, opts.uiPort)}`
      : undefined;
  const startupMs = Date.now() - started;
  opts.log(`reusing the Temporal server that answers at ${opts.address}${uiUrl !== undefined ? `, UI ${uiUrl}` : ''}`);
  return { address: opts.address, uiUrl, namespace: opts.namespace, reused: true, startupMs, stop: async () => {} };
}

async function registerSearchAttributes(connection: Connection, opts: ResolvedOptions): Promise<void> {
  if (await ensureNamespace(connection, opts.namespace)) opts.log(`registered namespace ${opts.namespace}`);
  const added = await ensureSearchAttributes(connection, opts.namespace, opts.searchAttributes);
  if (added.length > 0) opts.log(`registered search attributes ${added.join(', ')} in namespace ${opts.namespace}`);
}

/** A server process this module started, with what is known of its exit and output. */
interface LaunchedServer {
  readonly child: ChildProcess;
  /** Exit code or signal once it has exited (or the spawn error's code if it never started). */
  readonly exit: number | string | undefined;
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>;
  /** Its last lines of output. */
  outputTail(): string[];
  /** Unties it from this process's lifetime (non-detached only). */
  untie(): void;
}

function launch(cliPath: string, args: string[], detached: boolean, dbFile: string): LaunchedServer {
  let exit: number | string | undefined;
  let child: ChildProcess;
  let outputTail: () => string[];
  let untie = (): void => {};

  if (detached) {
    const logFile = logFilePath(dbFile);
    const fd = fs.openSync(logFile, 'a');
    const offset = fs.fstatSync(fd).size;
    fs.writeSync(fd, `--- ${new Date().toISOString()} ${cliPath} ${args.join(' ')}\n`);
    try {
      child = spawn(cliPath, args, { detached: true, stdio: ['ignore', fd, fd] });
    } finally {
      fs.closeSync(fd);
    }
    child.unref();
    outputTail = () => readLogTail(logFile, offset);
  } else {
    child = spawn(cliPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const tail = new OutputTail();
    child.stdout?.on('data', (chunk: Buffer) => tail.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => tail.push(chunk));
    outputTail = () => tail.snapshot();
    untie = tieToThisProcess(child);
  }

  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = code ?? signal ?? 'unknown';
      resolve();
    });
    child.once('error', (err: NodeJS.ErrnoException) => {
      // Spawning failed (no such file, not executable): there will be no 'exit'.
      if (child.pid === undefined) {
        exit = err.code ?? err.message;
        resolve();
      }
    });
  });
  return {
    child,
    get exit() {
      return exit;
    },
    exited,
    outputTail: () => outputTail(),
    untie: () => untie(),
  };
}

/** Returns an idempotent `stop()` for a launched server. */
function stopper(server: LaunchedServer, dbFile: string, graceMs: number): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  const stopOnce = async (): Promise<void> => {
    const { child } = server;
    // A detached server is unref'd: without a handle of our own, Node's event loop could empty while
    // we wait for it to exit, and the process would end in the middle of stop() without a word.
    const keepAlive = setInterval(() => undefined, 1000);
    let grace: NodeJS.Timeout | undefined;
    try {
      if (server.exit === undefined) {
        child.kill('SIGTERM');
        const graceful = await Promise.race([
          server.exited.then(() => true),
          new Promise<boolean>((resolve) => (grace = setTimeout(resolve, graceMs, false))),
        ]);
        if (!graceful) {
          child.kill('SIGKILL');
          await server.exited;
        }
      }
    } finally {
      clearTimeout(grace);
      clearInterval(keepAlive);
    }
    server.untie();
    if (child.pid !== undefined) removePidFile(dbFile, child.pid);
  };
  return () => (stopping ??= stopOnce());
}

function readLogTail(logFile: string, offset: number, lines = 40): string[] {
  try {
    const fd = fs.openSync(logFile, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const start = Math.max(offset, size - 64 * 1024);
      const buffer = Buffer.alloc(Math.max(0, size - start));
      fs.readSync(fd, buffer, 0, buffer.length, start);
      const tail = new OutputTail(lines);
      tail.push(buffer);
      return tail.snapshot();
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return [];
  }
}
