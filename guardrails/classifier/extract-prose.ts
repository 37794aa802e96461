/**
 * Writes `benign-prose.txt`: ordinary English prose taken from Keel's own documentation and code
 * comments (MIT, written for Keel), one sentence a line, as benign training text for the classifier
 * (and hosts for buried instructions) that is not drawn from a small phrase pool. A snapshot: the
 * training reads the file, not the sources, so editing the README does not change the weights.
 *
 * `npx tsx guardrails/classifier/extract-prose.ts` (run by hand when a new snapshot is wanted, then
 * retrain). Leaves out everything under `guardrails/`, `test/`, `bench/` and `core/guardrails/`
 * (they quote attacks) and any sentence that talks about injection, jailbreaks or instructions to
 * ignore, so the benign text holds no attack.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const SOURCE_DIRS = ['README.md', 'docs', 'scripted-model', 'core', 'activities', 'workflows', 'store', 'client', 'tools', 'workers', 'evaluation', 'metrics', 'alerts', 'devserver', 'tooling', 'inbox', 'agents'];
const EXCLUDED = /(^|\/)(guardrails|test|bench|node_modules|dist)(\/|$)/;
const ATTACK_TALK = /inject|jailbreak|ignore|disregard|forget|system prompt|exfiltrat|instruction|override|pretend|role-?play|attacker|malicious|DAN\b/i;

function files(path: string): string[] {
  const full = join(ROOT, path);
  if (EXCLUDED.test(relative(ROOT, full))) return [];
  const st = statSync(full, { throwIfNoEntry: false });
  if (!st) return [];
  if (st.isFile()) return /\.(md|ts)$/.test(path) ? [path] : [];
  return readdirSync(full)
    .sort()
    .flatMap((name) => files(join(path, name)));
}

/** Prose of a file: Markdown lines that are not code or tables; comment lines of TypeScript. */
function prose(path: string): string {
  const text = readFileSync(join(ROOT, path), 'utf8');
  if (path.endsWith('.md')) {
    let fenced = false;
    return text
      .split('\n')
      .filter((line) => {
        if (line.startsWith('```')) fenced = !fenced;
        return !fenced && !line.startsWith('|') && !line.startsWith('    ');
      })
      .join('\n');
  }
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('*') || l.startsWith('//'))
    .map((l) => l.replace(/^(\/\*\*|\*\/|\*|\/\/)\s?/, '').replace(/@\w+/g, ''))
    .join('\n');
}

function main(): void {
  const seen = new Set<string>();
  const sentences: string[] = [];
  for (const path of SOURCE_DIRS.flatMap(files)) {
    const flat = prose(path).replace(/\s*\n\s*(?=[a-z(`])/g, ' ');
    for (const raw of flat.split(/(?<=[.!?])\s+|\n+/)) {
      const s = raw.replace(/[#>*_]+/g, ' ').replace(/\s+/g, ' ').trim();
      if (s.length < 30 || s.length > 300 || !/^[A-Z`"(]/.test(s) || ATTACK_TALK.test(s) || seen.has(s)) continue;
      seen.add(s);
      sentences.push(s);
    }
  }
  writeFileSync(join(__dirname, 'benign-prose.txt'), sentences.join('\n') + '\n');
  console.log(`benign-prose.txt: ${sentences.length} sentences`);
}

if (require.main === module) main();
