/**
 * The scripted model in a process of its own (its command line, `scripted-model/cli.ts`), so that a
 * benchmark measuring its own process's CPU counts the worker and not the model standing in for the
 * API.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Scenario } from '../scripted-model';

/** A running scripted model process. */
export interface ScriptedModelProcess {
  url: string;
  stop(): Promise<void>;
}

/** Starts the scripted model's command line on a free port with these (JSON) scenarios. */
export async function startScriptedModelProcess(scenarios: Scenario[]): Promise<ScriptedModelProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'keel-bench-model-'));
  const file = join(dir, 'scenarios.json');
  writeFileSync(file, JSON.stringify(scenarios));
  const child = spawn(process.execPath, ['--import', pathToFileURL(require.resolve('tsx')).href, join(__dirname, '..', 'scripted-model', 'cli.ts'), '--scenarios', file, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      const serving = / at (http:\/\/\S+)/.exec(output);
      if (serving) resolve(serving[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the scripted model process exited (${code}) before serving:\n${output}`)));
  });
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
