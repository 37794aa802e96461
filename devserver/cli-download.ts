import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { executableFileName, executableProblem } from './executable-lookup';
import { OutputTail } from './output-tail';

/**
 * The version of the installed `@temporalio/testing`, which the SDK uses to choose and name the CLI
 * it downloads.
 */
export function temporalTestingVersion(): string {
  const manifest = require.resolve('@temporalio/testing/package.json');
  const parsed: unknown = JSON.parse(fs.readFileSync(manifest, 'utf8'));
  if (typeof parsed === 'object' && parsed !== null && 'version' in parsed && typeof parsed.version === 'string') {
    return parsed.version;
  }
  throw new Error(`${manifest} has no version`);
}

/**
 * The file name under which the TypeScript SDK caches the Temporal CLI it downloads:
 * `temporal-sdk-typescript-<version>` (`.exe` on Windows), in its download folder, which is
 * `os.tmpdir()` unless `downloadDir` is given (sdk-core's `ephemeral_server::get_or_download`).
 */
export function sdkDownloadFileName(): string {
  return executableFileName(`temporal-sdk-typescript-${temporalTestingVersion()}`);
}

/** The first folder of `dirs` that holds an executable CLI downloaded by the SDK, as a path to it. */
export function findSdkDownload(dirs: readonly string[]): string | undefined {
  const name = sdkDownloadFileName();
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    if (executableProblem(candidate) === undefined) return candidate;
  }
  return undefined;
}

/** Options of {@link downloadTemporalCli}. */
export interface DownloadTemporalCliOptions {
  /** Folder the SDK downloads into. */
  downloadDir: string;
  /** Receives progress lines. */
  log: (line: string) => void;
  /**
   * How long the download (and the SDK's brief start of the server) may take.
   * @default 600 000
   */
  timeoutMs?: number;
}

/**
 * Runs in a child Node process: has the SDK download the CLI (starting and stopping a dev server,
 * since the SDK offers no download-only call), then exits.
 */
const DOWNLOAD_SCRIPT = `
const { TestWorkflowEnvironment } = require(process.env.KEEL_TEMPORAL_TESTING);
TestWorkflowEnvironment.createLocal({
  server: { executable: { type: 'cached-download', downloadDir: process.env.KEEL_DOWNLOAD_DIR }, ui: false },
})
  .then((env) => env.teardown())
  .then(() => process.exit(0), (err) => { console.error(err && err.message ? err.message : String(err)); process.exit(1); });
`;

/**
 * Downloads the Temporal CLI the way the TypeScript SDK does for `TestWorkflowEnvironment.createLocal()`
 * with `executable: { type: 'cached-download' }` (from `https://temporal.download`), into `downloadDir`,
 * and returns the path of the binary. Needs internet access.
 *
 * The SDK has no download-only call and does not return the path, so this starts the SDK's local
 * environment once in a child process (which also keeps the SDK's native runtime out of this
 * process, where it would prevent a later `Runtime.install`), stops it, and reads the binary from
 * the place the SDK caches it: `<downloadDir>/temporal-sdk-typescript-<sdk version>`.
 *
 * @throws Error with the SDK's message if the download fails
 */
export async function downloadTemporalCli(options: DownloadTemporalCliOptions): Promise<string> {
  const { downloadDir, log } = options;
  const timeoutMs = options.timeoutMs ?? 600_000;
  fs.mkdirSync(downloadDir, { recursive: true });
  log(`downloading the Temporal CLI through @temporalio/testing into ${downloadDir}`);
  const child = spawn(process.execPath, ['-e', DOWNLOAD_SCRIPT], {
    env: {
      ...process.env,
      KEEL_TEMPORAL_TESTING: require.resolve('@temporalio/testing'),
      KEEL_DOWNLOAD_DIR: downloadDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail = new OutputTail(20);
  child.stdout.on('data', (chunk: Buffer) => tail.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => tail.push(chunk));
  const timeout = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    const exit = await new Promise<number | string>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    });
    if (exit !== 0) throw new Error(`the SDK's download failed (${String(exit)}): ${tail.snapshot().join('\n')}`);
  } finally {
    clearTimeout(timeout);
  }
  const binary = path.join(downloadDir, sdkDownloadFileName());
  const problem = executableProblem(binary);
  if (problem !== undefined) throw new Error(`the SDK reported success but ${binary} is ${problem}`);
  log(`downloaded the Temporal CLI to ${binary}`);
  return binary;
}
