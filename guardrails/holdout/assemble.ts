/**
 * Writes the prompt-injection holdout (`*.jsonl` next to this file) from the hand-written texts in
 * `sources/`. Nothing here invents text: every attack and every benign sample was written by hand
 * in `sources/*.txt` (entries separated by a line `%%`, an optional first line `@carrier NAME`).
 * This script only
 * - places each buried instruction (`buried.txt`) and each jailbreak (`jailbreaks.txt`) in the middle
 *   of one of the hand-written long documents (`hosts.txt`): instruction `i` in host `i mod 12` (they
 *   were written in that order, each for its host), jailbreak `j` in host `(5j + 3) mod 12`; even
 *   entries between two paragraphs, odd entries after a sentence inside the middle paragraph;
 * - applies the encodings named by markers `{{b64:…}}`, `{{hex:…}}`, `{{rot13:…}}`, `{{leet:…}}`,
 *   `{{homoglyph:…}}`, `{{zw:…}}`, `{{reverse:…}}` in `multilingual.txt` (fixed rules, no randomness);
 * - adds the hosts themselves, without any insertion, to the benign file.
 *
 * `npx tsx guardrails/holdout/assemble.ts [--check]`. The holdout is for measuring only: no training
 * or threshold is fitted on it (see README.md).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One line of a holdout file. */
export interface HoldoutSample {
  id: string;
  text: string;
  kind: 'tool_output';
  label: 'attack' | 'benign';
  /** The attack family (file), or `none`. */
  family: HoldoutFamily | 'none';
  carrier: string;
}

/** The attack families of the holdout, one file each. */
export const HOLDOUT_FAMILIES = ['buried', 'embedded_jailbreak', 'multilingual_encoded', 'roleplay', 'exfiltration'] as const;
export type HoldoutFamily = (typeof HOLDOUT_FAMILIES)[number];

/** Where the holdout files are. */
export const HOLDOUT_DIR = __dirname;

/** The file of each family, and of the benign samples. */
export const HOLDOUT_FILES: Record<HoldoutFamily | 'benign', string> = {
  buried: 'buried-instructions.jsonl',
  embedded_jailbreak: 'embedded-jailbreaks.jsonl',
  multilingual_encoded: 'multilingual-encoded.jsonl',
  roleplay: 'roleplay.jsonl',
  exfiltration: 'exfiltration-links.jsonl',
  benign: 'benign-hard-negatives.jsonl',
};

/** One hand-written entry of a `sources/*.txt` file. */
export interface HoldoutEntry {
  carrier: string;
  text: string;
}

/** The entries of `sources/<file>` under `dir` (this holdout's folder unless told). */
export function readEntries(file: string, defaultCarrier: string, dir: string = HOLDOUT_DIR): HoldoutEntry[] {
  const raw = readFileSync(join(dir, 'sources', file), 'utf8');
  return raw
    .split(/^%%$/m)
    .map((block) => block.replace(/^\n+|\n+$/g, ''))
    .filter((block) => block.length > 0)
    .map((block) => {
      const m = /^@carrier (\S+)\n/.exec(block);
      return m ? { carrier: m[1]!, text: block.slice(m[0].length) } : { carrier: defaultCarrier, text: block };
    });
}

/** `insert` in the middle of `host`: between paragraphs (`between`) or after a sentence of the middle paragraph. */
export function placeInMiddle(host: string, insert: string, between: boolean): string {
  const paragraphs = host.split('\n\n');
  const mid = Math.floor(paragraphs.length / 2);
  if (between) return [...paragraphs.slice(0, mid), insert, ...paragraphs.slice(mid)].join('\n\n');
  const p = paragraphs[mid]!;
  const cut = p.search(/[.!?:] /);
  const withInsert = cut < 0 ? `${p} ${insert}` : `${p.slice(0, cut + 1)} ${insert} ${p.slice(cut + 2)}`;
  return [...paragraphs.slice(0, mid), withInsert, ...paragraphs.slice(mid + 1)].join('\n\n');
}

const HOMOGLYPHS: Record<string, string> = { a: '\u0430', e: '\u0435', o: '\u043e', p: '\u0440', c: '\u0441', x: '\u0445', i: '\u0456', y: '\u0443', s: '\u0455' };
const LEET: Record<string, string> = { a: '4', e: '3', i: '1', o: '0', s: '5', t: '7' };

function encode(kind: string, text: string): string {
  switch (kind) {
    case 'b64':
      return Buffer.from(text, 'utf8').toString('base64');
    case 'hex':
      return Buffer.from(text, 'utf8').toString('hex');
    case 'rot13':
      return text.replace(/[a-z]/gi, (c) => {
        const base = c <= 'Z' ? 65 : 97;
        return String.fromCharCode(((c.charCodeAt(0) - base + 13) % 26) + base);
      });
    case 'leet':
      return [...text].map((c) => LEET[c.toLowerCase()] ?? c).join('');
    case 'homoglyph':
      return [...text].map((c) => HOMOGLYPHS[c] ?? c).join('');
    case 'zw':
      return text
        .split(' ')
        .map((w) => [...w].join('\u200b'))
        .join(' ');
    case 'reverse':
      return [...text].reverse().join('');
    default:
      throw new Error(`unknown encoding marker ${kind}`);
  }
}

