/**
 * Grounding benchmark: runs the grounding check (`core/guardrails/grounding.ts`) over the labelled
 * scenarios of `guardrails/grounding-scenarios/` — final answers with one planted contradiction of
 * the tool outputs, and consistent answers over the same outputs — and prints contradictions caught
 * per kind, consistent answers wrongly flagged, and latency (facts extraction plus check, per
 * scenario, and on a long answer over a long order list). Pure computation, no Temporal server.
 *
 * `npx tsx bench/guardrail-grounding.ts [--quick] [--misses]`. Prints tables and, as the last line of
 * stdout, `BENCH_JSON {...}`.
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { GuardrailFinding } from '../core/guardrails/finding';
import { checkGrounding, extractFacts, type Fact, type GroundingKind, type GroundingVerdict } from '../core/guardrails/grounding';
import { GROUNDING_SCENARIOS, type GroundingScenario } from '../guardrails/grounding-scenarios/scenarios';
import { percentile } from './percentile';
import { formatNumber, formatTable } from '../evaluation/text-table';

/** Contradictions of one kind: how many were planted and caught. */
export interface GroundingKindScore {
  kind: GroundingKind;
  planted: number;
  /** A finding of this kind was reported. */
  caught: number;
  /** …and its span overlaps the planted text (`GroundingScenario.flagged`). */
  caughtAtSpan: number;
}

/** How the check did on a set of scenarios. */
export interface GroundingScore {
  contradictions: number;
  caught: number;
  caughtAtSpan: number;
  /** Contradictions reported only under another kind. */
  caughtAsOtherKind: number;
  kinds: GroundingKindScore[];
  consistent: number;
  /** Consistent answers with at least one finding. */
  wronglyFlagged: number;
  /** Findings of another kind besides the planted one, in contradiction scenarios. */
  extraFindings: number;
  misses: Array<{ name: string; answer: string; findings: string[] }>;
  falseFlags: Array<{ name: string; answer: string; findings: string[] }>;
}

/** Runs the check on one scenario's answer over its tool outputs. */
export function checkScenario(scenario: GroundingScenario): GroundingVerdict {
  const facts: Fact[] = scenario.toolOutputs.flatMap((t) => extractFacts(t.tool, t.output));
  return checkGrounding(scenario.answer, facts);
}

const describeFinding = (verdict: GroundingVerdict, f: GuardrailFinding) =>
  `${f.kind} ${f.span ? JSON.stringify(verdict.checkedText.slice(f.span.start, f.span.end)) : ''}: ${f.message}`;
const answerText = (s: GroundingScenario) => (typeof s.answer === 'string' ? s.answer : JSON.stringify(s.answer));

/** Whether the finding's span overlaps an occurrence of `flagged` in the checked text. */
function coversPlanted(verdict: GroundingVerdict, finding: GuardrailFinding, flagged: string | undefined): boolean {
  if (!finding.span || flagged === undefined) return false;
  for (let at = verdict.checkedText.indexOf(flagged); at >= 0; at = verdict.checkedText.indexOf(flagged, at + 1)) {
    if (finding.span.start < at + flagged.length && at < finding.span.end) return true;
  }
  return false;
}

