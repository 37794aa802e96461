/**
 * National identity numbers of 15 schemes (US SSN, UK NINO and NHS number, DE Steuer-ID, FR NIR,
 * ES DNI/NIE, IT codice fiscale, NL BSN, BR CPF, PL PESEL, IN Aadhaar and PAN, CA SIN, AU TFN,
 * JP My Number), each found by its shape, checked with its own check digits or structure, and
 * weighed by the words around it: a scheme whose check is too weak alone needs a naming word. Pure.
 */
import { after, before, digitsOf, hasReferenceContext, lastChars, luhnValid, QUANTITY_AFTER, type PiiCandidate } from './pii-candidate';


/** One national numbering scheme: its pattern, its check, and the words that name it. */
interface NationalIdScheme {
  name: string;
  pattern: RegExp;
  /** Whether the match is a valid number of the scheme (checksum, structure). */
  valid: (match: RegExpMatchArray) => boolean;
  /** Words that name the number, looked for shortly before (or just after) it. */
  context: RegExp;
  /** Score without context words, or 0 when the scheme needs them (too weak a check alone). */
  bareScore: (match: RegExpMatchArray) => number;
}

const VERHOEFF_D = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6], [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
  [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1], [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
  [8, 7, 6, 5, 9, 3, 2, 1, 0, 4], [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const VERHOEFF_P = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4], [5, 8, 0, 3, 7, 9, 6, 1, 4, 2], [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
  [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1], [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

function verhoeffValid(digits: string): boolean {
  let c = 0;
  for (let i = 0; i < digits.length; i++) {
    const digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    c = VERHOEFF_D[c]![VERHOEFF_P[i % 8]![digit]!]!;
  }
  return c === 0;
}

/** Remainder modulo 97 of a decimal string of any length. */
function mod97(digits: string): number {
  let r = 0;
  for (let i = 0; i < digits.length; i++) r = (r * 10 + digits.charCodeAt(i) - 48) % 97;
  return r;
}

/** US SSN: area 001–899 but not 666, group 01–99, serial 0001–9999. */
function ssnValid(digits: string): boolean {
  const area = Number(digits.slice(0, 3));
  return area !== 0 && area !== 666 && area < 900 && digits.slice(3, 5) !== '00' && digits.slice(5) !== '0000';
}

/** French NIR: sex, year, month, department (2A/2B for Corsica), commune, order, key = 97 − (number mod 97). */
function nirValid(m: RegExpMatchArray): boolean {
  const compact = m[0].replace(/[ .]/g, '').toUpperCase();
  const month = Number(compact.slice(3, 5));
  if (month === 0 || (month > 12 && month < 20) || (month > 42 && month < 50)) return false;
  const body = compact.slice(0, 13).replace('2A', '19').replace('2B', '18');
  if (!/^\d{13}$/.test(body)) return false;
  return 97 - mod97(body) === Number(compact.slice(13));
}

/** German Steuer-ID: 11 digits, no leading 0, one digit twice or thrice in the first ten, ISO 7064 MOD 11,10 check digit. */
function steuerIdValid(digits: string): boolean {
  if (digits.length !== 11 || digits[0] === '0') return false;
  const counts = new Array<number>(10).fill(0);
  for (let i = 0; i < 10; i++) counts[digits.charCodeAt(i) - 48]!++;
  const repeated = counts.filter((c) => c > 1);
  if (repeated.length !== 1 || repeated[0]! > 3) return false;
  let product = 10;
  for (let i = 0; i < 10; i++) {
    let sum = (digits.charCodeAt(i) - 48 + product) % 10;
    if (sum === 0) sum = 10;
    product = (sum * 2) % 11;
  }
  const check = (11 - product) % 10;
  return check === digits.charCodeAt(10) - 48;
}

const DNI_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';

/** Spanish DNI (8 digits + letter) or NIE (X/Y/Z + 7 digits + letter): the letter is number mod 23. */
function dniValid(m: RegExpMatchArray): boolean {
  const compact = m[0].replace(/[ -]/g, '').toUpperCase();
  const prefix = 'XYZ'.indexOf(compact[0]!);
  const number = Number((prefix >= 0 ? String(prefix) + compact.slice(1, 8) : compact.slice(0, 8)));
  return DNI_LETTERS[number % 23] === compact[8];
}

/** Values of the characters in odd positions of a codice fiscale, `0`–`9` then `A`–`Z`. */
const CF_ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];

/** Italian codice fiscale: the 16th character checks the first 15. */
function codiceFiscaleValid(m: RegExpMatchArray): boolean {
  const cf = m[0].toUpperCase();
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const code = cf.charCodeAt(i);
    const index = code <= 57 ? code - 48 : code - 65 + 10;
    sum += i % 2 === 0 ? CF_ODD[index]! : code <= 57 ? code - 48 : code - 65;
  }
  return String.fromCharCode(65 + (sum % 26)) === cf[15];
}

/** Dutch BSN: 9 digits passing the 11-proof (9a + 8b + … + 2h − i ≡ 0 mod 11). */
function bsnValid(digits: string): boolean {
  if (digits.length !== 9 || /^0+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += (digits.charCodeAt(i) - 48) * (9 - i);
  sum -= digits.charCodeAt(8) - 48;
  return sum % 11 === 0;
}

/** Brazilian CPF: two mod-11 check digits; not all one digit. */
function cpfValid(d: string): boolean {
  if (d.length !== 11 || /^(\d)\1{10}$/.test(d)) return false;
  const check = (len: number) => {
    let t = 0;
    for (let i = 0; i < len; i++) t += (d.charCodeAt(i) - 48) * (len + 1 - i);
    const r = t % 11;
    return r < 2 ? 0 : 11 - r;
  };
  return check(9) === d.charCodeAt(9) - 48 && check(10) === d.charCodeAt(10) - 48;
}

/** UK NHS number: 10 digits, weights 10…2, mod 11. */
function nhsValid(d: string): boolean {
  let t = 0;
  for (let i = 0; i < 9; i++) t += (d.charCodeAt(i) - 48) * (10 - i);
  const c = 11 - (t % 11);
  return c !== 10 && (c === 11 ? 0 : c) === d.charCodeAt(9) - 48;
}

/** Polish PESEL: a date of birth (month offset by century) and a weighted mod-10 check digit. */
function peselValid(d: string): boolean {
  const month = Number(d.slice(2, 4)) % 20;
  const day = Number(d.slice(4, 6));
  if (month < 1 || month > 12 || day < 1 || day > 31) return false;
  const w = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3];
  let t = 0;
  for (let i = 0; i < 10; i++) t += (d.charCodeAt(i) - 48) * w[i]!;
  return (10 - (t % 10)) % 10 === d.charCodeAt(10) - 48;
}

/** Japanese My Number: 11 digits and a mod-11 check digit. */
function myNumberValid(d: string): boolean {
  let t = 0;
  for (let n = 1; n <= 11; n++) t += (d.charCodeAt(11 - n) - 48) * (n <= 6 ? n + 1 : n - 5);
  const r = t % 11;
  return (r <= 1 ? 0 : 11 - r) === d.charCodeAt(11) - 48;
}

/** Australian tax file number: 9 digits, weighted sum divisible by 11. */
function tfnValid(d: string): boolean {
  const w = [1, 4, 3, 7, 5, 8, 6, 9, 10];
  let t = 0;
  for (let i = 0; i < 9; i++) t += (d.charCodeAt(i) - 48) * w[i]!;
  return t % 11 === 0 && d[0] !== '0';
}

/** UK National Insurance number prefixes that are never issued. */
const NINO_BAD_PREFIXES = new Set(['BG', 'GB', 'NK', 'KN', 'TN', 'NT', 'ZZ']);

const NATIONAL_ID_SCHEMES: readonly NationalIdScheme[] = [
  {
    name: 'IT codice fiscale',
    pattern: /(?<![\w])(?:[A-Z]{6}[\dLMNPQRSTUV]{2}[ABCDEHLMPRST][\dLMNPQRSTUV]{2}[A-Z][\dLMNPQRSTUV]{3}[A-Z]|[a-z]{6}[\dlmnpqrstuv]{2}[abcdehlmprst][\dlmnpqrstuv]{2}[a-z][\dlmnpqrstuv]{3}[a-z])(?![\w])/g,
    valid: codiceFiscaleValid,
    context: /codice fiscale|\bc\.?f\.?\b|tax code|fiscal code/,
    bareScore: (m) => (/^[A-Z]/.test(m[0]) ? 0.95 : 0.85),
  },
  {
    name: 'FR NIR',
    pattern: /(?<![\w.-]|\d )[1-478][ .]?\d{2}[ .]?\d{2}[ .]?(?:\d{2}|2[AB])[ .]?\d{3}[ .]?\d{3}[ .]?\d{2}(?![\w]|[ .,-]\d)/g,
    valid: nirValid,
    context: /s[ée]curit[ée] sociale|\bs[ée]cu\b|\bnir\b|\binsee\b|social security/,
    bareScore: () => 0.9,
  },
  {
    name: 'UK NINO',
    pattern: /(?<![\w])[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z](?: ?\d{2} ?\d{2} ?\d{2} ?| \d{6} )[A-D](?![\w])/g,
    valid: (m) => !NINO_BAD_PREFIXES.has(m[0].slice(0, 2)),
    context: /national insurance|\bni\b|\bnino\b/,
    bareScore: () => 0.9,
  },
  {
    name: 'ES DNI/NIE',
    pattern: /(?<![\w-])(?:\d{8}|[XYZ][ -]?\d{7})[ -]?[A-HJ-NP-TV-Z](?![\w])/g,
    valid: dniValid,
    context: /\b(?:dni|nie|nif|d\.n\.i\.?|documento|identidad|extranjero)\b/,
    bareScore: (m) => (/^[XYZ]/.test(m[0]) ? 0.9 : 0.85),
  },
  {
    name: 'US SSN',
    pattern: /(?<![\w.+-]|\d )\d{3}([- ]?)\d{2}\1\d{4}(?![\w]|[ .,-]\d)/g,
    valid: (m) => ssnValid(digitsOf(m[0])),
    context: /\bssn\b|social security|\bsocial\b(?! insurance)|\bss#|soc\.? ?sec/,
    bareScore: (m) => (m[1] === '-' ? 0.75 : m[1] === ' ' ? 0.6 : 0),
  },
  {
    name: 'BR CPF',
    pattern: /(?<![\w.+-]|\d )\d{3}(\.?)\d{3}\1\d{3}-?\d{2}(?![\w]|[ .,-]\d)/g,
    valid: (m) => cpfValid(digitsOf(m[0])),
    context: /\bcpf\b|cadastro de pessoas/,
    bareScore: (m) => (m[1] === '.' && m[0].includes('-') ? 0.9 : 0),
  },
  {
    name: 'UK NHS number',
    pattern: /(?<![\w.+-]|\d )\d{3}([ -]?)\d{3}\1\d{4}(?![\w]|[ .,-]\d)/g,
    valid: (m) => nhsValid(digitsOf(m[0])),
    context: /\bnhs\b|chi number|health service/,
    bareScore: () => 0,
  },
  {
    name: 'PL PESEL',
    pattern: /(?<![\w.+-]|\d )\d{11}(?![\w]|[ .,-]\d)/g,
    valid: (m) => peselValid(m[0]),
    context: /\bpesel\b/,
    bareScore: () => 0,
  },
  {
    name: 'IN PAN',
    pattern: /(?<![\w])(?:[A-Z]{3}[ABCFGHJLPT][A-Z]\d{4}[A-Z]|[a-z]{3}[abcfghjlpt][a-z]\d{4}[a-z])(?![\w])/g,
    valid: () => true,
    context: /\bpan\b|permanent account/,
    bareScore: (m) => (/^[A-Z]/.test(m[0]) ? 0.8 : 0.6),
  },
  {
    name: 'JP My Number',
    pattern: /(?<![\w.+-]|\d )\d{4}([ -]?)\d{4}\1\d{4}(?![\w]|[ .,-]\d)/g,
    valid: (m) => myNumberValid(digitsOf(m[0])),
    context: /my ?number|マイナンバー|個人番号|individual number/,
    bareScore: () => 0,
  },
  {
    name: 'AU TFN',
    pattern: /(?<![\w.+-]|\d )\d{3}([ -]?)\d{3}\1\d{3}(?![\w]|[ .,-]\d)/g,
    valid: (m) => tfnValid(digitsOf(m[0])),
    context: /\btfn\b|tax file/,
    bareScore: () => 0,
  },
  {
    name: 'IN Aadhaar',
    pattern: /(?<![\w.+-]|\d )[2-9]\d{3}([ -]?)\d{4}\1\d{4}(?![\w]|[ .,-]\d)/g,
    valid: (m) => verhoeffValid(digitsOf(m[0])),
    context: /aadhaa?r|\buid\b|uidai|आधार/,
    bareScore: (m) => (m[1] === '' ? 0 : 0.65),
  },
  {
    name: 'DE Steuer-ID',
    pattern: /(?<![\w.+-]|\d )[1-9]\d([ ]?)\d{3}\1\d{3}\1\d{3}(?![\w]|[ .,-]\d)/g,
    valid: (m) => steuerIdValid(digitsOf(m[0])),
    context: /steuer-?id|steuer-?identifikations|identifikationsnummer|\bidnr\b|\bid-nr|\btin\b|tax id|tax identification|steuernummer/,
    bareScore: (m) => (m[1] === ' ' ? 0.6 : 0.55),
  },
  {
    name: 'NL BSN',
    pattern: /(?<![\w.+-]|\d )\d{4}([. ]?)\d{2}\1\d{3}(?![\w]|[ .,-]\d)|(?<![\w.+-]|\d )\d{3} \d{3} \d{3}(?![\w]|[ .,-]\d)/g,
    valid: (m) => bsnValid(digitsOf(m[0])),
    context: /\bbsn\b|burgerservicenummer|sofinummer|sofi-nummer|citizen service number/,
    bareScore: (m) => (m[1] === '.' ? 0.6 : 0),
  },
  {
    name: 'CA SIN',
    pattern: /(?<![\w.+-]|\d )\d{3}([ -]?)\d{3}\1\d{3}(?![\w]|[ .,-]\d)/g,
    valid: (m) => m[0][0] !== '8' && luhnValid(digitsOf(m[0])),
    context: /\bsin\b|social insurance|assurance sociale|\bnas\b/,
    bareScore: () => 0,
  },
];

/** Words that say a number identifies a person, whatever the scheme. */
const IDENTITY_CONTEXT = /identity|identification|identité|identität|identidad|identità|identiteit|\bid card|\bid number|national id|personal number|citizen/;

export function scanNationalIds(text: string, push: (c: PiiCandidate) => void): void {
  const found: Array<PiiCandidate & { named: boolean }> = [];
  for (const scheme of NATIONAL_ID_SCHEMES) {
    for (const m of text.matchAll(scheme.pattern)) {
      const start = m.index!;
      const end = start + m[0].length;
      const windowBefore = before(text, start, 48);
      const named = scheme.context.test(windowBefore) || scheme.context.test(after(text, end, 16));
      // A naming word close before the value: then even an invalid value of the shape is no phone number.
      const namedClose = scheme.context.test(windowBefore.slice(-24));
      const valid = scheme.valid(m);
      if (QUANTITY_AFTER.test(after(text, end, 12))) continue;
      let score: number;
      if (!valid) {
        // Named but invalid: not an id, and not a phone number either; claims its text unreported.
        if (!namedClose) continue;
        score = 0;
      } else if (named) score = 0.97;
      else if (IDENTITY_CONTEXT.test(windowBefore) && !hasReferenceContext(text, start)) score = Math.max(0.85, scheme.bareScore(m));
      else {
        score = scheme.bareScore(m);
        if (score === 0 || (score < 0.9 && hasReferenceContext(text, start))) continue;
      }
      found.push({
        kind: 'national_id',
        start,
        end,
        score,
        named,
        value: m[0].replace(/[^0-9A-Za-z]/g, '').toUpperCase(),
        message: `national id (${scheme.name}, ends ${lastChars(m[0], 2)}${valid ? '' : ', invalid check'})`,
      });
    }
  }
  // A value named as one scheme and invalid in it is not taken for another scheme its digits happen to pass.
  const namedInvalid = found.filter((c) => c.score === 0);
  for (const { named, ...c } of found) {
    if (!named && namedInvalid.some((n) => n.start < c.end && c.start < n.end)) continue;
    push(c);
  }
}
