/**
 * Street addresses in the word orders of many countries, in any case, on one line or several:
 *
 * - a street core: a house number before the name and its street type (`350 Fifth Avenue`,
 *   `12 rue de la Paix`, `221 w 43rd st`), a street type before the name and the number after it
 *   (`calle de alcalá 48`, `via roma 10`, `rua augusta 100`, `ul. Marszałkowska 84/92`), a name
 *   ending in a street type (`Hauptstraße 5`, `kerkstraat 12-3`), a Japanese block number
 *   (`1-2-3 shibuya, shibuya-ku`, `東京都渋谷区渋谷1-2-3`);
 * - or a locality with its postal code in one of the formats of 16 countries, after segments one
 *   of which carries a house number (`am markt 3, 04109 leipzig`);
 * - extended over the units and localities around it (`flat 3, …`, `…, 3º izq`, `…\nSão Paulo - SP,
 *   01310-200`).
 *
 * Street-type vocabularies in English, French, German, Dutch, Spanish, Italian, Portuguese, Polish,
 * Swedish, Danish, Norwegian and Turkish. Every pattern has bounded quantifiers and every extension a bounded window: linear. Pure.
 */
import { hasReferenceContext, type PiiCandidate } from './pii-candidate';

const L = String.raw`\p{L}\p{M}`;
/** A word of a street name: letters (with apostrophes, hyphens and inner dots), or an ordinal or number (`43rd`, `5`). */
const WORD = String.raw`(?:[${L}]{1,4}\.|[${L}][${L}'’-]{0,30}|\d{1,3}(?:st|nd|rd|th|er|e|º|ª|°)?)`;
/** Words that never belong to a street name: the name stops before them. */
const STOP = String.raw`(?:the|a|an|and|or|of|to|in|on|at|for|with|by|from|is|are|was|were|be|my|your|our|their|his|her|its|this|that|these|those|than|per|into|over|down|up|out|off|via|we|you|he|she|they|it|i|all|any|each|some|many|more|most|days?|weeks?|months?|years?|hours?|minutes?|times?|items?|units?|people|users|percent)(?![${L}])`;
const NAME_WORD = String.raw`(?!${STOP})${WORD}`;
/** A word of an English or French street name: letters, or an ordinal (`43rd`), never a bare number. */
const EN_NAME_WORD = String.raw`(?!${STOP})(?:[${L}]{1,4}\.|[${L}][${L}'’-]{0,30}|\d{1,3}(?:st|nd|rd|th|er|e))`;
const NOT_BEFORE = String.raw`(?<![${L}\p{N}])`;
const NOT_AFTER = String.raw`(?![${L}\p{N}])`;
/** A house number: `12`, `12a`, `12 b`, `3-5`, `84/92`, `18/b`, `94 bis`. */
const HOUSE_NUMBER = String.raw`\d{1,5}(?:[ ]?[a-z](?![${L}]))?(?:[ ]?[/-][ ]?(?:\d{1,4}[a-z]?|[a-z]{1,2})(?![${L}\p{N}]))?(?:[ ](?:bis|ter)(?![${L}]))?(?![-/.:]\d)`;

/** English street types, after the name (also used in CA, AU, IN). */
const EN_TYPES = String.raw`(?:street|st|avenue|ave|av|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|place|pl|terrace|ter|way|close|crescent|cres|square|sq|parkway|pkwy|highway|hwy|gardens|grove|mews|row|walk|circle|cir|trail|trl|park|marg|nagar|cross|main|parade|pde|esplanade|quay|wharf|alley|plaza|heights|hts|vale|rise|green|broadway|expressway|freeway|pike|turnpike)\.?`;
/** French street types, before the name. */
const FR_TYPES = String.raw`(?:rue|r\.|avenue|av\.?|boulevard|bd|bld|place|pl\.|allée|all\.|impasse|imp\.|chemin|ch\.|quai|route|rte|cours|square|passage|faubourg|fg|rond-point|voie|sentier|esplanade|promenade|parvis|cité|villa|hameau|montée|rampe)`;
/**
 * Street types before the name with the number after it (ES, MX, IT, PT, BR, PL, NL, FR-CH).
 * The first group is unambiguous; the second also reads as ordinary words and needs a capital
 * letter or a postal code nearby.
 */