/** Scores the check on labelled scenarios: a contradiction is caught by a finding of its kind; a consistent answer is wrongly flagged by any finding. */
export function measureGrounding(scenarios: readonly GroundingScenario[], check: (s: GroundingScenario) => GroundingVerdict = checkScenario): GroundingScore {
  const kinds = new Map<GroundingKind, GroundingKindScore>();
  const score: GroundingScore = {
    contradictions: 0, caught: 0, caughtAtSpan: 0, caughtAsOtherKind: 0, kinds: [], consistent: 0, wronglyFlagged: 0, extraFindings: 0, misses: [], falseFlags: [],
  };
  for (const scenario of scenarios) {
    const verdict = check(scenario);
    const findings = verdict.findings.map((f) => describeFinding(verdict, f));
    if (!scenario.contradiction) {
      score.consistent++;
      if (verdict.findings.length > 0) {
        score.wronglyFlagged++;
        score.falseFlags.push({ name: scenario.name, answer: answerText(scenario), findings });
      }
      continue;
    }
    const kind = scenario.kind!;
    const k = kinds.get(kind) ?? { kind, planted: 0, caught: 0, caughtAtSpan: 0 };
    kinds.set(kind, k);
    score.contradictions++;
    k.planted++;
    const right = verdict.findings.filter((f) => f.kind === kind);
    score.extraFindings += verdict.findings.length - right.length;
    if (right.length > 0) {
      score.caught++;
      k.caught++;
      if (right.some((f) => coversPlanted(verdict, f, scenario.flagged))) {
        score.caughtAtSpan++;
        k.caughtAtSpan++;
      }
    } else {
      if (verdict.findings.length > 0) score.caughtAsOtherKind++;
      score.misses.push({ name: scenario.name, answer: answerText(scenario), findings });
    }
  }
  score.kinds = [...kinds.values()].sort((a, b) => b.planted - a.planted);
  return score;
}

/** Latency of facts extraction plus check. */
export interface GroundingLatency {
  /** Scenario checks timed (all scenarios, `rounds` times). */
  samples: number;
  p50Micros: number;
  p99Micros: number;
  maxMicros: number;
  /** A long answer (`longAnswerChars`) over a long order list (`longListOrders`). */
  longAnswerChars: number;
  longListOrders: number;
  longP50Micros: number;
  longP99Micros: number;
}

