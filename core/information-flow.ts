import { z } from 'zod';
import { lazySchema } from './lazy-schema';

/**
 * The information-flow policy for effects: where the sensitive arguments of a proposed write call
 * (recipients, account numbers, URLs, amounts, record ids, declared per tool with
 * `defineTool({ sensitive })`) come from, and what happens when one comes only from untrusted
 * content (a tool output that may carry someone else's instructions).
 */
export const InformationFlowPolicySchema = lazySchema(() =>
  z
    .object({
      /**
       * A `write_reversible` or `write_critical` call with a sensitive argument found only in untrusted
       * content (or in no source at all after the session read untrusted content):
       * - `escalate`: the call waits for a person's signed approval, which shows each argument's source;
       * - `block`: the call is not carried out, and the model is told why;
       * - `allow`: it runs as its tier says (the provenance is still shown on a write_critical approval).
       * @default 'escalate'
       */
      untrustedSensitive: z.enum(['escalate', 'block', 'allow']).default('escalate'),
    })
    .strict(),
);

/** The policy as an agent declares it (every field optional). */
export type InformationFlowPolicyInput = z.input<typeof InformationFlowPolicySchema>;
/** The policy with every default filled in. */
export type InformationFlowPolicy = z.output<typeof InformationFlowPolicySchema>;
/** The defaults of {@link InformationFlowPolicySchema}. */
export const DEFAULT_INFORMATION_FLOW_POLICY: Readonly<InformationFlowPolicy> = Object.freeze(InformationFlowPolicySchema.parse({}));

/** Whether a tool's outputs may be trusted as the source of a sensitive argument. @default 'untrusted' */
export type ToolTrust = 'trusted' | 'untrusted';

/**
 * Where an argument's value was found, the most trusted source first: the user's request, the
 * agent's instructions, a trusted tool's output (`tool:<name>`), only an untrusted tool's output
 * (`untrusted:<name>`), or nowhere: `model` (the agent's own value; counted as untrusted once the
 * session has read untrusted content, since an instruction can spell a value so it is not found).
 */
export type ArgumentSource = 'user' | 'instructions' | 'model' | `tool:${string}` | `untrusted:${string}`;

/** Bounds of the provenance check, so no input can make it slow or its history entry large. */
export const INFORMATION_FLOW_LIMITS = Object.freeze({
  /** Sensitive argument values compared per call (array elements count one each). */
  valuesPerCall: 32,
  /** Longest value compared, in characters (a longer one is cut). */
  valueChars: 512,
  /** Tool outputs of the session read as sources (the most recent). */
  outputs: 64,
  /** Characters read of each source text. */
  sourceChars: 262_144,
});

/** One tool output of the session, as a source. */
export interface SourceText {
  tool: string;
  trusted: boolean;
  text: string;
}

/** The sensitive values of a call's validated input, by argument name (bounded). */
export function sensitiveValues(input: Record<string, unknown>, sensitive: readonly string[]): Array<{ arg: string; value: string }> {
  const out: Array<{ arg: string; value: string }> = [];
  for (const arg of sensitive) {
    const raw = input[arg];
    const items = Array.isArray(raw) ? raw : [raw];
    for (const item of items) {
      if (out.length >= INFORMATION_FLOW_LIMITS.valuesPerCall) return out;
      if (item === undefined || item === null || item === '') continue;
      const value = typeof item === 'string' ? item : typeof item === 'number' || typeof item === 'boolean' ? String(item) : JSON.stringify(item);
      out.push({ arg, value: value.slice(0, INFORMATION_FLOW_LIMITS.valueChars) });
    }
  }
  return out;
}