const TYPE_FIRST_SURE = String.raw`(?:calle|c\/|avenida|avda\.?|plaza|pza\.|paseo|p\.º|pº|camino|carrera|ronda|travesía|travesia|rambla|glorieta|gran vía|calzada|calz\.|callejón|privada|prolongación|viale|v\.le|piazza|p\.zza|p\.za|piazzale|p\.le|corso|c\.so|vicolo|lungomare|lungotevere|contrada|rua|travessa|alameda|praça|praca|estrada|rodovia|ul\.|ulica|aleja|aleje|plac|osiedle|os\.|laan|straat|rue|chemin|allée|avenue|boulevard)`;
const TYPE_FIRST_WEAK = String.raw`(?:via|av\.|avd\.|al\.|pl\.|r\.|largo|strada|borgo|weg|plein|kade)`;

const NUMBER_FIRST = new RegExp(
  `(?<![${L}\\p{N}:./-])\\d{1,5}[a-z]?(?:[-/]\\d{1,5}[a-z]?)?(?:[ ](?:bis|ter))?,?[ \\t]{1,3}` +
    `(?:(?:${FR_TYPES})[ \\t]+(?:${EN_NAME_WORD})(?:[ \\t-]{1,2}(?:${EN_NAME_WORD})){0,4}` +
    `|(?:(?:n|s|e|w|ne|nw|se|sw|north|south|east|west)\\.?[ \\t]+)?(?:${EN_NAME_WORD}[ \\t]+){1,4}${EN_TYPES}(?:[ \\t]+(?:n|s|e|w|ne|nw|se|sw|north|south|east|west|o|ouest|est)\\.?)?)${NOT_AFTER}`,
  'giu',
);

const TYPE_FIRST = new RegExp(
  `${NOT_BEFORE}(${TYPE_FIRST_SURE}|${TYPE_FIRST_WEAK})[ \\t]{1,3}((?:${NAME_WORD}[ \\t]{1,2}){0,5}?${NAME_WORD}),?[ \\t]{1,3}(?:n[º°o.]\\s?)?${HOUSE_NUMBER}${NOT_AFTER}`,
  'giu',
);
const TYPE_FIRST_WEAK_ALONE = new RegExp(`^${TYPE_FIRST_WEAK}$`, 'iu');

/** German and Dutch names ending in a street type, followed by the number (Hauptstraße 5, kerkstraat 12-3, Berliner Str. 12). */
const COMPOUND_ENDING = new RegExp(
  `(?<=[${L}-])(straße|strasse|str\\.|straat|allee|platz|gasse|damm|ufer|chaussee|pfad|steig|laan|plein|gracht|kade|singel|dijk|steeg|weg|ring|markt|graben|gatan|gata|vägen|väg|vej|gade|veien|gate|torget|torg|plass)[ \\t]{1,3}${HOUSE_NUMBER}${NOT_AFTER}`,
  'giu',
);
/** A separate street type word after an adjective (Berliner Straße, Frankfurter Allee), found by the type word. */
const ADJECTIVE_TYPE = new RegExp(`(?<=[${L}](?:er|sche|scher)[ \\t])(?:straße|strasse|str\\.|allee|platz|ring|damm|weg|chaussee|tor)[ \\t]{1,3}${HOUSE_NUMBER}${NOT_AFTER}`, 'giu');
const LETTER_OR_HYPHEN = /[\p{L}\p{M}-]/u;
const LETTER_OR_DIGIT = /[\p{L}\p{M}\p{N}]/u;

/** Where the word that ends at `end` starts, across up to three hyphens (`Karl-Liebknecht-`); -1 when a digit is glued to it. */
function wordStart(text: string, end: number): number {
  let start = end;
  while (start > 0 && end - start < 120 && LETTER_OR_HYPHEN.test(text[start - 1]!)) start--;
  return start > 0 && LETTER_OR_DIGIT.test(text[start - 1]!) ? -1 : start;
}

