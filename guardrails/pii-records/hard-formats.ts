/**
 * Hard formats of PII in generated answers, in 15 locales: phone numbers without a word naming
 * them (international and national, spaces, dots, dashes, slashes, parentheses, extensions),
 * street addresses multi-line and lower-case in each country's word order with its postal code,
 * cards with any separators, national ids of more schemes (CPF, PESEL, PAN, TFN, My Number, NHS,
 * SIN…) with valid check digits, and hard negatives in the same texts (order, tracking, meeting and
 * tax numbers, dates, times, prices, quantities, EAN codes, IMEIs, versions).
 *
 * Two splits with disjoint vocabularies (street and city names, neighbourhoods, name words) and
 * different seeds: tune on `train`, check on `validation`. Deterministic; in memory.
 */
import type { PiiKind } from '../../core/guardrails/pii';
import { SeededRandom } from '../../core/seeded-random';
import { codiceFiscaleCheck, luhnCheckDigit, mod97, steuerIdCheckDigit, verhoeffCheckDigit, type PiiLabel, type PiiText } from './generate';

/** The locales of the hard formats. */
export const HARD_FORMAT_LOCALES = ['US', 'UK', 'CA', 'AU', 'IN', 'DE', 'FR', 'ES', 'IT', 'NL', 'PT', 'BR', 'MX', 'PL', 'JP'] as const;
export type HardFormatLocale = (typeof HARD_FORMAT_LOCALES)[number];

/** Which half of the vocabularies to draw from. */
export type HardFormatSplit = 'train' | 'validation';

/** A text of hard formats, with its locale. */
export interface HardFormatText extends PiiText {
  locale: HardFormatLocale;
}

type Part = string | { kind: PiiKind; value: string; detail?: string };

/** Draws from half of a list: even positions for `train`, odd for `validation`. */
class Vocabulary {
  constructor(
    private readonly r: SeededRandom,
    private readonly split: HardFormatSplit,
  ) {}

  pick(items: readonly string[]): string {
    const half = items.filter((_, i) => (i % 2 === 0) === (this.split === 'train'));
    return this.r.pick(half.length > 0 ? half : items);
  }
}

const lower = (r: SeededRandom, s: string, p = 0.4) => (r.chance(p) ? s.toLowerCase() : s);
const ordinal = (n: number) => `${n}${n % 10 === 1 && n % 100 !== 11 ? 'st' : n % 10 === 2 && n % 100 !== 12 ? 'nd' : n % 10 === 3 && n % 100 !== 13 ? 'rd' : 'th'}`;

// ---------------------------------------------------------------------------------------------
// Phone numbers

function group(digits: string, sizes: readonly number[], sep: string): string {
  const out: string[] = [];
  let at = 0;
  for (const s of sizes) {
    out.push(digits.slice(at, at + s));
    at += s;
  }
  if (at < digits.length) out.push(digits.slice(at));
  return out.filter((g) => g !== '').join(sep);
}

