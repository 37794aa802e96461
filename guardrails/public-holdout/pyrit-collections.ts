/**
 * Jailbreak collections published in PyRIT (Microsoft's Python Risk Identification Toolkit, MIT,
 * `pyrit==1.1.0` on PyPI): the named templates from jailbreakchat and elsewhere, the in-the-wild
 * prompts of Shen et al. (TrustAIRLab) as PyRIT curated them, and the "Pliny" collection. They are
 * read from the PyPI wheel at evaluation time (fetched once into `.keel/cache/pypi/`, checked by
 * SHA-256) and never shipped in this repository or used for training: they are the public
 * holdout of `run.ts`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { unpackedWheel } from '../public-corpora/pypi-wheel';

const PYRIT = { project: 'pyrit', file: 'pyrit-1.1.0-py3-none-any.whl', sha256: '84581036bace7ff2aa92712e1e3f472a3a3bccc77567d5fbe642540c0ba20b0a' };

/** One jailbreak template of a collection. */
export interface PublicJailbreak {
  collection: 'jailbreakchat' | 'in_the_wild' | 'pliny' | 'garak';
  name: string;
  /** The template with its `{{ prompt }}` slot (if any) left in place. */
  template: string;
}

/** The templates of the three collections, in a fixed order. */
export async function pyritJailbreaks(): Promise<PublicJailbreak[]> {
  const dir = await unpackedWheel(PYRIT);
  const root = join(dir, 'pyrit', 'datasets', 'jailbreak', 'templates');
  const out: PublicJailbreak[] = [];
  const walk = (folder: string): string[] =>
    readdirSync(folder)
      .sort()
      .flatMap((f) => (statSync(join(folder, f)).isDirectory() ? walk(join(folder, f)) : f.endsWith('.yaml') ? [join(folder, f)] : []));
  for (const file of walk(root)) {
    const rel = relative(root, file);
    const collection = rel.startsWith('in_the_wild') ? 'in_the_wild' : rel.startsWith('pliny') ? 'pliny' : 'jailbreakchat';
    const doc = parse(readFileSync(file, 'utf8')) as { value?: unknown; name?: unknown };
    if (typeof doc?.value !== 'string' || doc.value.trim().length < 40) continue;
    out.push({ collection, name: rel, template: doc.value.trim() });
  }
  return out;
}