/** A capitalised name, then a street type word, then the number (`Atatürk Caddesi 45`, `Karl Johans gate 22`, `Vesterbrogade 3`). */
const NAME_TYPE_NUMBER = new RegExp(
  `${NOT_BEFORE}(?:\\p{Lu}[${L}'’-]{1,30}[ \\t]){1,3}(?:[Cc]addesi|[Cc]ad\\.|[Ss]okak|[Ss]okağı|[Ss]k\\.|[Bb]ulvarı|gate|gata|[Vv]ej|[Gg]ade|[Vv]äg|[Vv]ägen)[ \\t]{1,3}(?:[Nn]o[:.]?[ \\t]?)?${HOUSE_NUMBER}${NOT_AFTER}`,
  'gu',
);

/** Japanese block numbers: `1-2-3 shibuya, shibuya-ku`, `roppongi 6-10-1, minato-ku`. */
const JP_ROMAN = new RegExp(
  `${NOT_BEFORE}(?:\\d{1,2}-\\d{1,2}(?:-\\d{1,3})?[ \\t]+[${L}]{2,20}|[${L}]{2,20}[ \\t]+\\d{1,2}-\\d{1,2}(?:-\\d{1,3})?),[ \\t]*[${L}]{2,20}-(?:ku|shi|cho|machi|gun|ken)${NOT_AFTER}`,
  'giu',
);
const COMPOUND_HINT = /(?:straße|strasse|str\.|straat|allee|platz|gasse|damm|ufer|chaussee|pfad|steig|laan|plein|gracht|kade|singel|dijk|steeg|weg|ring|markt|graben|tor|gatan|gata|vägen|väg|vej|gade|veien|gate|torget|torg|plass)[ \t]{1,3}\d/i;
const JP_ROMAN_HINT = /-(?:ku|shi|cho|machi|gun|ken)(?![\p{L}])/iu;

/** Japanese script: an optional 〒 postcode, prefecture, city, ward, district and block number. */
const JP_SCRIPT = /(?:〒\s?\d{3}-?\d{4}\s{0,2})?[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}ー]{2,24}\d{1,4}(?:(?:丁目|番地|番|号|[-−－])\d{1,4}){1,3}(?:号)?/gu;
const JP_SCRIPT_PLACE = /[都道府県市区町村郡]/u;

/** Segments that say which flat, floor or part of a building: after or before the street. */
const UNIT = new RegExp(
  `^(?:(?:apt|apartment|apto|apartamento|app|appt|appartement|suite|ste|unit|flat|floor|fl|level|lvl|piso|planta|esc|escalera|int|interno|scala|étage|etage|bât|bat|bâtiment|lok|lokal|m|casa|sala|bloco|bloque|torre|tower|house|plot|no|nr|door|puerta|stock|og|eg|dg|room|box|po box|pmb|col|colonia|bairro|barrio|quartier|district|sector|phase|block|wing)\\.?[ \\t]*#?[ \\t]*[\\w-]{0,6}|#[ \\t]?\\d{1,5}[a-z]?|\\d{1,3}[º°ª](?:[ \\t]?(?:andar|piso|izq|izda|dcha|dcha\\.|der|[a-z]))?(?:[ \\t]+(?:izq|izda|dcha|dch|der|centro|[a-z]))?|[a-z]-\\d{1,4}|\\d{1,4}[a-z]?)(?![${L}\\p{N}])`,
  'iu',
);
/** A building or estate name before the street: `Sea View Apartments`, `Résidence les Pins`, `Wessex House`. */
const BUILDING = new RegExp(`^(?:résidence|residencia|residenza|edificio|edifício|immeuble|gebäude)[ \\t].{1,40}$|^.{1,40}[ \\t](?:apartments|apts|house|court|tower|towers|building|bldg|residency|complex|heights|mansions|plaza|centre|center|chambers)$`, 'iu');

