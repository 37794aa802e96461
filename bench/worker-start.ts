/**
 * Worker start: how long `createKeelWorker` takes until the worker can poll, when the workflow
 * bundle must be built (a cold cache: a first start, or new code) and when the cached bundle of the
 * same code is loaded (every restart after that: crash loops, scale-out), beside a bare Temporal
 * worker that bundles a one-file workflow.
 *
 *   npm run bench -- --only start
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { bundleKeelWorkflows } from '../workers/workflow-bundle';
import { formatNumber, formatTable } from '../evaluation/text-table';
import type { BenchEnvironment } from './bench-environment';

const run = promisify(execFile);

export interface WorkerStartResult {
  bareMs: number[];
  keelColdMs: number[];
  keelCachedMs: number[];
}

/**
 * Measures `rounds` starts of each kind, each in a fresh process (Node, tsx and the SDK load as on
 * a real restart): a bare worker, a Keel worker with an empty bundle cache, and one with the cache
 * its previous start left.
 */
export async function runWorkerStart(env: BenchEnvironment, rounds = 3): Promise<WorkerStartResult> {
  const result: WorkerStartResult = { bareMs: [], keelColdMs: [], keelCachedMs: [] };
  for (let round = 0; round < rounds; round++) {
    const cache = mkdtempSync(join(tmpdir(), 'keel-bundle-cache-'));
    try {
      result.bareMs.push(await startInProcess(env.address, 'bare', cache));
      result.keelColdMs.push(await startInProcess(env.address, 'keel', cache));
      result.keelCachedMs.push(await startInProcess(env.address, 'keel', cache));
    } finally {
      rmSync(cache, { recursive: true, force: true });
      rmSync(`${cache}-store`, { recursive: true, force: true });
    }
  }
  return result;
}

async function startInProcess(address: string, kind: 'keel' | 'bare', cache: string): Promise<number> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', join(__dirname, 'worker-start-child.ts'), address, kind], {
    env: { ...process.env, KEEL_BUNDLE_CACHE: cache },
    timeout: 120_000,
  });
  const ms = /READY_MS (\d+)/.exec(stdout)?.[1];
  if (!ms) throw new Error(`the ${kind} worker did not start: ${stdout}`);
  return Number(ms);
}

/** Builds the cache of the current code (so later benchmarks start warm). */
export async function warmBundleCache(): Promise<void> {
  await bundleKeelWorkflows();
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

export function formatWorkerStart(result: WorkerStartResult): string {
  return formatTable(
    [{ header: 'worker start in a fresh process (ms from process start until created)', align: 'left' }, { header: 'median ms' }, { header: 'each round, ms', align: 'left' }],
    [
      ['bare Temporal worker, bundles a one-file workflow', formatNumber(median(result.bareMs)), result.bareMs.map((v) => v.toFixed(0)).join(' ')],
      ['Keel worker, first start (builds and caches the bundle)', formatNumber(median(result.keelColdMs)), result.keelColdMs.map((v) => v.toFixed(0)).join(' ')],
      ['Keel worker, restart (cached bundle, same code)', formatNumber(median(result.keelCachedMs)), result.keelCachedMs.map((v) => v.toFixed(0)).join(' ')],
    ],
  );
}
