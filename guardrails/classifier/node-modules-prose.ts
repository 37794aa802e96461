/**
 * Benign training text from the documentation that ships with Keel's dependencies: the README of
 * every package in `node_modules` under a permissive licence (MIT, ISC, Apache-2.0, BSD, 0BSD), cut
 * into sentences, one list per README (so a training document keeps its sentences' context). READMEs
 * are full of imperative sentences ("run this command", "set the option", "ignore the cache"), the
 * hard negatives of a prompt-injection classifier.
 *
 * Only the list of packages is shipped (`node-modules-prose.json`: name, version, licence, SHA-256 of
 * the README), never their text: training reads the READMEs from `node_modules` (present after
 * `npm ci`) and fails, naming the package, when one is missing or differs from the list, so the
 * training inputs (and `train.ts --check`) stay reproducible.
 *
 * `npx tsx guardrails/classifier/node-modules-prose.ts` writes the list from the installed packages
 * (run by hand when a new snapshot is wanted, then retrain).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const NODE_MODULES = join(ROOT, 'node_modules');
/** The shipped list. */
export const NODE_MODULES_PROSE_LIST = join(__dirname, 'node-modules-prose.json');
const PERMISSIVE = new Set(['MIT', 'ISC', 'Apache-2.0', 'BSD-2-Clause', 'BSD-3-Clause', '0BSD']);
/** Sentences about attacks on models stay out, so the benign text holds no attack. */
const ATTACK_TALK = /inject|jailbreak|system prompt|exfiltrat|(ignore|disregard|forget) (all |any |the |your )?(previous|prior|above|earlier) (instructions|prompts|rules)|\bDAN\b/i;

/** One package of the list. */
export interface ProsePackage {
  /** Folder under `node_modules` (an aliased install's folder differs from its name). */
  dir: string;
  name: string;
  version: string;
  license: string;
  readme: string;
  sha256: string;
}

/** The list file. */
export interface ProsePackageList {
  note: string;
  packages: ProsePackage[];
}

class NodeModulesProseError extends Error {
  override readonly name = 'NodeModulesProseError';
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** Installed packages (top level and scoped; `@types` left out: boilerplate) with a README under a permissive licence. */
function installedPackages(): ProsePackage[] {
  const dirs: string[] = [];
  for (const name of readdirSync(NODE_MODULES).sort()) {
    if (name.startsWith('.')) continue;
    if (name.startsWith('@')) {
      if (name === '@types') continue;
      for (const inner of readdirSync(join(NODE_MODULES, name)).sort()) dirs.push(`${name}/${inner}`);
    } else dirs.push(name);
  }
  const out: ProsePackage[] = [];
  for (const dir of dirs) {
    const pj = join(NODE_MODULES, dir, 'package.json');
    if (!existsSync(pj)) continue;
    const p = JSON.parse(readFileSync(pj, 'utf8')) as { name?: string; version?: string; license?: unknown };
    if (typeof p.license !== 'string' || !PERMISSIVE.has(p.license) || !p.name || !p.version) continue;
    const readme = readdirSync(join(NODE_MODULES, dir)).find((f) => /^readme\.(md|markdown)$/i.test(f));
    if (!readme) continue;
    out.push({ dir, name: p.name, version: p.version, license: p.license, readme, sha256: sha256(readFileSync(join(NODE_MODULES, dir, readme), 'utf8')) });
  }
  return out;
}

/** Prose sentences of a Markdown README: no code blocks, tables, HTML, badges or link targets. */
export function readmeSentences(markdown: string): string[] {
  let fenced = false;
  const lines = markdown
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .split('\n')
    .filter((line) => {
      if (/^\s*(```|~~~)/.test(line)) {
        fenced = !fenced;
        return false;
      }
      return !fenced && !/^\s*\|/.test(line) && !/^ {4}|^\t/.test(line) && !/^\s*[[!]?\[!\[/.test(line);
    })
    .join('\n')
    .replace(/!\[[^\]]*\]\([^)]*\)/g, ' ')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\[[^\]]*\]/g, '$1')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s*\n\s*(?=[a-z(`])/g, ' ');
  const out: string[] = [];
  for (const raw of lines.split(/(?<=[.!?])\s+|\n+/)) {
    const s = raw.replace(/^[\s#>*_-]+|[*_]{2,}/g, '').replace(/\s+/g, ' ').trim();
    if (s.length < 25 || s.length > 300 || !/^[A-Z`"(]/.test(s) || ATTACK_TALK.test(s)) continue;
    const letters = s.replace(/[^A-Za-z ]/g, '').length;
    if (letters < 0.75 * s.length || /[{};]|=>|\$\(|https?:/.test(s)) continue;
    out.push(s);
  }
  return out;
}

/** The READMEs of the shipped list, read from `node_modules` and checked against it: one list of sentences per package, duplicates across packages dropped. */
export function nodeModulesProse(): { documents: string[][]; listSha256: string } {
  const listText = readFileSync(NODE_MODULES_PROSE_LIST, 'utf8');
  const list = JSON.parse(listText) as ProsePackageList;
  const seen = new Set<string>();
  const documents: string[][] = [];
  for (const p of list.packages) {
    const file = join(NODE_MODULES, p.dir, p.readme);
    if (!existsSync(file)) throw new NodeModulesProseError(`training text: ${p.name}@${p.version} is not installed (node_modules/${p.dir}/${p.readme}); run npm ci`);
    const text = readFileSync(file, 'utf8');
    if (sha256(text) !== p.sha256) throw new NodeModulesProseError(`training text: node_modules/${p.dir}/${p.readme} differs from the list (${p.name}@${p.version}); reinstall with npm ci or rewrite the list and retrain`);
    const sentences = readmeSentences(text).filter((s) => !seen.has(s));
    for (const s of sentences) seen.add(s);
    if (sentences.length > 0) documents.push(sentences);
  }
  return { documents, listSha256: sha256(listText) };
}

function main(): void {
  const packages = installedPackages();
  const list: ProsePackageList = {
    note: 'Packages whose README (read from node_modules at training time, never shipped) is benign training text for the injection classifier; permissive licences only. Written by node-modules-prose.ts.',
    packages,
  };
  writeFileSync(NODE_MODULES_PROSE_LIST, `${JSON.stringify(list, null, 1)}\n`);
  const { documents } = nodeModulesProse();
  console.log(`${packages.length} packages, ${documents.length} with prose, ${documents.reduce((n, d) => n + d.length, 0)} sentences`);
}

if (require.main === module) main();
