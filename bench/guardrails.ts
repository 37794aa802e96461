/**
 * The guardrail benchmarks in one run (pure computation, no server): prompt-injection recall and
 * false positives on the labelled corpus and the hand-written holdout, PII recall per type on
 * generated records, grounding contradictions caught and consistent answers wrongly flagged, the
 * cost of the whole deterministic pass per KB, p50/p99 of screening many 10 KB outputs, and of
 * screening long tool outputs per MB (1, 4 and 16 MB). Each part prints its own tables.
 */
import { formatGuardrailLinear, formatTenKilobytes, measureGuardrailLinear, measureTenKilobytes } from './guardrail-linear';
import { formatGuardrailPass, measureGuardrailPass } from './guardrail-pass';
import { runGroundingBenchmark } from './guardrail-grounding';
import { runInjectionBenchmark } from './guardrail-injection';
import { runPiiBenchmark } from './guardrail-pii';

/** Runs every guardrail benchmark; `quick` uses smaller samples. */
export async function runGuardrailBenchmarks(options: { quick?: boolean } = {}): Promise<void> {
  const quick = options.quick ?? false;
  await runInjectionBenchmark({ quick });
  console.log('');
  await runPiiBenchmark({ quick });
  console.log('');
  await runGroundingBenchmark({ quick });
  console.log('');
  console.log(formatGuardrailPass(measureGuardrailPass({ quick })));
  console.log('');
  console.log(formatTenKilobytes(measureTenKilobytes({ quick })));
  console.log('');
  console.log(formatGuardrailLinear(await measureGuardrailLinear({ quick })));
}
