/**
 * What screening a long tool output costs per MB, at 1, 4 and 16 MB, as the tool activity runs it
 * (`screenToolOutputInWindows`: the injection detector in 64 Ki-character windows, yielding to the
 * event loop between them). Linear work shows as a flat time per MB. Three kinds of text: HTML (the
 * kind that made the whole-text detector quadratic), prose from the benign corpus and JSON records.
 * With `--compare`, the whole-text detector at 1 and 4 MB beside it (slow: that is the point).
 * `npx tsx bench/guardrail-linear.ts [--quick] [--compare]`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { screenToolOutputInWindows } from '../activities/guardrail-checks';
import { detectInjection } from '../core/guardrails/injection';
import { detectInjectionInWindows, injectionWindows } from '../core/guardrails/injection-windows';
import { cpus, loadavg } from 'node:os';
import { percentile } from './percentile';
import { DEFAULT_GUARDRAIL_POLICY } from '../core/guardrails/policy';
import { formatTable } from '../evaluation/text-table';

const MB = 1_048_576;

/** Time per MB of one kind of text at one size. */
export interface GuardrailLinearRow {
  kind: string;
  megabytes: number;
  windows: number;
  msPerMb: number;
  /** The whole-text detector, with `compare` (1 and 4 MB only). */
  wholeMsPerMb?: number;
}

/** A text of `chars` characters of one kind (ASCII, so as many bytes). */
function textOf(kind: string, chars: number): string {
  const parts: string[] = [];
  let length = 0;
  const pieces = PIECES[kind]!();
  for (let i = 0; length < chars; i++) {
    const piece = pieces[i % pieces.length]!;
    parts.push(piece);
    length += piece.length;
  }
  return parts.join('').slice(0, chars);
}