const CITY = String.raw`[${L}][${L}'’.-]{0,30}(?:[ \t]{1,2}[${L}][${L}'’.-]{0,30}){0,3}`;
/** Localities with a postal code, at the start of a segment: the formats of US, UK, CA, AU, IN, JP, BR, PT, PL, NL, DE, FR, ES, IT, MX and others. */
const LOCALITY = new RegExp(
  '^(?:' +
    [
      // 5-digit postcode first (DE, FR, ES, IT, MX, FI…), optional province: 10115 Berlin, 20121 Milano (MI), 06000 cdmx
      String.raw`(?:[a-z]{1,2}-)?\d{5}[ \t]{1,2}${CITY}(?:[ \t]+\(?[a-z]{2}\)?)?`,
      // NL 1017 GC Amsterdam; BE/CH/AT/DK/NO 1010 Wien
      String.raw`\d{4}[ \t]?[a-z]{2}[ \t]{1,2}${CITY}`,
      String.raw`\d{4}[ \t]{1,2}${CITY}`,
      // SE, CZ, SK, GR 111 51 Stockholm
      String.raw`\d{3}[ \t]\d{2}[ \t]{1,2}${CITY}`,
      // PL 00-514 Warszawa; PT 4050-262 Porto
      String.raw`\d{2}-\d{3}[ \t]{1,2}${CITY}`,
      String.raw`\d{4}-\d{3}[ \t]{1,2}${CITY}`,
      // BR CEP; JP 〒150-0002 (alone or after the city); US ZIP(+4), after a state
      String.raw`(?:${CITY}[ \t]*[-–][ \t]*[a-z]{2}[ \t,]{1,3})?\d{5}-\d{3}`,
      String.raw`(?:${CITY}[ \t]{1,2})?〒?\d{3}-\d{4}`,
      String.raw`(?:${CITY},?[ \t]{1,2})?[a-z]{2}\.?[ \t]{1,2}\d{5}(?:-\d{4})?`,
      // UK postcode, CA postal code (after city and province), AU state and postcode
      String.raw`(?:${CITY}[ \t]{1,2})?[a-z]{1,2}\d[a-z\d]?[ \t]?\d[a-z]{2}`,
      String.raw`(?:${CITY},?[ \t]{1,2})?(?:[a-z]{2}[ \t]{1,2})?[a-z]\d[a-z][ \t]?\d[a-z]\d`,
      String.raw`(?:${CITY}[ \t]{1,2})?(?:nsw|vic|qld|wa|sa|tas|nt|act)[ \t]{1,2}\d{4}`,
      // IN PIN: Mumbai 400020, Haryana 122001, MX state abbreviation: jal. 44130
      String.raw`${CITY}[ \t]*[-–]?[ \t]*\d{3}[ \t]?\d{3}`,
      String.raw`(?:${CITY},?[ \t]{1,2})?[a-z]{2,4}\.[ \t]{1,2}\d{5}`,
    ].join('|') +
    `)(?![${L}\\p{N}])`,
  'iu',
);
/** Something shaped like a postal code of {@link LOCALITY}: segments without one are not tried. */
const POSTCODE_HINT = /(?<![\p{L}\p{N}])(?:\d{4,6}|\d{2,5}-\d{3,4}|\d{3} \d{2,3}|\d{4} ?[a-z]{2}|[a-z]{1,2}\d[a-z\d]? ?\d[a-z]{2}|[a-z]\d[a-z] ?\d[a-z]\d)(?![\p{L}\p{N}])/iu;

/** A segment of a few words and no digits: a neighbourhood, city or state between the street and the postcode. */
const PLACE_WORDS = new RegExp(`^${CITY}(?:[ \\t]*[-–][ \\t]*[a-z]{2,4}\\.?)?$`, 'iu');
/** A house number in a segment: a number standing alone (`Sector 15`, `House 27`, `6-10-1`). */
const SEGMENT_NUMBER = new RegExp(`${NOT_BEFORE}(?:\\d{1,5}[a-z]?(?:[-/]\\d{1,5})*|\\d{1,3}(?:st|nd|rd|th))${NOT_AFTER}`, 'iu');
/** Words before the first words of an address that are not part of it. */
const LEAD_STOP = new RegExp(
  `^(?:to|at|is|in|on|the|a|an|from|of|and|or|address|adres|adresse|anschrift|dirección|direccion|indirizzo|endereço|endereco|morada|lautet|ist|est|es|é|è|wohnt|lives|vive|mora|woont|abita|habite|naar|op|à|au|en|em|na|no|da|do|w|z|ship|send|deliver|delivery|mail|post|move|moved|living|located|here|there|new|old|updated|changed)$`,
  'iu',
);

