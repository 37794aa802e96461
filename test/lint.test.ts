import { spawn } from 'node:child_process';
import { join } from 'node:path';

// The folder rules of DESIGN.md hold by themselves: each violation below is what the lint in
// `npm test` reports (and the tree as it is reports none: see `npm run lint`).
const root = join(__dirname, '..');

/** What ESLint (the project's configuration, its own process) says of `code` at `filePath`. */
function problems(filePath: string, code: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const eslint = spawn(process.execPath, [join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'), '--stdin', '--stdin-filename', filePath, '--format', 'json'], { cwd: root });
    let out = '';
    eslint.stdout.on('data', (chunk: Buffer) => (out += chunk));
    eslint.on('error', reject);
    eslint.on('close', () => {
      try {
        const [result] = JSON.parse(out) as Array<{ messages: Array<{ ruleId: string; message: string }> }>;
        resolve(result!.messages.map((m) => `${m.ruleId}: ${m.message}`));
      } catch (error) {
        reject(new Error(`eslint printed no JSON: ${out.slice(0, 500)} (${(error as Error).message})`));
      }
    });
    eslint.stdin.end(code);
  });
}

test.each([
  ['workflows/x.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;", /workflow code does no I\/O/],
  ['workflows/x.ts', "import { Pool } from 'pg';\nexport const x = Pool;", /workflow code does no I\/O/],
  ['workflows/x.ts', 'export const x = Math.random();', /deterministic random/],
  ['workflows/x.ts', 'export const x = process.env.HOME;', /no environment in workflow code/],
  ['workflows/x.ts', "import { createSessionActivities } from '../activities';\nexport const x = createSessionActivities;", /other folders only as types/],
  ['workflows/x.ts', "import { patched } from '@temporalio/workflow';\nexport const x = patched('p');", /a session asks its RunPatches/],
  ['workflows/x.ts', "import { readFileSync } from 'node:fs';\nimport { condition } from '@temporalio/workflow';\nexport const x = [readFileSync, condition];", /workflow code does no I\/O/],
  ['core/x.ts', "import { proxyActivities } from '@temporalio/workflow';\nexport const x = proxyActivities;", /core\/ is pure/],
  ['core/x.ts', "import { FileAuditLog } from '../store';\nexport const x = FileAuditLog;", /core\/ imports nothing outside core/],
  ['client/x.ts', "import { Worker } from '@temporalio/worker';\nexport const x = Worker;", /never loads worker-side code/],
  ['client/x.ts', "import { createKeelWorker } from '../workers';\nexport const x = createKeelWorker;", /never loads worker-side code/],
  ['client/x.ts', "export const x = require('../workers');", /no hidden requires/],
])('%s: %s is refused', async (file, code, expected) => {
  expect((await problems(file, code)).join('\n')).toMatch(expected);
});

test('type-only imports across folders are allowed, and the rules leave ordinary code alone', async () => {
  expect(await problems('workflows/x.ts', "import type { SessionActivities } from '../activities/session-activities';\nexport type X = SessionActivities;")).toEqual([]);
  expect(await problems('workflows/orchestration-runtime.ts', "import { patched } from '@temporalio/workflow';\nexport const x = patched('p');")).toEqual([]);
  expect(await problems('client/x.ts', "import { Client } from '@temporalio/client';\nexport const x = Client;")).toEqual([]);
});
