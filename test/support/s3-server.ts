import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { tieToThisProcess } from '../../devserver/child-lifetime';

const ROOT = join(__dirname, '..', '..');
const BUILD_SCRIPT = join(ROOT, 'scripts', 's3-test-server', 'build.sh');
const BINARY = join(ROOT, '.keel', 'bin', 's3-test-server');

/** A running S3-compatible test server (scripts/s3-test-server: gofakes3 behind a SigV4 check). */
export interface S3TestServer {
  /** `http://127.0.0.1:PORT` */
  endpoint: string;
  /** A bucket that exists on the server. */
  bucket: string;
  region: string;
  /** The only credentials the server accepts. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Stops the server (its objects are gone: they live in its memory). */
  stop(): Promise<void>;
}

/**
 * Builds the server if needed (`scripts/s3-test-server/build.sh`, which `.ci/run` also runs) and starts
 * it on a free local port; resolves once it accepts connections. One per test file: stop it in `afterAll`.
 */
export async function startS3TestServer(options: { bucket?: string } = {}): Promise<S3TestServer> {
  const build = spawnSync('bash', [BUILD_SCRIPT], { encoding: 'utf8' });
  if (build.status !== 0 || !existsSync(BINARY)) {
    throw new Error(`could not build the S3 test server (${BUILD_SCRIPT}): ${build.stderr || build.error?.message}`);
  }
  const bucket = options.bucket ?? 'keel-test';
  const credentials = { accessKeyId: 'keel-test-access-key', secretAccessKey: 'keel-test-secret-key' };
  const child = spawn(BINARY, ['-addr', '127.0.0.1:0', '-bucket', bucket, '-access-key', credentials.accessKeyId, '-secret-key', credentials.secretAccessKey], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const untie = tieToThisProcess(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error(`the S3 test server did not start within 15 s: ${stderr}`)), 15_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      const match = /^listening (http:\/\/\S+)$/.exec(line);
      if (match) resolve(match[1]!);
      else reject(new Error(`the S3 test server printed ${JSON.stringify(line)} instead of its address`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the S3 test server exited with ${code}: ${stderr}`));
    });
  });
  return {
    endpoint,
    bucket,
    region: 'us-east-1',
    credentials,
    stop: () => stopChild(child).finally(untie),
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
