/**
 * What the guardrail pass costs, deterministic detectors only, as the activities run it: the
 * tool-output screen (`screenToolOutput`: normalisation, injection detection, the policy) on 10 KB
 * tool outputs built from the labelled corpus, and the final-answer check (`checkFinalAnswerContent`:
 * PII with the allow-list, grounding against the facts of the session's tool outputs) on 10 KB
 * answers. Prints p50 and p99 per KB. `npx tsx bench/guardrail-pass.ts [--quick]`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { checkFinalAnswerContent, screenToolOutput } from '../activities/guardrail-checks';
import { DEFAULT_GUARDRAIL_POLICY } from '../core/guardrails/policy';
import { percentile } from './percentile';
import { formatTable } from '../evaluation/text-table';

/** Latency of one guardrail checkpoint, per KB of checked text. */
export interface GuardrailPassLatency {
  checkpoint: 'tool_output' | 'final_answer';
  samples: number;
  bytes: number;
  p50UsPerKb: number;
  p99UsPerKb: number;
}

const TARGET_BYTES = 10 * 1024;

function corpusTexts(): string[] {
  const dir = join(__dirname, '..', 'guardrails', 'corpus');
  return ['injection-benign.jsonl', 'injection-attacks.jsonl'].flatMap((file) =>
    readFileSync(join(dir, file), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => (JSON.parse(l) as { text: string }).text),
  );
}

/** 10 KB texts: corpus items concatenated, starting at each item in turn (so attacks land anywhere). */
function tenKilobyteOutputs(texts: readonly string[], count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    let out = '';
    for (let j = i; Buffer.byteLength(out) < TARGET_BYTES; j++) out += `${texts[(j * 7) % texts.length]}\n\n`;
    return out.slice(0, TARGET_BYTES);
  });
}

function time(samples: readonly string[], rounds: number, run: (text: string) => void): number[] {
  for (const text of samples.slice(0, 20)) run(text); // warm-up
  const perKb: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const text of samples) {
      const started = performance.now();
      run(text);
      perKb.push(((performance.now() - started) * 1000) / (Buffer.byteLength(text) / 1024));
    }
  }
  return perKb;
}

/** Measures both checkpoints. */
export function measureGuardrailPass(options: { quick?: boolean } = {}): GuardrailPassLatency[] {
  const outputs = tenKilobyteOutputs(corpusTexts(), options.quick ? 100 : 500);
  const rounds = options.quick ? 1 : 4;
  const tool = time(outputs, rounds, (text) => screenToolOutput(text, 'read_ticket', DEFAULT_GUARDRAIL_POLICY, undefined, 'bench'));
  const orders = Array.from({ length: 40 }, (_, i) => ({ id: `ord_${5000 + i}`, status: ['shipped', 'delivered', 'processing'][i % 3], amountCents: 1000 + i * 137, placedOn: `2026-10-${String(1 + (i % 28)).padStart(2, '0')}` }));
  const toolOutputs = [
    { tool: 'lookup_customer', output: { id: 'cus_ada', name: 'Ada Lovelace', email: 'ada@example.com', plan: 'pro' } },
    { tool: 'list_orders', output: orders.map((o) => ({ ...o, customerId: 'cus_ada' })) },
  ];
  const answers = Array.from({ length: options.quick ? 50 : 200 }, (_, n) => {
    const lines = ['Here is what I found for you, ada@example.com:'];
    for (let i = n; lines.join('\n').length < TARGET_BYTES; i++) {
      const o = orders[i % orders.length]!;
      lines.push(`Order ${o.id} placed on ${o.placedOn} for €${(o.amountCents / 100).toFixed(2)} is ${o.status}; call us on +44 20 7946 0958 with questions.`);
    }
    return lines.join('\n').slice(0, TARGET_BYTES);
  });
  const answer = time(answers, rounds, (text) =>
    checkFinalAnswerContent({ text, policy: DEFAULT_GUARDRAIL_POLICY, subjects: ['cus_ada'], toolOutputs, repairsSoFar: 0 }),
  );
  const row = (checkpoint: GuardrailPassLatency['checkpoint'], perKb: number[]): GuardrailPassLatency => ({
    checkpoint,
    samples: perKb.length,
    bytes: TARGET_BYTES,
    p50UsPerKb: percentile(perKb, 50),
    p99UsPerKb: percentile(perKb, 99),
  });
  return [row('tool_output', tool), row('final_answer', answer)];
}

/** The table of {@link measureGuardrailPass}. */
export function formatGuardrailPass(rows: readonly GuardrailPassLatency[]): string {
  return [
    'Guardrail pass on 10 KB texts (deterministic detectors, one core):',
    formatTable(
      [{ header: 'checkpoint', align: 'left' }, { header: 'samples', align: 'right' }, { header: 'p50 µs/KB', align: 'right' }, { header: 'p99 µs/KB', align: 'right' }, { header: 'p50 ms per 10 KB', align: 'right' }],
      rows.map((r) => [r.checkpoint, String(r.samples), r.p50UsPerKb.toFixed(0), r.p99UsPerKb.toFixed(0), ((r.p50UsPerKb * 10) / 1000).toFixed(2)]),
    ),
  ].join('\n');
}

if (require.main === module) {
  console.log(formatGuardrailPass(measureGuardrailPass({ quick: process.argv.includes('--quick') })));
}