const PIECES: Record<string, () => string[]> = {
  html: () => ['<div class="row"><p>Hello <b>world</b>, see <a href="https://example.com/a?b=c">the tracking page</a></p></div>\n'],
  prose: () =>
    readFileSync(join(__dirname, '..', 'guardrails', 'corpus', 'injection-benign.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => `${(JSON.parse(l) as { text: string }).text.replace(/[^\x20-\x7e\n]/g, ' ')}\n\n`),
  json: () => Array.from({ length: 500 }, (_, i) => `${JSON.stringify({ id: `ord_${1000 + i}`, status: ['shipped', 'delivered'][i % 2], note: 'Customer asked about delivery; replied with tracking.', totalCents: 1299 + i })},`),
};

/** Latency of screening many 10 KB outputs of one kind. */
export interface TenKilobyteRow {
  kind: string;
  calls: number;
  p50Ms: number;
  p99Ms: number;
  meanCpuMs: number;
}

/**
 * Screens many different 10 KB outputs of each kind (HTML, prose, JSON records, and the benign corpus
 * mixed with attacks: normalisation, heuristics and classifier, `detectInjectionInWindows`) and
 * reports p50/p99 wall time and mean CPU time per output. Goal: p99 ≤ 1 ms per 10 KB.
 */
export function measureTenKilobytes(options: { quick?: boolean } = {}): { rows: TenKilobyteRow[]; loadAverage: number[] } {
  const size = 10 * 1024;
  const calls = options.quick ? 300 : 2000;
  const corpus = readFileSync(join(__dirname, '..', 'guardrails', 'corpus', 'injection-attacks.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => `${(JSON.parse(l) as { text: string }).text}\n\n`);
  const kinds: Record<string, string[]> = { ...Object.fromEntries(Object.entries(PIECES).map(([k, f]) => [k, f()])), mixed: [...PIECES.prose!(), ...corpus] };
  const loadAverage = loadavg();
  const rows = Object.entries(kinds).map(([kind, pieces]) => {
    // 64 different outputs per kind: the pieces from a different starting point each.
    const inputs = Array.from({ length: 64 }, (_, k) => {
      let t = '';
      for (let j = k * 7; t.length < size; j += 13) t += pieces[j % pieces.length]!;
      return t.slice(0, size);
    });
    for (let k = 0; k < 100; k++) detectInjectionInWindows(inputs[k % 64]!);
    const ms: number[] = [];
    const cpu = process.cpuUsage();
    for (let k = 0; k < calls; k++) {
      const started = performance.now();
      detectInjectionInWindows(inputs[k % 64]!);
      ms.push(performance.now() - started);
    }
    const used = process.cpuUsage(cpu);
    return { kind, calls, p50Ms: percentile(ms, 50), p99Ms: percentile(ms, 99), meanCpuMs: (used.user + used.system) / 1000 / calls };
  });
  return { rows, loadAverage };
}

/** The table of {@link measureTenKilobytes}. */
export function formatTenKilobytes(m: ReturnType<typeof measureTenKilobytes>): string {
  return [
    `Screening 10 KB tool outputs (normalisation + heuristics + classifier), goal p99 ≤ 1 ms per 10 KB; load average ${m.loadAverage.map((x) => x.toFixed(2)).join(' ')} on ${cpus().length} CPUs at start:`,
    formatTable(
      [{ header: 'text', align: 'left' }, { header: 'calls' }, { header: 'p50 ms' }, { header: 'p99 ms' }, { header: 'mean CPU ms' }],
      m.rows.map((r) => [r.kind, String(r.calls), r.p50Ms.toFixed(2), r.p99Ms.toFixed(2), r.meanCpuMs.toFixed(2)]),
    ),
  ].join('\n');
}

/** Screens each kind at each size once (after a warm-up) and reports ms per MB. */
export async function measureGuardrailLinear(options: { quick?: boolean; compare?: boolean } = {}): Promise<GuardrailLinearRow[]> {
  const sizes = options.quick ? [1, 4] : [1, 4, 16];
  const rows: GuardrailLinearRow[] = [];
  for (const kind of Object.keys(PIECES)) {
    // Warm-up: the detector's code is compiled on what it sees first.
    for (let k = 0; k < 2; k++) await screenToolOutputInWindows(textOf(kind, MB), 'bench', DEFAULT_GUARDRAIL_POLICY, undefined, 'bench');
    for (const megabytes of sizes) {
      const text = textOf(kind, megabytes * MB);
      const started = performance.now();
      await screenToolOutputInWindows(text, 'bench', DEFAULT_GUARDRAIL_POLICY, undefined, 'bench');
      const msPerMb = (performance.now() - started) / megabytes;
      let wholeMsPerMb: number | undefined;
      if (options.compare && megabytes <= 4) {
        const whole = performance.now();
        detectInjection(text);
        wholeMsPerMb = (performance.now() - whole) / megabytes;
      }
      rows.push({ kind, megabytes, windows: injectionWindows(text).length, msPerMb, ...(wholeMsPerMb !== undefined ? { wholeMsPerMb } : {}) });
    }
  }
  return rows;
}

/** The table of {@link measureGuardrailLinear}. */
export function formatGuardrailLinear(rows: readonly GuardrailLinearRow[]): string {
  const compare = rows.some((r) => r.wholeMsPerMb !== undefined);
  return [
    'Tool-output screening of long outputs (injection detector in 64 Ki-character windows, one core):',
    formatTable(
      [
        { header: 'text', align: 'left' },
        { header: 'MB' },
        { header: 'windows' },
        { header: 'ms per MB' },
        { header: 'total s' },
        ...(compare ? [{ header: 'whole-text ms per MB' }] : []),
      ],
      rows.map((r) => [
        r.kind,
        String(r.megabytes),
        String(r.windows),
        r.msPerMb.toFixed(0),
        ((r.msPerMb * r.megabytes) / 1000).toFixed(2),
        ...(compare ? [r.wholeMsPerMb === undefined ? '' : r.wholeMsPerMb.toFixed(0)] : []),
      ]),
    ),
  ].join('\n');
}

if (require.main === module) {
  console.log(formatTenKilobytes(measureTenKilobytes({ quick: process.argv.includes('--quick') })));
  console.log('');
  void measureGuardrailLinear({ quick: process.argv.includes('--quick'), compare: process.argv.includes('--compare') }).then((rows) => console.log(formatGuardrailLinear(rows)));
}
