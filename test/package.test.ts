import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

// Keel as a team would use it: `npm pack`, installed into a project of their own; every TypeScript
// snippet of the README compiles there as pasted, against the package's exports, and `npx keel` runs.
const run = promisify(execFile);
const root = join(__dirname, '..');
const versionOf = (name: string) => (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

/** The README's ```ts blocks, in order. */
function readmeSnippets(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  return [...readme.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
}

let project: string;

beforeAll(async () => {
  const packed = mkdtempSync(join(tmpdir(), 'keel-pack-'));
  const { stdout } = await run('npm', ['pack', '--pack-destination', packed, '--silent'], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  const tarball = join(packed, stdout.trim().split('\n').at(-1)!);
  project = mkdtempSync(join(tmpdir(), 'keel-user-'));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'team-service', version: '1.0.0', private: true }, null, 2));
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'node16', moduleResolution: 'node16', strict: true, noUncheckedIndexedAccess: true, esModuleInterop: true, skipLibCheck: true, noEmit: true, types: ['node'] },
      include: ['*.ts'],
    }),
  );
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', tarball, `typescript@${versionOf('typescript')}`, `@types/node@${versionOf('@types/node')}`], {
    cwd: project,
    maxBuffer: 64 * 1024 * 1024,
  });
}, 600_000);

test('every TypeScript snippet of the README compiles against the installed package', async () => {
  const snippets = readmeSnippets();
  expect(snippets.length).toBeGreaterThanOrEqual(4);
  snippets.forEach((code, i) => writeFileSync(join(project, `readme-${i + 1}.ts`), code));
  const compiled = await run(join(project, 'node_modules', '.bin', 'tsc'), ['-p', project], { cwd: project }).catch((error: { stdout: string }) => error);
  expect('stdout' in compiled ? compiled.stdout : '').toBe('');
  expect(readdirSync(project).filter((f) => f.startsWith('readme-'))).toHaveLength(snippets.length);
}, 300_000);

test('the package loads by its exports, and npx keel runs the compiled command line', async () => {
  const script = [
    "const client = require('keel');",
    "const worker = require('keel/worker');",
    "const core = require('keel/core');",
    "const testing = require('keel/testing');",
    "const schema = require('keel/schemas/session-request.json');",
    "console.log([typeof client.KeelClient, typeof worker.KeelPlugin, typeof core.defineTool, typeof testing.ScriptedModelServer, schema.title].join(' '));",
  ].join('\n');
  const { stdout } = await run(process.execPath, ['-e', script], { cwd: project });
  expect(stdout.trim()).toBe('function function function function SessionRequest');
  // The worker bundles Keel's workflows from the compiled package.
  const { stdout: path } = await run(process.execPath, ['-e', "console.log(require('keel/worker').workflowsPath())"], { cwd: project });
  expect(path.trim()).toMatch(/node_modules\/keel\/dist\/workflows\/index\.js$/);
  const help = await run('npx', ['--no-install', 'keel', 'help', 'approve'], { cwd: project });
  expect(help.stdout).toMatch(/^keel approve SESSION REQUEST_ID --key KEY\.json/);
  const refused = await run('npx', ['--no-install', 'keel', 'start', '--agent', 'x'], { cwd: project }).catch((error: { code: number; stderr: string }) => error);
  expect(refused).toMatchObject({ code: 2, stderr: expect.stringContaining('keel start needs --input, --tenant') });
}, 120_000);