/** Lower-case words that may follow a street in a sentence; any other makes the street a word of a name (`… brand cables`). */
const FOLLOWS_ADDRESS = /^(?:in|at|and|or|to|for|on|with|is|was|has|from|near|next|by|apt|apartment|suite|unit|flat|floor|no|nr|where|which|that|but|as|if|since|until|today|tomorrow|yesterday|now|then|before|after|please|instead|too|also|only|again|et|und|y|e|en|à|au|dans|chez|bei|im|am|mit|para|por|a|o|na|em|per|con|di|da|del|dal|we|i|you|he|she|they|it|our|your|his|her|their|will|would|should|can|could|have|had|be|been|are|were|so|because|when|while|here|there)$/u;

/** Words that make a "postcode and city" a quantity or a reference instead (`12500 units sold`, `account 123456`). */
const NOT_A_LOCALITY = new RegExp(
  `(?<![${L}])(?:units|items|people|pieces|users|orders|times|sold|remain|left|and|or|the|to|of|in|on|for|with|is|are|was|were|account|order|invoice|ticket|case|ref|code|passcode|pin|id|no|number|version|total|kg|km|eur|usd|meeting|timestamp)(?![${L}])`,
  'iu',
);

/** The longest address reported as one span; longer runs of streets are reported street by street. */
const MAX_ADDRESS_CHARS = 400;

/** The longest window read after a street for its units and locality; the most segments taken. */
const TAIL_WINDOW = 200;
const TAIL_SEGMENTS = 5;
/** Separators between the segments of an address: a comma, a line break, ` - `. */
const SEPARATOR = /^(?:[ \t]*,[ \t]*\n?[ \t]*|[ \t]*\n[ \t]*|[ \t]+[-–][ \t]+|[ \t]*\/[ \t]*)/;

interface Span {
  start: number;
  end: number;
  style: string;
  /** Whether a locality with a postal code was taken in. */
  postcode: boolean;
}

const SEGMENT_END = /[,\n;|]| [-–/] /g;

/** The segments after `end`: each with its start and end, as far as the window and the count allow. */
function segmentsAfter(text: string, end: number): Array<{ start: number; end: number; text: string }> {
  const window = text.slice(end, end + TAIL_WINDOW);
  const out: Array<{ start: number; end: number; text: string }> = [];
  let at = 0;
  while (out.length < TAIL_SEGMENTS) {
    const sep = SEPARATOR.exec(window.slice(at, at + 12));
    if (!sep) break;
    const segStart = at + sep[0].length;
    SEGMENT_END.lastIndex = segStart;
    const next = SEGMENT_END.exec(window);
    const segEnd = next ? next.index : window.length;
    if (segEnd === segStart) break;
    out.push({ start: end + segStart, end: end + segEnd, text: window.slice(segStart, segEnd) });
    at = segEnd;
  }
  return out;
}

/** Extends a street span over what follows it: units, then neighbourhoods and a locality with a postal code. */
function extendForward(text: string, span: Span): void {
  for (const seg of segmentsAfter(text, span.end)) {
    const locality = POSTCODE_HINT.test(seg.text) ? LOCALITY.exec(seg.text) : null;
    if (locality) {
      span.end = seg.start + locality[0].replace(/[ \t.]+$/, '').length;
      span.postcode = true;
      return;
    }
    const unit = UNIT.exec(seg.text);
    if (unit && unit[0].length >= seg.text.trimEnd().length - 1) {
      span.end = seg.start + seg.text.trimEnd().length;
      continue;
    }
    // A neighbourhood, city or state: taken in only if a postal code follows.
    if (PLACE_WORDS.test(seg.text.trim()) && seg.text.length <= 40) continue;
    return;
  }
}

const UNIT_WORD = new RegExp(`${NOT_BEFORE}(?:flat|apt|apartment|unit|suite|level|floor|house|plot|no\\.|building|block|tower|résidence|residencia|appt|bât|[a-z]-\\d)`, 'iu');