/** Applies the encoding markers `{{b64:…}}`, `{{rot13:…}}`… of a source text. */
export const encodeMarkers = (text: string): string => text.replace(/\{\{(b64|hex|rot13|leet|homoglyph|zw|reverse):([^}]*)\}\}/g, (_, kind: string, inner: string) => encode(kind, inner));

/** Builds every holdout file: file name → JSON lines. */
export function assembleHoldout(): Map<string, string> {
  const hosts = readEntries('hosts.txt', 'doc');
  const out = new Map<string, HoldoutSample[]>();
  const add = (family: HoldoutFamily | 'benign', sample: HoldoutSample): void => {
    const file = HOLDOUT_FILES[family];
    out.set(file, [...(out.get(file) ?? []), sample]);
  };
  readEntries('buried.txt', 'doc').forEach((e, i) => {
    const host = hosts[i % hosts.length]!;
    add('buried', { id: `hb-${String(i + 1).padStart(3, '0')}`, text: placeInMiddle(host.text, e.text, i % 2 === 0), kind: 'tool_output', label: 'attack', family: 'buried', carrier: host.carrier });
  });
  readEntries('jailbreaks.txt', 'doc').forEach((e, j) => {
    const host = hosts[(5 * j + 3) % hosts.length]!;
    add('embedded_jailbreak', { id: `hj-${String(j + 1).padStart(3, '0')}`, text: placeInMiddle(host.text, e.text, j % 2 === 0), kind: 'tool_output', label: 'attack', family: 'embedded_jailbreak', carrier: host.carrier });
  });
  const direct: [HoldoutFamily, string, string][] = [
    ['multilingual_encoded', 'multilingual.txt', 'hm'],
    ['roleplay', 'roleplay.txt', 'hr'],
    ['exfiltration', 'exfiltration.txt', 'hx'],
  ];
  for (const [family, file, prefix] of direct) {
    readEntries(file, 'doc').forEach((e, k) => add(family, { id: `${prefix}-${String(k + 1).padStart(3, '0')}`, text: encodeMarkers(e.text), kind: 'tool_output', label: 'attack', family, carrier: e.carrier }));
  }
  let n = 0;
  for (const file of ['benign-1.txt', 'benign-2.txt', 'benign-3.txt', 'benign-4.txt', 'benign-5.txt']) {
    for (const e of readEntries(file, 'doc')) add('benign', { id: `hn-${String(++n).padStart(3, '0')}`, text: e.text, kind: 'tool_output', label: 'benign', family: 'none', carrier: e.carrier });
  }
  for (const host of hosts) add('benign', { id: `hn-${String(++n).padStart(3, '0')}`, text: host.text, kind: 'tool_output', label: 'benign', family: 'none', carrier: host.carrier });
  return new Map([...out].map(([file, samples]) => [file, samples.map((s) => JSON.stringify(s)).join('\n') + '\n']));
}

/** Reads the holdout files: every sample, attacks and benign. */
export function loadHoldout(): HoldoutSample[] {
  return loadSamples(HOLDOUT_DIR, Object.values(HOLDOUT_FILES));
}

/** Every sample of some JSON-lines files of a holdout folder. */
export function loadSamples(dir: string, files: readonly string[]): HoldoutSample[] {
  return files.flatMap((file) =>
    readFileSync(join(dir, file), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as HoldoutSample),
  );
}

/**
 * The command line of an assemble script: writes the assembled files into `dir`, or with `--check`
 * exits 1 naming those that differ from what is there.
 */
export function writeOrCheck(name: string, dir: string, files: Map<string, string>, script: string): void {
  if (process.argv.includes('--check')) {
    const stale = [...files].filter(([file, content]) => {
      try {
        return readFileSync(join(dir, file), 'utf8') !== content;
      } catch {
        return true;
      }
    });
    if (stale.length > 0) {
      console.error(`${name} files out of date: ${stale.map(([f]) => f).join(', ')} (run npx tsx ${script})`);
      process.exit(1);
    }
    console.log(`${name} files up to date`);
    return;
  }
  for (const [file, content] of files) writeFileSync(join(dir, file), content);
  for (const [file, content] of files) console.log(`${file}: ${content.split('\n').filter(Boolean).length} samples`);
}

if (require.main === module) writeOrCheck('holdout', HOLDOUT_DIR, assembleHoldout(), 'guardrails/holdout/assemble.ts');
