import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findFreePort } from '../devserver/free-port';
import { testServer } from './support/environment';

// The first start on a fresh machine: no Temporal CLI anywhere, so it is built first (here by a
// fake `go` that takes longer than the server's start timeout), then started, then stopped.
const run = promisify(execFile);
const script = join(__dirname, 'support', 'first-start.ts');

function freshMachine(goScript: string): { root: string; env: NodeJS.ProcessEnv } {
  const root = mkdtempSync(join(testServer().dir, 'fresh-'));
  const bin = join(root, 'fake-bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'go'), goScript);
  chmodSync(join(bin, 'go'), 0o755);
  const { TEMPORAL_CLI_PATH: _cli, ...rest } = process.env;
  return { root, env: { ...rest, PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`, TMPDIR: root, KEEL_FIRST_START_ROOT: root } };
}

async function firstStart(env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  const port = await findFreePort();
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', script], { env: { ...env, KEEL_FIRST_START_PORT: String(port) }, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('a build slower than the start timeout still starts the server, and stop() returns', async () => {
  const real = testServer().cliPath;
  // "go install" that outlasts the 5 s start timeout, then installs a wrapper around the real CLI.
  const { env } = freshMachine(`#!/bin/sh\nsleep 7\nmkdir -p "$GOBIN"\nprintf '#!/bin/sh\\nexec ${real} "$@"\\n' > "$GOBIN/temporal"\nchmod +x "$GOBIN/temporal"\n`);
  const result = await firstStart(env);
  expect(result.stderr).toBe('');
  expect(result.stdout).toMatch(/log: building the Temporal CLI/);
  expect(result.stdout).toMatch(/^ready 127\.0\.0\.1:\d+$/m);
  expect(result.stdout).toMatch(/^stopped$/m);
  expect(result.code).toBe(0);
}, 150_000);

test('a build that fails says why and exits non-zero', async () => {
  const { env } = freshMachine('#!/bin/sh\necho "go: module lookup disabled" >&2\nexit 1\n');
  const result = await firstStart(env);
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/^failed: TemporalCliNotFoundError: .*building with Go: failed \(go install .* exited 1: go: module lookup disabled\)/s);
}, 150_000);