/** Lower case, whitespace collapsed, Unicode compatibility forms folded. */
export function normaliseText(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

const DIGIT_RUN = /\d(?:[\d\s.,\-/]*\d)?/g;
const URL = /\b(?:https?:\/\/)?((?:[a-z0-9-]+\.)+[a-z]{2,})(\/[^\s"'<>)\]]*)?/gi;

/** Digit sequences of a text, separators (spaces, dots, commas, dashes) dropped: `DE89 3704 0044` → `DE8937040044`'s digits. */
function digitRuns(text: string): Set<string> {
  const runs = new Set<string>();
  for (const match of text.matchAll(DIGIT_RUN)) runs.add(match[0].replace(/\D/g, ''));
  return runs;
}

/** Host and path of each URL in a text, lower case, without scheme, `www.`, query or trailing slash. */
function urlKeys(text: string): Set<string> {
  const keys = new Set<string>();
  for (const match of text.matchAll(URL)) keys.add(urlKey(match[1]!, match[2] ?? ''));
  return keys;
}

function urlKey(host: string, path: string): string {
  return `${host.toLowerCase().replace(/^www\./, '')}${path.split(/[?#]/)[0]!.toLowerCase().replace(/\/+$/, '')}`;
}

/** A source text prepared once for every value it is compared with. */
interface PreparedSource {
  label: ArgumentSource;
  text: string;
  digits: Set<string>;
  urls: Set<string>;
}

function prepare(label: ArgumentSource, text: string): PreparedSource {
  const cut = text.slice(0, INFORMATION_FLOW_LIMITS.sourceChars);
  return { label, text: normaliseText(cut), digits: digitRuns(cut), urls: urlKeys(cut) };
}

const WORD = /[a-z0-9]/;

/** Whether `needle` occurs in `hay` as a whole token (no letter or digit right before or after it). */
function containsToken(hay: string, needle: string): boolean {
  if (!needle) return false;
  for (let at = hay.indexOf(needle); at >= 0; at = hay.indexOf(needle, at + 1)) {
    const before = at === 0 ? '' : hay[at - 1]!;
    const after = hay[at + needle.length] ?? '';
    if (!WORD.test(before) && !WORD.test(after)) return true;
  }
  return false;
}

/** Whether a value is found in a source: as text, as the digits of a number, or as a URL's host and path. */
function foundIn(value: string, source: PreparedSource): boolean {
  const text = normaliseText(value);
  if (containsToken(source.text, text)) return true;
  const url = /^(?:https?:\/\/)?((?:[a-z0-9-]+\.)+[a-z]{2,})(\/\S*)?$/i.exec(value.trim());
  if (url) return source.urls.has(urlKey(url[1]!, url[2] ?? ''));
  // A number or an account number: its digits, when the value is mostly digits and separators.
  const digits = value.replace(/\D/g, '');
  if (digits.length > 0 && digits.length * 2 >= value.replace(/[\s.,\-/]/g, '').length) {
    if (source.digits.has(digits)) return true;
    // An amount in minor units (4900) against a decimal amount in the text (49.00), and back.
    if (/^\d+$/.test(value.trim()) && source.digits.has(`${digits}00`)) return true;
  }
  return false;
}

/** What the provenance check decided for one call. */
export interface ArgumentProvenance {
  /** The source of each sensitive argument (for an array: its least trusted element's). */
  provenance: Record<string, ArgumentSource>;
  /** The arguments whose value comes only from untrusted content, in order. */
  untrusted: string[];
}

/**
 * Where each sensitive value comes from, the most trusted source that contains it winning: the
 * user's request, the agent's instructions, a trusted tool's output, an untrusted tool's output.
 * A value found nowhere is the model's own (`model`), counted as untrusted when the session has
 * read any untrusted output. Pure and bounded (see {@link INFORMATION_FLOW_LIMITS}).
 */
export function traceProvenance(input: {
  values: ReadonlyArray<{ arg: string; value: string }>;
  user: string;
  instructions: string;
  outputs: readonly SourceText[];
}): ArgumentProvenance {
  const outputs = input.outputs.slice(-INFORMATION_FLOW_LIMITS.outputs);
  const sources = [
    prepare('user', input.user),
    prepare('instructions', input.instructions),
    ...outputs.filter((o) => o.trusted).map((o) => prepare(`tool:${o.tool}`, o.text)),
    ...outputs.filter((o) => !o.trusted).map((o) => prepare(`untrusted:${o.tool}`, o.text)),
  ];
  const readUntrusted = outputs.some((o) => !o.trusted);
  const provenance: Record<string, ArgumentSource> = {};
  const untrusted: string[] = [];
  for (const { arg, value } of input.values.slice(0, INFORMATION_FLOW_LIMITS.valuesPerCall)) {
    const source = sources.find((s) => foundIn(value, s))?.label ?? 'model';
    const isUntrusted = source.startsWith('untrusted:') || (source === 'model' && readUntrusted);
    if (isUntrusted) {
      if (!untrusted.includes(arg)) untrusted.push(arg);
      provenance[arg] = source;
    } else if (!untrusted.includes(arg) && !provenance[arg]) {
      provenance[arg] = source;
    }
  }
  return { provenance, untrusted };
}