/** A list of `n` orders and an answer of about `chars` characters that walks through them (consistently). */
export function longSession(n: number, chars: number): { facts: Fact[]; answer: string } {
  const statuses = ['shipped', 'delivered', 'processing', 'cancelled'];
  const orders = Array.from({ length: n }, (_, i) => ({
    id: `ord_${5000 + i}`,
    status: statuses[i % statuses.length]!,
    totalCents: 1000 + ((i * 3719) % 90000),
    currency: 'EUR',
    placedAt: `2026-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
    items: 1 + (i % 5),
  }));
  const facts = extractFacts('list_orders', { orders, has_more: false });
  const lines: string[] = [`You have ${n} orders with us. Here is each of them:`];
  for (let i = 0; lines.join('\n').length < chars; i++) {
    const o = orders[i % n]!;
    const [y, m, d] = o.placedAt.split('-');
    lines.push(`Your order ${o.id}, placed on ${Number(d)}/${Number(m)}/${y}, came to €${(o.totalCents / 100).toFixed(2)} for ${o.items} items and is ${o.status}.`);
  }
  return { facts, answer: lines.join('\n') };
}

/** Times the check on every scenario `rounds` times (after a warm-up) and on a long answer. */
export function measureGroundingLatency(scenarios: readonly GroundingScenario[], rounds: number, longRounds: number): GroundingLatency {
  for (const s of scenarios) checkScenario(s);
  const micros: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const s of scenarios) {
      const started = performance.now();
      checkScenario(s);
      micros.push((performance.now() - started) * 1000);
    }
  }
  const longAnswerChars = 10_240;
  const longListOrders = 200;
  const session = longSession(longListOrders, longAnswerChars);
  const long: number[] = [];
  checkGrounding(session.answer, session.facts);
  for (let r = 0; r < longRounds; r++) {
    const started = performance.now();
    checkGrounding(session.answer, session.facts);
    long.push((performance.now() - started) * 1000);
  }
  return {
    samples: micros.length,
    p50Micros: percentile(micros, 50),
    p99Micros: percentile(micros, 99),
    maxMicros: Math.max(...micros),
    longAnswerChars: session.answer.length,
    longListOrders,
    longP50Micros: percentile(long, 50),
    longP99Micros: percentile(long, 99),
  };
}

/** Options of {@link runGroundingBenchmark}. */
export interface GroundingBenchmarkOptions {
  /** Fewer timing rounds: 3 over the scenarios and 5 long answers. @default false (20 and 20) */
  quick?: boolean;
  /** Print every miss and wrong flag with its findings. @default false */
  showMisses?: boolean;
}

const pct = (part: number, whole: number) => (whole === 0 ? '–' : `${formatNumber((100 * part) / whole, 1)}%`);

/** Runs the benchmark and prints its tables, then `BENCH_JSON {...}`. */
export async function runGroundingBenchmark(options: GroundingBenchmarkOptions): Promise<void> {
  const quick = options.quick === true;
  const started = performance.now();
  const load = loadavg()[0]!;
  const score = measureGrounding(GROUNDING_SCENARIOS);
  const latency = measureGroundingLatency(GROUNDING_SCENARIOS, quick ? 3 : 20, quick ? 5 : 20);
  console.log(`Grounding check: ${score.contradictions} answers with a planted contradiction, ${score.consistent} consistent answers, over ${new Set(GROUNDING_SCENARIOS.map((s) => JSON.stringify(s.toolOutputs))).size} sets of tool outputs`);
  console.log(
    formatTable(
      [{ header: 'kind', align: 'left' }, { header: 'planted' }, { header: 'caught' }, { header: 'rate' }, { header: 'at the planted span' }],
      [
        ...score.kinds.map((k) => [k.kind, formatNumber(k.planted), formatNumber(k.caught), pct(k.caught, k.planted), formatNumber(k.caughtAtSpan)]),
        ['all', formatNumber(score.contradictions), formatNumber(score.caught), pct(score.caught, score.contradictions), formatNumber(score.caughtAtSpan)],
      ],
    ),
  );
  console.log(
    `Contradictions caught: ${score.caught} / ${score.contradictions} (${pct(score.caught, score.contradictions)}); reported only under another kind: ${score.caughtAsOtherKind}; ` +
      `other findings beside the planted one: ${score.extraFindings}`,
  );
  console.log(`Consistent answers wrongly flagged: ${score.wronglyFlagged} / ${score.consistent} (${pct(score.wronglyFlagged, score.consistent)})`);
  console.log('');
  console.log(
    formatTable(
      [{ header: 'latency (extract facts + check)', align: 'left' }, { header: 'samples' }, { header: 'p50 µs' }, { header: 'p99 µs' }, { header: 'max µs' }],
      [
        ['one scenario', formatNumber(latency.samples), formatNumber(latency.p50Micros), formatNumber(latency.p99Micros), formatNumber(latency.maxMicros)],
        [`check only: ${formatNumber(latency.longAnswerChars)}-char answer, ${latency.longListOrders} orders`, quick ? '5' : '20', formatNumber(latency.longP50Micros), formatNumber(latency.longP99Micros), ''],
      ],
    ),
  );
  if (options.showMisses) {
    for (const m of score.misses) console.log(`\nmissed: ${m.name}\n  ${m.answer}\n  ${m.findings.join('\n  ') || '(no findings)'}`);
    for (const m of score.falseFlags) console.log(`\nwrongly flagged: ${m.name}\n  ${m.answer}\n  ${m.findings.join('\n  ')}`);
  }
  console.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s on ${cpus().length} CPUs (1-minute load average ${load.toFixed(2)} at start: other processes inflate p99 and max), node ${process.version}`);
  const { misses, falseFlags, ...numbers } = score;
  console.log(`BENCH_JSON ${JSON.stringify({ node: process.version, cpus: cpus().length, loadAverageAtStart: load, grounding: { ...numbers, misses: misses.map((m) => m.name), falseFlags: falseFlags.map((m) => m.name), latency } })}`);
}

if (require.main === module) {
  const { values } = parseArgs({ args: process.argv.slice(2), strict: true, options: { quick: { type: 'boolean', default: false }, misses: { type: 'boolean', default: false } } });
  runGroundingBenchmark({ quick: values.quick === true, showMisses: values.misses === true }).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