/** Extends a street span backwards over a unit or building segment before it (`flat 3, `, `Sea View Apartments, `). */
function extendBackward(text: string, span: Span): void {
  for (let step = 0; step < 2; step++) {
    const windowStart = Math.max(0, span.start - 60);
    const head = text.slice(windowStart, span.start);
    const sep = /(?:,[ \t]*|[ \t]*\n[ \t]*)$/.exec(head);
    if (!sep) return;
    const previous = head.slice(0, sep.index);
    const cut = Math.max(...[',', '\n', ':', ';', '(', '|', '.'].map((c) => previous.lastIndexOf(c)));
    if (cut === -1 && windowStart > 0) return;
    let segStart = windowStart + cut + 1;
    let segment = text.slice(segStart, windowStart + sep.index);
    const unitAt = segment.search(UNIT_WORD);
    if (unitAt > 0) {
      segStart += unitAt;
      segment = segment.slice(unitAt);
    }
    segStart += segment.length - segment.trimStart().length;
    segment = segment.trim();
    if (segment === '' || segment.length > 45) return;
    const unit = UNIT.exec(segment);
    const isUnit = unit !== null && (unit[0].length >= segment.length - 1 || UNIT_WORD.exec(segment)?.index === 0);
    if (!isUnit && !BUILDING.test(segment)) return;
    span.start = segStart;
  }
}

