/**
 * Writes the second prompt-injection holdout (`*.jsonl` next to this file) from the hand-written
 * texts in `sources/`, by the same rules as the first (`guardrails/holdout/assemble.ts`): buried
 * instruction `i` in host `i mod 12`, jailbreak `j` in host `(5j + 3) mod 12`, even entries between
 * two paragraphs, odd ones after a sentence of the middle paragraph; encoding markers applied; the
 * hosts themselves added to the benign file. Nothing is invented here.
 *
 * Written after the first holdout had been looked at, before any of the work it measures: see
 * README.md. `npx tsx guardrails/holdout-2/assemble.ts [--check]`. For measuring only, never for
 * training or calibration.
 */
import { encodeMarkers, HOLDOUT_FILES, loadSamples, placeInMiddle, readEntries, writeOrCheck, type HoldoutFamily, type HoldoutSample } from '../holdout/assemble';

/** Where the second holdout's files are. */
export const HOLDOUT_2_DIR = __dirname;

/** The file of each family, and of the benign samples: the same names as the first holdout's. */
export const HOLDOUT_2_FILES: Record<HoldoutFamily | 'benign', string> = HOLDOUT_FILES;

/** The hand-written benign sources, in order. */
const BENIGN_SOURCES = ['benign-security-blogs.txt', 'benign-emails.txt', 'benign-howto-legal-hr.txt', 'benign-chat-code-tickets.txt', 'benign-mixed.txt'];

/** Builds every file of the second holdout: file name → JSON lines. */
export function assembleHoldout2(): Map<string, string> {
  const read = (file: string): ReturnType<typeof readEntries> => readEntries(file, 'doc', HOLDOUT_2_DIR);
  const hosts = read('hosts.txt');
  const out = new Map<string, HoldoutSample[]>();
  const add = (family: HoldoutFamily | 'benign', sample: HoldoutSample): void => {
    const file = HOLDOUT_2_FILES[family];
    out.set(file, [...(out.get(file) ?? []), sample]);
  };
  const id = (prefix: string, k: number): string => `${prefix}-${String(k + 1).padStart(3, '0')}`;
  read('buried.txt').forEach((e, i) => {
    const host = hosts[i % hosts.length]!;
    add('buried', { id: id('v2b', i), text: placeInMiddle(host.text, e.text, i % 2 === 0), kind: 'tool_output', label: 'attack', family: 'buried', carrier: host.carrier });
  });
  read('jailbreaks.txt').forEach((e, j) => {
    const host = hosts[(5 * j + 3) % hosts.length]!;
    add('embedded_jailbreak', { id: id('v2j', j), text: placeInMiddle(host.text, e.text, j % 2 === 0), kind: 'tool_output', label: 'attack', family: 'embedded_jailbreak', carrier: host.carrier });
  });
  const direct: [HoldoutFamily, string, string][] = [
    ['multilingual_encoded', 'multilingual.txt', 'v2m'],
    ['roleplay', 'roleplay.txt', 'v2r'],
    ['exfiltration', 'exfiltration.txt', 'v2x'],
  ];
  for (const [family, file, prefix] of direct) {
    read(file).forEach((e, k) => add(family, { id: id(prefix, k), text: encodeMarkers(e.text), kind: 'tool_output', label: 'attack', family, carrier: e.carrier }));
  }
  let n = 0;
  for (const file of BENIGN_SOURCES) for (const e of read(file)) add('benign', { id: id('v2n', n++), text: e.text, kind: 'tool_output', label: 'benign', family: 'none', carrier: e.carrier });
  for (const host of hosts) add('benign', { id: id('v2n', n++), text: host.text, kind: 'tool_output', label: 'benign', family: 'none', carrier: host.carrier });
  return new Map([...out].map(([file, samples]) => [file, samples.map((s) => JSON.stringify(s)).join('\n') + '\n']));
}

/** Reads the second holdout's files: every sample, attacks and benign. */
export function loadHoldout2(): HoldoutSample[] {
  return loadSamples(HOLDOUT_2_DIR, Object.values(HOLDOUT_2_FILES));
}

if (require.main === module) writeOrCheck('holdout-2', HOLDOUT_2_DIR, assembleHoldout2(), 'guardrails/holdout-2/assemble.ts');
