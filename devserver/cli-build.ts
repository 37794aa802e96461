import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { executableFileName, executableProblem } from './executable-lookup';
import { OutputTail } from './output-tail';
import { isProcessAlive } from './process-termination';

/**
 * The Temporal CLI release Keel builds. Later tags carry a `replace` directive in their `go.mod`,
 * which `go install module@version` refuses, so the version is pinned.
 */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';

/** The Go package of the Temporal CLI's `temporal` command. */
export const TEMPORAL_CLI_GO_PACKAGE = 'github.com/temporalio/cli/cmd/temporal';

/** Options of {@link buildTemporalCli}. */
export interface BuildTemporalCliOptions {
  /** The `go` executable. */
  goPath: string;
  /** The folder the binary is installed into (`GOBIN`). */
  binDir: string;
  /**
   * The CLI release to build.
   * @default {@link TEMPORAL_CLI_VERSION}
   */
  version?: string;
  /** Receives progress lines. */
  log: (line: string) => void;
  /**
   * How long the build may take before it is stopped.
   * @default 1 200 000 (20 minutes; a cold build takes about 4 minutes on 2 cores)
   */
  timeoutMs?: number;
  /**
   * Interval between "still building" progress lines.
   * @default 20 000
   */
  progressIntervalMs?: number;
  /**
   * Environment of the build; `GOBIN` is set on top of it.
   * @default process.env
   */
  env?: NodeJS.ProcessEnv;
}

/**
 * Builds the Temporal CLI from source with `go install <package>@<version>` into `binDir` and returns
 * the path of the binary. Needs Go and access to the Go module proxy; takes about 4 minutes cold.
 *
 * Only one build runs per `binDir`: a lock file (`<binDir>/.build.lock`, holding the builder's pid)
 * makes a second caller wait for the first build instead of starting its own.
 *
 * @throws Error with the last lines of Go's output if the build fails or times out
 */
export async function buildTemporalCli(options: BuildTemporalCliOptions): Promise<string> {
  const { goPath, binDir, log } = options;
  const version = options.version ?? TEMPORAL_CLI_VERSION;
  const binary = path.join(binDir, executableFileName('temporal'));
  fs.mkdirSync(binDir, { recursive: true });
  const lock = path.join(binDir, '.build.lock');

  for (;;) {
    if (tryLock(lock)) break;
    const holder = readLockHolder(lock);
    if (holder !== undefined && isProcessAlive(holder)) {
      log(`a build of the Temporal CLI into ${binDir} is already running (pid ${holder}); waiting for it`);
      while (fs.existsSync(lock) && isProcessAlive(holder)) await sleep(1_000);
      if (executableProblem(binary) === undefined) return binary;
    } else if (holder === undefined && lockAgeMs(lock) < 5_000) {
      await sleep(200); // just created; its holder has not written its pid yet
    } else {
      fs.rmSync(lock, { force: true }); // stale: its builder is gone
    }
  }

  try {
    await runGoInstall(goPath, `${TEMPORAL_CLI_GO_PACKAGE}@${version}`, binDir, log, {
      timeoutMs: options.timeoutMs ?? 1_200_000,
      progressIntervalMs: options.progressIntervalMs ?? 20_000,
      env: options.env ?? process.env,
    });
  } finally {
    fs.rmSync(lock, { force: true });
  }
  const problem = executableProblem(binary);
  if (problem !== undefined) throw new Error(`go install succeeded but ${binary} is ${problem}`);
  return binary;
}

async function runGoInstall(
  goPath: string,
  target: string,
  binDir: string,
  log: (line: string) => void,
  limits: { timeoutMs: number; progressIntervalMs: number; env: NodeJS.ProcessEnv },
): Promise<void> {
  const started = Date.now();
  log(`building the Temporal CLI: GOBIN=${binDir} ${goPath} install ${target} (about 4 minutes, once)`);
  const child = spawn(goPath, ['install', target], {
    env: { ...limits.env, GOBIN: binDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail = new OutputTail(30);
  let modules = 0;
  const onOutput = (chunk: Buffer): void => {
    tail.push(chunk);
    modules += chunk.toString().split('go: downloading ').length - 1;
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  const progress = setInterval(() => {
    const seconds = Math.round((Date.now() - started) / 1000);
    log(`still building the Temporal CLI (${seconds} s, ${modules} modules downloaded)`);
  }, limits.progressIntervalMs);
  const timeout = setTimeout(() => child.kill('SIGKILL'), limits.timeoutMs);
  try {
    const exit = await new Promise<number | string>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    });
    if (exit !== 0) {
      const why = Date.now() - started >= limits.timeoutMs ? `timed out after ${limits.timeoutMs} ms` : `exited ${exit}`;
      throw new Error(`go install ${target} ${why}:\n${tail.snapshot().join('\n')}`);
    }
    log(`built the Temporal CLI in ${Math.round((Date.now() - started) / 1000)} s`);
  } finally {
    clearInterval(progress);
    clearTimeout(timeout);
  }
}

function tryLock(lock: string): boolean {
  try {
    fs.writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

function lockAgeMs(lock: string): number {
  try {
    return Date.now() - fs.statSync(lock).mtimeMs;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

function readLockHolder(lock: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(lock, 'utf8').trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