/** The start of the address inside the segment that holds its house number: up to three words before the number. */
function leadStart(segment: string, numberAt: number): number {
  let start = numberAt;
  for (let words = 0; words < 3; words++) {
    const head = segment.slice(0, start).replace(/[ \t]+$/, '');
    const word = /[\p{L}\p{M}'’.-]+$/u.exec(head);
    if (!word || LEAD_STOP.test(word[0]) || /[:;]$/.test(head)) break;
    start = word.index;
  }
  return start;
}

/** Addresses found from a locality with a postal code back to the segment with the house number. */
function localityAnchored(text: string, push: (s: Span) => void): void {
  // Segments of the whole text; bounded work per segment.
  const bounds: Array<{ start: number; end: number }> = [];
  const splitter = /[,\n;|]|[ \t][-–/][ \t]/g;
  let at = 0;
  for (const m of text.matchAll(splitter)) {
    bounds.push({ start: at, end: m.index });
    at = m.index + m[0].length;
  }
  bounds.push({ start: at, end: text.length });
  for (let i = 1; i < bounds.length; i++) {
    const seg = bounds[i]!;
    const raw = text.slice(seg.start, seg.end);
    const lead = raw.length - raw.trimStart().length;
    const head = raw.slice(lead, lead + 80);
    if (!POSTCODE_HINT.test(head)) continue;
    const locality = LOCALITY.exec(head);
    if (!locality || NOT_A_LOCALITY.test(locality[0]) || hasReferenceContext(locality[0], locality[0].search(/\d/)) || /^(?:19|20)\d\d[ \t](?![ \t]?[a-z]{2}[ \t])/i.test(locality[0])) continue;
    // Walk back over at most three segments to one with a house number and letters.
    for (let j = i - 1; j >= Math.max(0, i - 4); j--) {
      const prev = bounds[j]!;
      const prevText = text.slice(prev.start, prev.end);
      if (prevText.length > 60) break;
      const number = SEGMENT_NUMBER.exec(prevText);
      const numbers = prevText.match(/\d+/g)?.length ?? 0;
      const unitOnly = UNIT.exec(prevText.trim());
      const isUnit = unitOnly !== null && /\d/.test(unitOnly[0]) && unitOnly[0].length >= prevText.trim().length - 1;
      if (number && numbers <= 2 && (isUnit || /[\p{L}]{2}/u.test(prevText)) && !/[:]\s*$/.test(prevText) && !hasReferenceContext(prevText, number.index)) {
        const start = prev.start + leadStart(prevText, number.index);
        push({ start, end: seg.start + lead + locality[0].replace(/[ \t.]+$/, '').length, style: 'locality', postcode: true });
        break;
      }
      if (!PLACE_WORDS.test(prevText.trim()) && !UNIT.test(prevText.trim())) break;
    }
  }
}

export function scanStreetAddresses(text: string, push: (c: PiiCandidate) => void): void {
  const spans: Span[] = [];
  const add = (s: Span) => spans.push(s);
  for (const m of text.matchAll(NUMBER_FIRST)) {
    const span: Span = { start: m.index, end: m.index + m[0].length, style: 'number first', postcode: false };
    // `7 Park Avenue brand cables`, `15 Main Street shops`: a street name used as a word, not an address.
    const next = /^[ \t]+(\p{Ll}[\p{L}]*)/u.exec(text.slice(span.end, span.end + 30));
    if (next && !FOLLOWS_ADDRESS.test(next[1]!)) continue;
    add(span);
  }
  for (const m of text.matchAll(TYPE_FIRST)) {
    const span: Span = { start: m.index, end: m.index + m[0].length, style: 'type first', postcode: false };
    if (TYPE_FIRST_WEAK_ALONE.test(m[1]!)) {
      // `via`, `av.`, `al.`: capitalised with a capitalised name, or followed by a postal code.
      const capitalised = /^\p{Lu}/u.test(m[1]!) && /(?:^|[ \t])\p{Lu}/u.test(m[2]!);
      extendForward(text, span);
      if (!capitalised && !span.postcode) continue;
    }
    add(span);
  }
  // The costlier patterns run only where what they must end with is present.
  const compound = COMPOUND_HINT.test(text);
  for (const m of compound ? text.matchAll(COMPOUND_ENDING) : []) {
    const start = wordStart(text, m.index);
    if (start === -1) continue;
    const name = text.slice(start, m.index);
    const ending = m[1]!.toLowerCase();
    // The ending alone is no street (`weg 5`), nor an English word in -ring (`during 5`, `Spring 2024`).
    if (name.replace(/-/g, '').length < 2 || (ending === 'ring' && (name.length < 4 || /^\p{Ll}/u.test(name)))) continue;
    add({ start, end: m.index + m[0].length, style: 'compound', postcode: false });
  }
  for (const m of compound || /caddesi|cad\.|sokak|sokağı|sk\.|bulvarı/iu.test(text) ? text.matchAll(NAME_TYPE_NUMBER) : []) add({ start: m.index, end: m.index + m[0].length, style: 'name and type', postcode: false });
  for (const m of compound ? text.matchAll(ADJECTIVE_TYPE) : []) {
    const start = wordStart(text, m.index - 1);
    if (start === -1 || m.index - 1 - start < 4 || text.slice(start, m.index - 1).includes('-')) continue;
    add({ start, end: m.index + m[0].length, style: 'compound', postcode: false });
  }
  for (const m of JP_ROMAN_HINT.test(text) ? text.matchAll(JP_ROMAN) : []) add({ start: m.index, end: m.index + m[0].length, style: 'JP block', postcode: false });
  for (const m of text.matchAll(JP_SCRIPT)) {
    if (!JP_SCRIPT_PLACE.test(m[0])) continue;
    add({ start: m.index, end: m.index + m[0].length, style: 'JP', postcode: m[0].includes('〒') });
  }
  for (const s of spans) {
    extendForward(text, s);
    extendBackward(text, s);
  }
  localityAnchored(text, add);
  // Merge spans that overlap or touch (only separators between them).
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Span[] = [];
  for (const s of spans) {
    const last = merged[merged.length - 1];
    const touching = last !== undefined && s.start - last.end <= 3 && /^[\s,]*$/.test(text.slice(last.end, s.start));
    // Overlapping spans are one address; touching ones only when one of them is a bare locality.
    if (last && (s.start < last.end || (touching && (s.style === 'locality' || last.style === 'locality'))) && s.end - last.start <= MAX_ADDRESS_CHARS) {
      last.end = Math.max(last.end, s.end);
      last.postcode ||= s.postcode;
      if (last.style === 'locality') last.style = s.style;
    } else merged.push({ ...s });
  }
  for (const s of merged) {
    // A full stop after the last word ends the sentence, not the address.
    while (s.end > s.start && /[.\s,]/.test(text[s.end - 1]!)) s.end--;
    push({
      kind: 'street_address',
      start: s.start,
      end: s.end,
      score: s.postcode ? 0.9 : s.style === 'locality' ? 0.75 : 0.8,
      message: `street address (${s.style}${s.postcode ? ', with postcode' : ''})`,
    });
  }
}