/** A phone number of `locale`, written one of the ways people there write it. */
export function hardPhone(r: SeededRandom, locale: HardFormatLocale): string {
  const sep = () => r.pick([' ', ' ', '-', '.']);
  switch (locale) {
    case 'US':
    case 'CA': {
      const area = r.pick(locale === 'US' ? ['212', '213', '305', '312', '404', '415', '512', '617', '646', '702', '713', '773', '917', '206'] : ['416', '514', '604', '403', '613', '819', '418', '905']);
      const ex = `${r.int(2, 9)}${r.digits(2)}`;
      const line = r.digits(4);
      const ext = r.chance(0.1) ? r.pick([` ext. ${r.int(10, 999)}`, ` x${r.int(10, 999)}`]) : '';
      return r.pick([`(${area}) ${ex}-${line}`, `${area}-${ex}-${line}`, `${area}.${ex}.${line}`, `${area} ${ex} ${line}`, `+1 ${area} ${ex} ${line}`, `1-${area}-${ex}-${line}`, `+1 (${area}) ${ex}-${line}`, `+1-${area}-${ex}-${line}`]) + ext;
    }
    case 'UK': {
      const [trunk, rest] = r.pick([['20', `7${r.digits(3)} ${r.digits(4)}`], ['20', `3${r.digits(3)} ${r.digits(4)}`], ['161', `${r.int(2, 9)}${r.digits(2)} ${r.digits(4)}`], ['113', `${r.int(2, 9)}${r.digits(2)} ${r.digits(4)}`], ['7700', `900${r.digits(3)}`], [`7${r.pick(['4', '5', '7', '8', '9'])}${r.digits(2)}`, r.digits(6)], ['1632', `960${r.digits(3)}`]] as const);
      return r.pick([`0${trunk} ${rest}`, `+44 ${trunk} ${rest}`, `+44 (0)${trunk} ${rest}`, `0044 ${trunk} ${rest}`, `(0${trunk}) ${rest}`, `0${trunk}-${rest.replace(' ', '-')}`]);
    }
    case 'AU': {
      if (r.chance(0.5)) {
        const n = `4${r.digits(2)}${r.digits(6)}`;
        return r.pick([`0${group(n, [3, 3, 3], ' ')}`, `+61 ${group(n, [3, 3, 3], ' ')}`, `0${n.slice(0, 3)}${r.pick([' ', '-'])}${n.slice(3, 6)} ${n.slice(6)}`]);
      }
      const area = r.pick(['2', '3', '7', '8']);
      const n = `${r.int(3, 9)}${r.digits(7)}`;
      return r.pick([`(0${area}) ${group(n, [4, 4], ' ')}`, `0${area} ${group(n, [4, 4], ' ')}`, `+61 ${area} ${group(n, [4, 4], ' ')}`, `+61 (0)${area} ${group(n, [4, 4], ' ')}`, `1300 ${r.digits(3)} ${r.digits(3)}`]);
    }
    case 'IN': {
      if (r.chance(0.6)) {
        const n = `${r.int(6, 9)}${r.digits(9)}`;
        return r.pick([`+91 ${group(n, [5, 5], ' ')}`, `${group(n, [5, 5], ' ')}`, `+91-${group(n, [5, 5], '-')}`, `0${group(n, [5, 5], ' ')}`, `+91 ${group(n, [3, 3, 4], ' ')}`]);
      }
      const [area, len] = r.pick([['11', 8], ['22', 8], ['80', 8], ['44', 8], ['40', 8], ['124', 7], ['33', 8]] as const);
      const n = `${r.int(2, 6)}${r.digits(len - 1)}`;
      return r.pick([`0${area} ${group(n, [4, 4], ' ')}`, `(0${area}) ${group(n, [4, 4], ' ')}`, `+91 ${area} ${group(n, [4, 4], ' ')}`, `0${area}-${group(n, [4, 4], ' ')}`]);
    }
    case 'DE': {
      if (r.chance(0.4)) {
        const p = r.pick(['151', '152', '157', '160', '170', '171', '172', '176', '178']);
        const n = r.digits(r.pick([7, 8]));
        return r.pick([`0${p} ${n}`, `0${p}-${n}`, `0${p} / ${group(n, [4, 4], ' ')}`, `+49 ${p} ${n}`, `+49 (0)${p} ${n}`, `0${p} ${group(n, [4, 4], ' ')}`]);
      }
      const area = r.pick(['30', '40', '89', '69', '221', '211', '711', '341', '6221', '351']);
      const n = `${r.int(2, 9)}${r.digits(Math.max(4, 8 - area.length))}`;
      const ext = r.chance(0.15) ? `-${r.pick(['0', String(r.int(10, 299))])}` : '';
      return r.pick([`0${area} ${n}`, `0${area}/${n}`, `0${area} / ${n}`, `(0${area}) ${n}`, `+49 ${area} ${n}`, `+49 (0)${area} ${n}`, `0${area}-${n}`, `0${area} ${group(n, [2, 2, 2], ' ')}`]) + ext;
    }
    case 'FR': {
      const n = `${r.pick(['1', '2', '3', '4', '5', '6', '7', '9'])}${r.digits(8)}`;
      const pairs = group(n.slice(1), [2, 2, 2, 2], ' ');
      return r.pick([`0${n[0]} ${pairs}`, `0${n[0]}.${pairs.replace(/ /g, '.')}`, `0${n[0]}-${pairs.replace(/ /g, '-')}`, `+33 ${n[0]} ${pairs}`, `+33 (0)${n[0]} ${pairs}`, `+33${n}`, `0033 ${n[0]} ${pairs}`]);
    }
    case 'ES': {
      const n = r.chance(0.5) ? `${r.pick(['6', '7'])}${r.digits(8)}` : `9${r.pick(['1', '3', '5', '6', '7'])}${r.digits(7)}`;
      const g = r.pick([group(n, [3, 3, 3], ' '), group(n, [3, 2, 2, 2], ' '), group(n, [2, 3, 2, 2], ' ')]);
      return r.pick([g, `+34 ${g}`, `(+34) ${g}`, `0034 ${g}`, group(n, [3, 3, 3], sep())]);
    }
    case 'IT': {
      const n = r.chance(0.5) ? `3${r.pick(['2', '3', '4', '5', '9'])}${r.digits(8)}` : `0${r.pick(['2', '6'])}${r.digits(8)}`;
      const g = n.startsWith('3') ? r.pick([group(n, [3, 3, 4], ' '), group(n, [3, 7], ' '), group(n, [3, 3, 4], '.')]) : r.pick([group(n, [2, 4, 4], ' '), group(n, [2, 8], ' ')]);
      return r.pick([g, `+39 ${g}`, `0039 ${g}`, `+39 ${n}`]);
    }
    case 'NL': {
      if (r.chance(0.5)) {
        const n = `6${r.digits(8)}`;
        return r.pick([`0${n.slice(0, 1)}-${n.slice(1)}`, `0${n[0]} ${group(n.slice(1), [2, 2, 2, 2], ' ')}`, `+31 6 ${group(n.slice(1), [4, 4], ' ')}`, `+31 (0)6 ${n.slice(1)}`, `06 ${group(n.slice(1), [4, 4], ' ')}`]);
      }
      const area = r.pick(['20', '10', '30', '70', '40', '50', '85']);
      const n = `${r.int(2, 8)}${r.digits(6)}`;
      return r.pick([`0${area} ${group(n, [3, 4], ' ')}`, `0${area}-${n}`, `+31 ${area} ${group(n, [3, 4], ' ')}`, `+31 (0)${area} ${group(n, [3, 4], ' ')}`, `0031 ${area} ${group(n, [3, 4], ' ')}`, `+31-${area}-${n}`]);
    }
    case 'PT': {
      const n = r.chance(0.5) ? `9${r.pick(['1', '2', '3', '6'])}${r.digits(7)}` : `2${r.pick(['1', '2', '3', '5'])}${r.digits(7)}`;
      return r.pick([group(n, [3, 3, 3], ' '), `+351 ${group(n, [3, 3, 3], ' ')}`, `00351 ${group(n, [3, 3, 3], ' ')}`, group(n, [2, 3, 4], ' ')]);
    }
    case 'BR': {
      const ddd = r.pick(['11', '21', '31', '41', '51', '61', '71', '81', '85', '19']);
      const n = r.chance(0.6) ? `9${r.int(6, 9)}${r.digits(7)}` : `${r.int(2, 5)}${r.digits(7)}`;
      const g = `${n.slice(0, n.length - 4)}-${n.slice(-4)}`;
      return r.pick([`(${ddd}) ${g}`, `${ddd} ${g}`, `+55 ${ddd} ${g}`, `+55 (${ddd}) ${g}`, `+55 ${ddd} ${n.slice(0, n.length - 4)} ${n.slice(-4)}`, `(${ddd}) ${n.slice(0, n.length - 4)} ${n.slice(-4)}`]);
    }
    case 'MX': {
      const area = r.pick(['55', '33', '81']);
      const n = `${r.int(1, 9)}${r.digits(7)}`;
      return r.pick([`${area} ${group(n, [4, 4], ' ')}`, `(${area}) ${group(n, [4, 4], '-')}`, `+52 ${area} ${group(n, [4, 4], ' ')}`, `+52 (${area}) ${group(n, [4, 4], '-')}`, `${area}-${group(n, [4, 4], '-')}`, `+52 1 ${area} ${group(n, [4, 4], ' ')}`]);
    }
    case 'PL': {
      const n = r.chance(0.5) ? `${r.pick(['5', '6', '7', '8'])}${r.digits(8)}` : `${r.pick(['22', '12', '58', '61', '71'])}${r.digits(7)}`;
      const g = /^[5-8]/.test(n) && !/^(58|61|71)/.test(n) ? group(n, [3, 3, 3], ' ') : group(n, [2, 3, 2, 2], ' ');
      return r.pick([g, `+48 ${g}`, `+48 ${group(n, [3, 3, 3], ' ')}`, `0048 ${g}`]);
    }
    case 'JP': {
      const [a, b, c] = r.pick([['3', 4, 4], ['6', 4, 4], ['90', 4, 4], ['80', 4, 4], ['70', 4, 4], ['45', 3, 4], ['52', 3, 4], ['120', 3, 3]] as const);
      const x = `${r.int(1, 9)}${r.digits(b - 1)}`;
      const y = r.digits(c);
      return r.pick([`0${a}-${x}-${y}`, `0${a} ${x} ${y}`, `(0${a}) ${x}-${y}`, `+81 ${a}-${x}-${y}`, `+81 ${a} ${x} ${y}`, `+81-${a}-${x}-${y}`]);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Street addresses

/** A street address of `locale` in its word order, maybe multi-line, maybe lower-case. */
export function hardAddress(r: SeededRandom, v: Vocabulary, locale: HardFormatLocale): string {
  const nl = () => (r.chance(0.35) ? '\n' : ', ');
  const n = () => String(r.int(1, r.pick([30, 200, 2500])));
  let a: string;
  switch (locale) {
    case 'US': {
      const unit = r.chance(0.25) ? `${r.pick(['Apt', 'Apt.', 'Unit', 'Suite', '#'])} ${r.int(1, 40)}${r.pick(['', 'B', 'C'])}` : '';
      const street = `${r.int(1, 9999)} ${r.pick(['', '', 'N ', 'W ', 'E ', 'S '])}${v.pick(['Maple', 'Oak Ridge', 'Washington', 'Lincoln', '43rd', 'Cedar Hollow', 'Sunset', 'Main', 'Colonial', 'Peachtree', 'Lakeview', '7th', 'Highland', 'Magnolia'])} ${r.pick(['Street', 'St', 'Ave', 'Avenue', 'Blvd', 'Rd', 'Dr', 'Ln', 'Way', 'Ct', 'Pl', 'Ter', 'Pkwy'])}`;
      const [city, st] = r.pick([['Springfield', 'IL'], ['Austin', 'TX'], ['Denver', 'CO'], ['Miami', 'FL'], ['Albany', 'NY'], ['Tucson', 'AZ'], ['Raleigh', 'NC'], ['Salem', 'OR']]);
      const loc = `${city}, ${st} ${r.digits(5)}`;
      a = r.chance(0.5) ? `${unit ? unit + ', ' : ''}${street}${nl()}${loc}` : `${street}${unit ? ', ' + unit : ''}${nl()}${loc}`;
      break;
    }
    case 'UK': {
      const unit = r.chance(0.3) ? `${r.pick(['Flat', 'flat', 'Apartment'])} ${r.int(1, 40)}${r.pick(['', 'a'])}, ` : '';
      const street = `${r.int(1, 250)} ${v.pick(['Baker', 'Church', 'Victoria', 'Mill', 'Station', 'Queens', 'Abbey', 'Manor', 'Kingsway', 'Elm', 'Park View', 'Orchard'])} ${r.pick(['Street', 'St', 'Road', 'Rd', 'Lane', 'Close', 'Gardens', 'Crescent', 'Terrace', 'Mews', 'Avenue', 'Way'])}`;
      const pc = `${r.pick(['NW1', 'SW1A', 'M1', 'LS10', 'B1', 'CF10', 'EH1', 'OX1', 'RG1', 'YO24'])} ${r.int(1, 9)}${r.letters(2, 'ABDEFGHJLNPQRSTUWXYZ')}`;
      const city = v.pick(['London', 'Leeds', 'Manchester', 'Bristol', 'Cardiff', 'Oxford', 'Reading', 'York']);
      a = `${unit}${street}${nl()}${city}${r.chance(0.5) ? '\n' : ' '}${pc}`;
      break;
    }
    case 'CA': {
      const pc = `${r.letters(1, 'ABCEGHJKLMNPRSTVXY')}${r.int(0, 9)}${r.letters(1, 'ABCEGHJKLMNPRSTVWXYZ')} ${r.int(0, 9)}${r.letters(1, 'ABCEGHJKLMNPRSTVWXYZ')}${r.int(0, 9)}`;
      a = r.chance(0.5)
        ? `${r.int(1, 2999)} ${v.pick(['King', 'Queen', 'Yonge', 'Bloor', 'Granville', 'Portage', 'Jasper', 'Dundas'])} ${r.pick(['St', 'Street', 'Ave', 'Rd', 'Blvd'])} ${r.pick(['W', 'E', ''])}`.trimEnd() + `${nl()}${v.pick(['Toronto', 'Vancouver', 'Winnipeg', 'Ottawa'])}, ${r.pick(['ON', 'BC', 'MB', 'AB'])} ${pc}`
        : `${r.int(1, 2999)} ${r.pick(['rue', 'avenue', 'boulevard'])} ${v.pick(['Sainte-Catherine', 'Saint-Denis', 'Sherbrooke', 'des Érables', 'Laurier', 'Saint-Paul'])}${r.pick(['', ' O', ' E'])}${nl()}${v.pick(['Montréal', 'Québec', 'Laval', 'Gatineau'])} QC ${pc}`;
      break;
    }
    case 'AU': {
      const unit = r.chance(0.4) ? r.pick([`Unit ${r.int(1, 20)}/`, `${r.int(1, 20)}/`, `Level ${r.int(1, 30)}, `]) : '';
      a = `${unit}${r.int(1, 400)} ${v.pick(['George', 'Collins', 'Smith', 'Queen', 'Chapel', 'Murray', 'Flinders', 'Hay'])} ${r.pick(['St', 'Street', 'Rd', 'Road', 'Pde', 'Ave'])}${nl()}${v.pick(['Sydney', 'Melbourne', 'Fitzroy', 'Brisbane', 'Perth', 'Parramatta'])} ${r.pick(['NSW', 'VIC', 'QLD', 'WA', 'SA', 'ACT'])} ${r.int(2000, 6999)}`;
      break;
    }
    case 'IN': {
      const pre = r.pick([`Flat ${r.int(1, 40)}${r.pick(['A', 'B', ''])}, ${v.pick(['Sea View', 'Green Park', 'Lotus', 'Sunrise', 'Palm Grove', 'Silver Oak'])} Apartments, `, `No. ${r.int(1, 300)}, `, `Plot ${r.int(1, 99)}, `, `House ${r.int(1, 500)}, `, `${r.pick(['A', 'B', 'C'])}-${r.int(100, 999)}, `]);
      const street = r.pick([`${ordinal(r.int(1, 30))} Cross`, `${v.pick(['MG', 'Link', 'Station', 'Nehru', 'Temple', 'Ring'])} Road`, `Sector ${r.int(1, 60)}`, `${v.pick(['Marine', 'Lake', 'Hill'])} Drive`, `${ordinal(r.int(1, 12))} Main`]);
      a = `${pre}${street}, ${v.pick(['Indiranagar', 'Koramangala', 'Andheri West', 'Banjara Hills', 'Salt Lake', 'Kothrud'])}${nl()}${v.pick(['Bengaluru', 'Mumbai', 'Hyderabad', 'Kolkata', 'Pune', 'Chennai'])} ${r.int(110, 800)}${r.digits(3)}`;
      break;
    }
    case 'DE': {
      const name = v.pick(['Linden', 'Garten', 'Schiller', 'Goethe', 'Bahnhof', 'Kirch', 'Rosen', 'Mozart', 'Eichen', 'Wald', 'Berg', 'Mühlen']);
      const street = r.pick([
        `${name}${r.pick(['straße', 'strasse', 'str.', 'weg', 'allee', 'gasse', 'platz', 'ring'])} ${r.int(1, 150)}${r.pick(['', '', 'a', ' b'])}`,
        `${v.pick(['Berliner', 'Frankfurter', 'Münchner', 'Hamburger', 'Kölner', 'Leipziger'])} ${r.pick(['Straße', 'Str.', 'Allee', 'Platz', 'Ring'])} ${r.int(1, 150)}`,
        `${r.pick(['Am', 'An der', 'Auf dem', 'Im', 'Unter den'])} ${v.pick(['Markt', 'Kirchberg', 'Linden', 'Hang', 'Rain', 'Anger'])} ${r.int(1, 60)}`,
      ]);
      a = `${street}${nl()}${r.digits(5)} ${v.pick(['Berlin', 'München', 'Köln', 'Leipzig', 'Dresden', 'Bremen', 'Mainz', 'Kiel'])}`;
      break;
    }
    case 'FR': {
      const street = `${r.int(1, 180)}${r.pick(['', '', ' bis', ' ter'])}${r.pick(['', ','])} ${r.pick(['rue', 'avenue', 'av.', 'boulevard', 'bd', 'place', 'allée', 'impasse', 'chemin', 'quai', 'cours', 'route'])} ${v.pick(['de la Paix', 'Victor Hugo', 'des Lilas', 'Jean Jaurès', 'du Moulin', 'Pasteur', 'des Tilleuls', 'Gambetta', 'de Verdun', 'du Port'])}`;
      const pre = r.chance(0.2) ? `${r.pick(['Bât. B', 'Appt 12', 'Résidence les Pins'])}, ` : '';
      a = `${pre}${street}${nl()}${r.digits(5)} ${v.pick(['Paris', 'Lyon', 'Marseille', 'Bordeaux', 'Lille', 'Nantes', 'Rennes', 'Nice'])}`;
      break;
    }
    case 'ES':
    case 'MX': {
      const type = r.pick(['Calle', 'C/', 'Avda.', 'Avenida', 'Paseo', 'Plaza', 'Camino', 'Ronda', locale === 'MX' ? 'Calz.' : 'Travesía', 'Av.']);
      const name = v.pick(['Mayor', 'de Alcalá', 'del Carmen', 'de la Constitución', 'Serrano', 'de los Reyes', 'Insurgentes Sur', 'Juárez', '5 de Mayo', 'Morelos', 'de Goya', 'Hidalgo']);
      const floor = locale === 'ES' && r.chance(0.4) ? `, ${r.int(1, 9)}º ${r.pick(['izq', 'dcha', 'A', 'B'])}` : '';
      const col = locale === 'MX' && r.chance(0.6) ? `, Col. ${v.pick(['Roma Norte', 'Centro', 'Del Valle', 'Polanco', 'Narvarte', 'Condesa'])}` : '';
      a = `${type} ${name}${r.pick([' ', ', ', ', nº '])}${r.int(1, 300)}${floor}${col}${nl()}${r.digits(5)} ${v.pick(locale === 'ES' ? ['Madrid', 'Sevilla', 'Valencia', 'Bilbao', 'Zaragoza', 'Málaga'] : ['Ciudad de México', 'CDMX', 'Guadalajara', 'Monterrey', 'Puebla', 'Toluca'])}`;
      break;
    }
    case 'IT': {
      a = `${r.pick(['Via', 'Viale', 'Piazza', 'Corso', 'Largo', 'Vicolo', 'P.zza'])} ${v.pick(['Roma', 'Garibaldi', 'dei Mille', 'Cavour', 'della Repubblica', 'Mazzini', 'Dante', 'San Marco', 'XX Settembre', 'Verdi'])}${r.pick([' ', ', ', ', n. '])}${r.int(1, 200)}${r.pick(['', '', '/a', '/B', ' bis'])}${nl()}${r.digits(5)} ${v.pick(['Milano', 'Roma', 'Torino', 'Firenze', 'Bologna', 'Napoli'])}${r.pick(['', ' (MI)', ' RM'])}`;
      break;
    }
    case 'NL': {
      a = `${v.pick(['Kerk', 'Heren', 'Dorps', 'Molen', 'School', 'Prinsen', 'Stations', 'Beuken'])}${r.pick(['straat', 'gracht', 'weg', 'laan', 'plein', 'kade', 'singel'])} ${r.int(1, 300)}${r.pick(['', '', '-2', 'A', ' bis', '-III'])}${nl()}${r.int(1000, 9999)} ${r.letters(2, 'ABCDEGHJKLMNPRSTVWXZ')} ${v.pick(['Amsterdam', 'Utrecht', 'Rotterdam', 'Leiden', 'Haarlem', 'Delft'])}`;
      break;
    }
    case 'PT':
    case 'BR': {
      const type = r.pick(['Rua', 'R.', 'Av.', 'Avenida', 'Travessa', 'Alameda', 'Praça', 'Estrada']);
      const name = v.pick(['Augusta', 'das Flores', 'Oscar Freire', 'da Liberdade', 'dos Andradas', 'Paulista', 'do Ouvidor', 'Santa Catarina', 'Sete de Setembro', 'da Consolação']);
      const unit = r.chance(0.4) ? `${r.pick([', apto ', ' - apto ', ', casa ', ', sala ', ', '])}${r.int(1, 120)}${r.pick(['', 'º andar'])}` : '';
      a =
        locale === 'BR'
          ? `${type} ${name}${r.pick([', ', ' '])}${r.int(1, 3000)}${unit}${r.chance(0.5) ? ` - ${v.pick(['Bela Vista', 'Centro', 'Jardins', 'Copacabana', 'Savassi', 'Moinhos'])}` : ''}${nl()}${v.pick(['São Paulo', 'Rio de Janeiro', 'Belo Horizonte', 'Curitiba', 'Porto Alegre', 'Recife'])} - ${r.pick(['SP', 'RJ', 'MG', 'PR'])}${r.pick([', ', '\n', ' '])}${r.digits(5)}-${r.digits(3)}`
          : `${type} ${name}${r.pick([', ', ' '])}${r.int(1, 300)}${unit}${nl()}${r.int(1000, 9999)}-${r.digits(3)} ${v.pick(['Lisboa', 'Porto', 'Braga', 'Coimbra', 'Faro', 'Aveiro'])}`;
      break;
    }
    case 'PL': {
      const num = `${r.int(1, 200)}${r.pick(['', '', `/${r.int(1, 90)}`, ` m. ${r.int(1, 90)}`, ` lok. ${r.int(1, 20)}`])}`;
      a = `${r.pick(['ul.', 'al.', 'pl.', 'os.'])} ${v.pick(['Marszałkowska', 'Długa', 'Piotrkowska', 'Floriańska', 'Jerozolimskie', 'Grunwaldzka', 'Mickiewicza', 'Słowackiego'])} ${num}${nl()}${r.digits(2)}-${r.digits(3)} ${v.pick(['Warszawa', 'Kraków', 'Gdańsk', 'Łódź', 'Poznań', 'Wrocław'])}`;
      break;
    }
    case 'JP': {
      const block = `${r.int(1, 9)}-${r.int(1, 30)}-${r.int(1, 20)}`;
      const pc = `${r.digits(3)}-${r.digits(4)}`;
      a = r.pick([
        `${block} ${v.pick(['Shibuya', 'Meguro', 'Roppongi', 'Ginza', 'Umeda', 'Shinjuku', 'Ebisu', 'Nishiki'])}, ${v.pick(['Shibuya', 'Meguro', 'Minato', 'Chuo', 'Kita', 'Shinjuku'])}-ku${nl()}${v.pick(['Tokyo', 'Osaka', 'Tokyo', 'Nagoya'])} ${pc}`,
        `${v.pick(['Shibuya', 'Meguro', 'Roppongi', 'Ginza', 'Umeda', 'Shinjuku'])} ${block}, ${v.pick(['Shibuya', 'Meguro', 'Minato', 'Chuo', 'Kita', 'Shinjuku'])}-ku, ${v.pick(['Tokyo', 'Osaka'])} ${pc}`,
        `〒${pc} ${v.pick(['東京都渋谷区渋谷', '東京都港区六本木', '大阪府大阪市北区梅田', '東京都中央区銀座', '愛知県名古屋市中区栄', '京都府京都市下京区'])}${block}`,
      ]);
      return lower(r, a, 0.3);
    }
  }
  return lower(r, a);
}

// ---------------------------------------------------------------------------------------------
// Cards and national ids

const CARD_PREFIXES: ReadonlyArray<readonly [string, number]> = [
  ['4', 16], ['4', 16], ['4', 19], ['51', 16], ['55', 16], ['2221', 16], ['2720', 16], ['34', 15], ['37', 15], ['6011', 16], ['65', 16], ['644', 16],
  ['3528', 16], ['3589', 16], ['36', 14], ['300', 14], ['62', 16], ['62', 19], ['6759', 19], ['5018', 16], ['606282', 16], ['2200', 16],
];

/** A Luhn-valid card number written with any separators (spaces, dashes, dots, slashes, mixed). */
export function hardCard(r: SeededRandom): string {
  const [prefix, length] = r.pick(CARD_PREFIXES);
  const payload = prefix + r.digits(length - 1 - prefix.length);
  const digits = payload + luhnCheckDigit(payload);
  const groups = length === 15 ? [4, 6, 5] : length === 14 ? r.pick([[4, 6, 4], [4, 4, 4, 2]]) : length === 19 ? r.pick([[4, 4, 4, 4, 3], [6, 13]]) : [4, 4, 4, 4];
  const mixed = r.chance(0.3);
  const one = r.pick([' ', '-', '.', '/', ' - ', '  ']);
  const parts = group(digits, groups, '\u0000').split('\u0000');
  return parts.reduce((out, g, i) => (i === 0 ? g : out + (mixed ? r.pick([' ', '-', '.']) : one) + g), '');
}

/** A national id of a scheme of `locale`, with valid check digits; `scheme` names it. */
export function hardNationalId(r: SeededRandom, locale: HardFormatLocale): { scheme: string; value: string; label: string } {
  switch (locale) {
    case 'US': {
      const v = `${String(r.int(1, 665)).padStart(3, '0')}${String(r.int(1, 99)).padStart(2, '0')}${String(r.int(1, 9999)).padStart(4, '0')}`;
      return { scheme: 'US SSN', label: r.pick(['SSN', 'social', 'Social Security number']), value: r.pick([`${v.slice(0, 3)}-${v.slice(3, 5)}-${v.slice(5)}`, `${v.slice(0, 3)} ${v.slice(3, 5)} ${v.slice(5)}`]) };
    }
    case 'UK': {
      if (r.chance(0.5)) {
        let body: string;
        let check: number;
        do {
          body = r.digits(9);
          let s = 0;
          for (let i = 0; i < 9; i++) s += Number(body[i]) * (10 - i);
          check = 11 - (s % 11);
        } while (check === 10);
        const v = body + (check === 11 ? '0' : String(check));
        return { scheme: 'UK NHS', label: 'NHS number', value: `${v.slice(0, 3)} ${v.slice(3, 6)} ${v.slice(6)}` };
      }
      const d = r.digits(6);
      return { scheme: 'UK NINO', label: r.pick(['NI', 'NI number', 'National Insurance']), value: r.pick([`${r.pick(['JT', 'PR', 'AB', 'NS', 'KL', 'WE'])} ${d.slice(0, 2)} ${d.slice(2, 4)} ${d.slice(4)} ${r.pick(['A', 'B', 'C', 'D'])}`, `${r.pick(['JT', 'PR', 'AB', 'NS'])}${d}${r.pick(['A', 'B', 'C', 'D'])}`]) };
    }
    case 'CA': {
      const p = `${r.int(1, 7)}${r.digits(7)}`;
      const v = p + luhnCheckDigit(p);
      return { scheme: 'CA SIN', label: r.pick(['SIN', 'NAS', 'social insurance number']), value: group(v, [3, 3, 3], r.pick([' ', '-'])) };
    }
    case 'AU': {
      const w = [1, 4, 3, 7, 5, 8, 6, 9, 10];
      let v: string;
      do v = `${r.int(1, 9)}${r.digits(8)}`;
      while ([...v].reduce((s, d, i) => s + Number(d) * w[i]!, 0) % 11 !== 0);
      return { scheme: 'AU TFN', label: r.pick(['TFN', 'tax file number']), value: group(v, [3, 3, 3], ' ') };
    }
    case 'IN': {
      if (r.chance(0.5)) {
        const p = `${r.int(2, 9)}${r.digits(10)}`;
        const v = p + verhoeffCheckDigit(p);
        return { scheme: 'IN Aadhaar', label: 'Aadhaar', value: group(v, [4, 4, 4], r.pick([' ', '-', ''])) };
      }
      const v = `${r.letters(3)}${r.pick(['P', 'C', 'H', 'F'])}${r.letters(1)}${r.digits(4)}${r.letters(1)}`;
      return { scheme: 'IN PAN', label: 'PAN', value: r.chance(0.3) ? v.toLowerCase() : v };
    }
    case 'DE': {
      let first10: string;
      do {
        const pool = r.shuffle(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
        first10 = r.shuffle([...pool.slice(0, 9), pool[0]!]).join('');
      } while (first10[0] === '0');
      const v = first10 + steuerIdCheckDigit(first10);
      return { scheme: 'DE Steuer-ID', label: r.pick(['Steuer-ID', 'Steuer-Identifikationsnummer', 'IdNr']), value: r.pick([v, `${v.slice(0, 2)} ${v.slice(2, 5)} ${v.slice(5, 8)} ${v.slice(8)}`]) };
    }
    case 'FR': {
      const body = `${r.int(1, 2)}${r.digits(2)}${String(r.int(1, 12)).padStart(2, '0')}${String(r.int(1, 95)).padStart(2, '0')}${String(r.int(1, 990)).padStart(3, '0')}${String(r.int(1, 999)).padStart(3, '0')}`;
      const key = String(97 - mod97(body)).padStart(2, '0');
      return { scheme: 'FR NIR', label: r.pick(['sécu', 'NIR', 'numéro de sécurité sociale']), value: r.pick([body + key, `${body[0]} ${body.slice(1, 3)} ${body.slice(3, 5)} ${body.slice(5, 7)} ${body.slice(7, 10)} ${body.slice(10)} ${key}`]) };
    }
    case 'ES':
    case 'MX': {
      const letters = 'TRWAGMYFPDXBNJZSQVHLCKE';
      if (r.chance(0.4)) {
        const p = r.int(0, 2);
        const d = r.digits(7);
        const l = letters[Number(`${p}${d}`) % 23]!;
        return { scheme: 'ES DNI/NIE', label: 'NIE', value: r.pick([`${'XYZ'[p]}${d}${l}`, `${'XYZ'[p]}-${d}-${l}`]) };
      }
      const d = r.digits(8);
      return { scheme: 'ES DNI/NIE', label: r.pick(['DNI', 'NIF']), value: r.pick([`${d}${letters[Number(d) % 23]}`, `${d}-${letters[Number(d) % 23]}`]) };
    }
    case 'IT': {
      const first15 = `${r.letters(6)}${r.digits(2)}${r.pick(['A', 'B', 'C', 'D', 'E', 'H', 'L', 'M', 'P', 'R', 'S', 'T'])}${String(r.int(1, 71)).padStart(2, '0')}${r.letters(1)}${r.digits(3)}`;
      const v = first15 + codiceFiscaleCheck(first15);
      return { scheme: 'IT codice fiscale', label: r.pick(['codice fiscale', 'C.F.', 'CF']), value: r.chance(0.3) ? v.toLowerCase() : v };
    }
    case 'NL': {
      let v: string;
      do v = `${r.int(1, 9)}${r.digits(8)}`;
      while ([...v].reduce((s, d, i) => s + Number(d) * (i < 8 ? 9 - i : -1), 0) % 11 !== 0);
      return { scheme: 'NL BSN', label: r.pick(['BSN', 'burgerservicenummer']), value: r.pick([v, `${v.slice(0, 4)}.${v.slice(4, 6)}.${v.slice(6)}`, `${v.slice(0, 3)} ${v.slice(3, 6)} ${v.slice(6)}`]) };
    }
    case 'PT':
    case 'BR': {
      const n9 = r.digits(9);
      const dv = (s: string, w: number) => {
        let t = 0;
        for (let i = 0; i < s.length; i++) t += Number(s[i]) * (w - i);
        return t % 11 < 2 ? 0 : 11 - (t % 11);
      };
      const d1 = dv(n9, 10);
      const v = `${n9}${d1}${dv(n9 + d1, 11)}`;
      return { scheme: 'BR CPF', label: 'CPF', value: r.pick([`${v.slice(0, 3)}.${v.slice(3, 6)}.${v.slice(6, 9)}-${v.slice(9)}`, v]) };
    }
    case 'PL': {
      const yy = r.digits(2);
      const mm = String(r.int(1, 12) + r.pick([0, 20])).padStart(2, '0');
      const p = `${yy}${mm}${String(r.int(1, 28)).padStart(2, '0')}${r.digits(4)}`;
      const w = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3];
      const s = [...p].reduce((t, d, i) => t + Number(d) * w[i]!, 0);
      return { scheme: 'PL PESEL', label: 'PESEL', value: p + String((10 - (s % 10)) % 10) };
    }
    case 'JP': {
      const p = `${r.int(1, 9)}${r.digits(10)}`;
      let s = 0;
      for (let n = 1; n <= 11; n++) s += Number(p[11 - n]) * (n <= 6 ? n + 1 : n - 5);
      const v = p + String(s % 11 <= 1 ? 0 : 11 - (s % 11));
      return { scheme: 'JP My Number', label: r.pick(['My Number', 'マイナンバー', 'individual number']), value: r.pick([v, group(v, [4, 4, 4], ' ')]) };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Hard negatives

const NEGATIVES: ReadonlyArray<(r: SeededRandom) => string> = [
  (r) => `${r.pick(['Order', 'order #', 'Bestellung', 'commande n°', 'pedido', 'ordine', 'bestelling', 'zamówienie', 'Auftrag'])} ${r.digits(3)}-${r.digits(7)}-${r.digits(7)}`,
  (r) => `${r.pick(['Order', 'Invoice', 'Rechnung', 'facture', 'factura', 'fattura', 'factuur', 'faktura', 'Kundennummer', 'customer no.', 'klantnummer'])} ${r.digits(3)} ${r.digits(3)} ${r.digits(4)}`,
  (r) => `${r.pick(['tracking', 'Sendungsnummer', 'suivi', 'seguimiento', 'spedizione', 'track & trace', 'rastreio', 'przesyłka'])} ${r.digits(4)} ${r.digits(4)} ${r.digits(4)} ${r.digits(2)}`,
  (r) => `meeting ID ${r.digits(3)} ${r.digits(4)} ${r.digits(4)}, passcode ${r.digits(6)}`,
  (r) => `${r.pick(['on', 'am', 'le', 'el', 'il', 'op', 'dnia'])} ${String(r.int(1, 28)).padStart(2, '0')}${r.pick(['.', '/', '-'])}${String(r.int(1, 12)).padStart(2, '0')}${r.pick(['.', '/', '-'])}20${r.int(10, 29)} ${r.pick(['at', 'um', 'à', 'a las', 'alle', 'om'])} ${r.int(7, 20)}:${r.pick(['00', '15', '30', '45'])}`,
  (r) => `${r.int(2000, 2029)}-${String(r.int(1, 12)).padStart(2, '0')}-${String(r.int(1, 28)).padStart(2, '0')} ${String(r.int(0, 23)).padStart(2, '0')}:${r.digits(2).replace(/^[6-9]/, '5')}:${r.digits(2).replace(/^[6-9]/, '5')}`,
  (r) => `${r.pick(['$', '€ ', '£', 'R$ ', 'CA$ ', ''])}${r.int(1, 9)}${r.pick([',', '.', ' '])}${r.digits(3)}${r.pick([',', '.'])}${r.digits(2)}${r.pick(['', ' €', ' zł', ' MXN'])}`,
  (r) => `${r.int(1, 9)} ${r.digits(3)} ${r.digits(3)} ${r.pick(['units', 'Stück', 'unités', 'unidades', 'pezzi', 'stuks', 'sztuk'])}`,
  (r) => `EAN ${r.pick(['4', '8', '3'])}${r.digits(12)}`,
  (r) => `ISBN 978-${r.int(0, 9)}-${r.digits(3)}-${r.digits(5)}-${r.int(0, 9)}`,
  (r) => `IMEI ${r.digits(2)}-${r.digits(6)}-${r.digits(6)}-${r.int(0, 9)}`,
  (r) => `${r.pick(['version', 'v', 'Version', 'build'])} ${r.int(1, 20)}.${r.int(0, 20)}.${r.int(0, 99)}`,
  (r) => `timestamp ${r.int(1600000000, 1799999999)}`,
  (r) => `${r.pick(['VAT', 'USt-IdNr.', 'SIRET', 'NIP', 'RFC', 'GSTIN', 'ABN', 'partita IVA', 'CNPJ'])} ${r.digits(3)} ${r.digits(3)} ${r.digits(3)} ${r.digits(2)}`,
  (r) => `${r.pick(['sort code', 'BSB', 'routing number'])} ${r.digits(2)}-${r.digits(2)}-${r.digits(2)}`,
  (r) => `${r.pick(['room', 'Raum', 'salle', 'sala', 'kamer'])} ${r.int(1, 9)}.${r.digits(2)}`,
  (r) => `${r.pick(['ticket', 'case', 'Vorgang', 'dossier', 'expediente', 'pratica', 'zaak', 'protocolo'])} ${r.digits(4)}-${r.digits(4)}`,
  (r) => `${r.int(2, 40)} ${r.pick(['Road bikes', 'Park Avenue bags', 'Main Street shops', 'Oak Lane chairs'])}`,
  (r) => `via ${r.pick(['email', 'the app', 'SMS', 'the portal'])} ${r.int(2, 9)} times`,
  (r) => `${r.pick(['from', 'von', 'de', 'dalle'])} ${r.int(8, 11)}:00 ${r.pick(['to', 'bis', 'à', 'a', 'alle'])} ${r.int(12, 20)}:30`,
];

// ---------------------------------------------------------------------------------------------
// Texts

const OPENERS = ['Done.', 'Here is what I found:', 'Updated as requested.', 'Sure!', 'I checked the file.', 'Thanks for waiting.', 'These are the details:', ''];

function assemble(parts: readonly Part[], template: string, locale: HardFormatLocale): HardFormatText {
  let text = '';
  const labels: PiiLabel[] = [];
  for (const part of parts) {
    if (typeof part === 'string') text += part;
    else {
      labels.push({ kind: part.kind, start: text.length, end: text.length + part.value.length, value: part.value, ...(part.detail ? { detail: part.detail } : {}) });
      text += part.value;
    }
  }
  return { text, labels, template, locale };
}

/** One answer with hard formats of one kind in one locale, a near-miss or two around them. */
export function generateHardFormatText(r: SeededRandom, split: HardFormatSplit, kind: 'phone' | 'street_address' | 'payment_card' | 'national_id', locale: HardFormatLocale): HardFormatText {
  const v = new Vocabulary(r, split);
  const neg = () => r.pick(NEGATIVES)(r);
  const value = (): Part => {
    switch (kind) {
      case 'phone':
        return { kind, value: hardPhone(r, locale), detail: locale };
      case 'street_address':
        return { kind, value: hardAddress(r, v, locale), detail: locale };
      case 'payment_card':
        return { kind, value: hardCard(r), detail: locale };
      case 'national_id': {
        const id = hardNationalId(r, locale);
        return { kind, value: id.value, detail: id.scheme };
      }
    }
  };
  const opener = r.pick(OPENERS);
  const shape = r.int(0, 4);
  let parts: Part[];
  if (shape === 0) parts = [opener, opener ? ' ' : '', value(), '. ', r.chance(0.6) ? `Reference: ${neg()}.` : ''];
  else if (shape === 1) parts = [`${opener}\n- ${v.pick(['Anna', 'Ravi', 'Jonas', 'Lucía', 'Marco', 'Yuki', 'Tom', 'Zofia'])}: `, value(), `\n- `, neg()];
  else if (shape === 2) parts = [`| name | value |\n|---|---|\n| ${v.pick(['Anna', 'Ravi', 'Jonas', 'Lucía', 'Marco', 'Yuki'])} | `, value(), ` |\n| ${v.pick(['Tom', 'Zofia', 'Pedro', 'Emma', 'Kenji', 'Noor'])} | `, value(), ' |'];
  else if (shape === 3) parts = [`${neg()}; `, value(), r.pick([' and ', ' / ', ', ']), value(), '.'];
  else parts = [`${opener} `, value(), '\n', neg(), '\n'];
  if (kind === 'national_id' && r.chance(0.6)) {
    // Most ids are named in answers; some are not.
    const first = parts.findIndex((p) => typeof p !== 'string');
    const id = parts[first] as { detail?: string };
    parts.splice(first, 0, `${NATIONAL_ID_WORDS[id.detail ?? ''] ?? 'ID'} `);
  }
  return assemble(parts, `hard-format:${kind}:${locale}`, locale);
}

/** The word an answer would put before an id of each scheme. */
const NATIONAL_ID_WORDS: Readonly<Record<string, string>> = {
  'US SSN': 'SSN', 'UK NHS': 'NHS number', 'UK NINO': 'NI number', 'CA SIN': 'SIN', 'AU TFN': 'TFN', 'IN Aadhaar': 'Aadhaar', 'IN PAN': 'PAN',
  'DE Steuer-ID': 'Steuer-ID', 'FR NIR': 'NIR', 'ES DNI/NIE': 'DNI', 'IT codice fiscale': 'codice fiscale', 'NL BSN': 'BSN', 'BR CPF': 'CPF', 'PL PESEL': 'PESEL', 'JP My Number': 'My Number',
};

/** A negative answer: two or three hard near-misses, no personal data. */
export function generateHardNegativeText(r: SeededRandom, locale: HardFormatLocale): HardFormatText {
  const count = r.int(2, 3);
  const parts: string[] = [r.pick(OPENERS)];
  for (let i = 0; i < count; i++) parts.push(`${i === 0 ? ' ' : r.pick(['; ', '\n', ', '])}${r.pick(NEGATIVES)(r)}`);
  return assemble([parts.join('').trim()], 'hard-format:negative', locale);
}

/** Options of {@link generateHardFormatCorpus}. */
export interface HardFormatCorpusOptions {
  split: HardFormatSplit;
  /** Texts per kind and locale. @default 10 */
  perKindAndLocale?: number;
  /** Negative texts per locale. @default 20 */
  negativesPerLocale?: number;
}

/** Positives of each hard kind in every locale, and negatives; the same split always gives the same corpus. */
export function generateHardFormatCorpus(options: HardFormatCorpusOptions): { positives: HardFormatText[]; negatives: HardFormatText[] } {
  const r = new SeededRandom(options.split === 'train' ? 14_004 : 14_005);
  const per = options.perKindAndLocale ?? 10;
  const positives: HardFormatText[] = [];
  const negatives: HardFormatText[] = [];
  for (const locale of HARD_FORMAT_LOCALES) {
    for (const kind of ['phone', 'street_address', 'payment_card', 'national_id'] as const) {
      for (let i = 0; i < per; i++) positives.push(generateHardFormatText(r, options.split, kind, locale));
    }
    for (let i = 0; i < (options.negativesPerLocale ?? 20); i++) negatives.push(generateHardNegativeText(r, locale));
  }
  return { positives, negatives };
}
