/**
 * Synthetic records of people from nine countries and texts that mention them, for measuring the
 * PII detector (`core/guardrails/pii.ts`): answers that leak an e-mail address, a phone number, a
 * card, an IBAN, a national id, an IP address or a street address, each labelled with its exact
 * span, and negative answers full of near-misses (order numbers, invoices, tracking numbers,
 * timestamps, prices, versions, numbers that fail their checksum). Deterministic: the same seed
 * gives the same corpus. In memory; nothing is written.
 *
 * Check digits are computed here independently of the detector, so that a bug in one of them shows
 * up as a miss rather than being copied into the test data.
 */
import type { PiiKind } from '../../core/guardrails/pii';
import { SeededRandom } from '../../core/seeded-random';

// ---------------------------------------------------------------------------------------------
// Check digits (independent of the detector)

/** The Luhn check digit that completes `payload`. */
export function luhnCheckDigit(payload: string): string {
  let sum = 0;
  for (let i = 0; i < payload.length; i++) {
    let d = Number(payload[payload.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

export function mod97(numeric: string): number {
  let r = 0;
  for (const ch of numeric) r = (r * 10 + Number(ch)) % 97;
  return r;
}

/** Letters as their IBAN numbers (A = 10 … Z = 35). */
function ibanNumeric(s: string): string {
  return [...s].map((ch) => (/[A-Z]/.test(ch) ? String(ch.charCodeAt(0) - 55) : ch)).join('');
}

/** The IBAN for `country` and `bban`, with its two check digits. */
function ibanOf(country: string, bban: string): string {
  const check = 98 - mod97(ibanNumeric(bban + country + '00'));
  return country + String(check).padStart(2, '0') + bban;
}

const VERHOEFF_MULT = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6], [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
  [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1], [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
  [8, 7, 6, 5, 9, 3, 2, 1, 0, 4], [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const VERHOEFF_PERM = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4], [5, 8, 0, 3, 7, 9, 6, 1, 4, 2], [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
  [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1], [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];
const VERHOEFF_INV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9];

/** The Verhoeff check digit that completes `payload`. */
export function verhoeffCheckDigit(payload: string): string {
  let c = 0;
  for (let i = 0; i < payload.length; i++) {
    const digit = Number(payload[payload.length - 1 - i]);
    c = VERHOEFF_MULT[c]![VERHOEFF_PERM[(i + 1) % 8]![digit]!]!;
  }
  return String(VERHOEFF_INV[c]);
}

/** The check character of the first 15 characters of a codice fiscale. */
export function codiceFiscaleCheck(first15: string): string {
  const odd: Record<string, number> = {};
  const oddValues = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];
  'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('').forEach((ch, i) => (odd[ch] = oddValues[i]!));
  '0123456789'.split('').forEach((ch, i) => (odd[ch] = oddValues[i]!));
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const ch = first15[i]!;
    // Positions count from 1: the 1st, 3rd, … characters are "odd".
    if (i % 2 === 0) sum += odd[ch]!;
    else sum += /\d/.test(ch) ? Number(ch) : ch.charCodeAt(0) - 65;
  }
  return String.fromCharCode(65 + (sum % 26));
}

/** Steuer-ID check digit (ISO 7064 MOD 11,10) of the first ten digits. */
export function steuerIdCheckDigit(first10: string): string {
  let product = 10;
  for (const ch of first10) {
    let sum = (Number(ch) + product) % 10;
    if (sum === 0) sum = 10;
    product = (sum * 2) % 11;
  }
  return String((11 - product) % 10);
}

// ---------------------------------------------------------------------------------------------
// People

/** The countries people come from. */
export const PII_COUNTRIES = ['US', 'UK', 'FR', 'DE', 'ES', 'IT', 'NL', 'CA', 'IN'] as const;
/** A country of {@link PII_COUNTRIES}. */
export type PiiCountry = (typeof PII_COUNTRIES)[number];

/** A phone number written the way people of its country write it at home and from abroad. */
export interface SyntheticPhone {
  national: string;
  international: string;
}

/** A national identity number, the scheme it belongs to and the words that name it. */
export interface SyntheticNationalId {
  /** E.g. `US SSN`, `IN Aadhaar`. */
  scheme: string;
  labels: readonly string[];
  value: string;
}

/** One synthetic person with every kind of personal data the detector knows. */
export interface SyntheticPerson {
  country: PiiCountry;
  firstName: string;
  lastName: string;
  email: string;
  mobile: SyntheticPhone;
  landline: SyntheticPhone;
  card: { brand: string; number: string };
  /** As written: grouped by four or compact. */
  iban: string;
  nationalId: SyntheticNationalId;
  ipv4: string;
  ipv6: string;
  address: {
    street: string;
    /** Postcode and city in the country's order, e.g. `75002 Paris`, `Springfield, IL 62704`. */
    locality: string;
  };
}

interface CountryData {
  first: readonly string[];
  last: readonly string[];
  domains: readonly string[];
  street: (r: SeededRandom) => string;
  locality: (r: SeededRandom) => string;
  mobile: (r: SeededRandom) => SyntheticPhone;
  landline: (r: SeededRandom) => SyntheticPhone;
  nationalId: (r: SeededRandom) => SyntheticNationalId;
  /** The IBAN country, or undefined where there are no IBANs (a European account is drawn). */
  ibanCountry?: string;
}

const UK_POSTCODE_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';

function nanpPhone(r: SeededRandom, areas: readonly string[]): SyntheticPhone {
  const area = r.pick(areas);
  const exchange = String(r.int(2, 9)) + r.digits(2);
  const line = r.digits(4);
  const national = r.pick([`(${area}) ${exchange}-${line}`, `${area}-${exchange}-${line}`, `${area}.${exchange}.${line}`, `${area} ${exchange} ${line}`]);
  const international = r.pick([`+1 ${area} ${exchange} ${line}`, `+1-${area}-${exchange}-${line}`, `+1 (${area}) ${exchange}-${line}`]);
  return { national, international };
}

function usAddressStreet(r: SeededRandom, names: readonly string[], types: readonly string[]): string {
  const unit = r.chance(0.15) ? `${r.pick(['Apt', 'Unit', 'Suite'])} ${r.int(1, 40)}${r.pick(['', 'B', 'C'])}, ` : '';
  return `${unit}${r.int(1, 9999)} ${r.pick(names)} ${r.pick(types)}`;
}

const COUNTRIES: Readonly<Record<PiiCountry, CountryData>> = {
  US: {
    first: ['James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth'],
    last: ['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez'],
    domains: ['gmail.com', 'yahoo.com', 'outlook.com', 'icloud.com', 'aol.com', 'comcast.net'],
    street: (r) =>
      usAddressStreet(
        r,
        ['Main', 'Oak', 'Maple', 'Cedar', 'Washington', 'Lake', 'Elm', 'Pine', 'Sunset', 'Pennsylvania', 'Martin Luther King Jr', 'West 34th'],
        ['Street', 'St', 'Avenue', 'Ave', 'Road', 'Rd', 'Boulevard', 'Blvd', 'Drive', 'Dr', 'Lane', 'Court', 'Way', 'Place'],
      ) + (r.chance(0.1) ? ` ${r.pick(['NW', 'SE', 'North'])}` : ''),
    locality: (r) => {
      const [city, state] = r.pick([['Springfield', 'IL'], ['Austin', 'TX'], ['Portland', 'OR'], ['Denver', 'CO'], ['Columbus', 'OH'], ['Boston', 'MA'], ['Seattle', 'WA'], ['Mountain View', 'CA']] as const);
      return `${city}, ${state} ${r.digits(5)}${r.chance(0.2) ? `-${r.digits(4)}` : ''}`;
    },
    mobile: (r) => nanpPhone(r, ['415', '212', '312', '617', '206', '512', '303', '646']),
    landline: (r) => nanpPhone(r, ['202', '213', '305', '404', '702', '801']),
    nationalId: (r) => {
      let area = r.int(1, 899);
      if (area === 666) area = 665;
      const a = String(area).padStart(3, '0');
      const g = String(r.int(1, 99)).padStart(2, '0');
      const s = String(r.int(1, 9999)).padStart(4, '0');
      const value = r.chance(0.8) ? `${a}-${g}-${s}` : r.chance(0.5) ? `${a} ${g} ${s}` : `${a}${g}${s}`;
      return { scheme: 'US SSN', labels: ['SSN', 'Social Security number', 'social security no.'], value };
    },
  },
  UK: {
    first: ['Oliver', 'Amelia', 'George', 'Isla', 'Harry', 'Ava', 'Jack', 'Emily', 'Charlie', 'Sophie'],
    last: ['Taylor', 'Evans', 'Thomas', 'Roberts', 'Walker', 'Wright', 'Hughes', 'Edwards', 'Green', 'Hall'],
    domains: ['btinternet.com', 'gmail.com', 'hotmail.co.uk', 'yahoo.co.uk', 'sky.com', 'outlook.com'],
    street: (r) =>
      `${r.chance(0.25) ? `Flat ${r.int(1, 30)}, ` : ''}${r.int(1, 250)} ${r.pick(['Baker', 'High', 'Church', 'Station', 'Victoria', 'Manor', 'Queens', 'Kings', 'Mill', 'Abbey'])} ${r.pick(['Street', 'St', 'Road', 'Lane', 'Close', 'Gardens', 'Avenue', 'Crescent', 'Way', 'Terrace', 'Mews'])}`,
    locality: (r) => {
      const [city, area] = r.pick([['London', 'SW1A'], ['London', 'NW1'], ['Manchester', 'M1'], ['Leeds', 'LS1'], ['Bristol', 'BS1'], ['Edinburgh', 'EH1'], ['Cardiff', 'CF10'], ['Oxford', 'OX1'], ['York', 'YO1']] as const);
      return `${city}${r.chance(0.5) ? ',' : ''} ${area} ${r.int(1, 9)}${r.letters(2, UK_POSTCODE_LETTERS)}`;
    },
    mobile: (r) => {
      const a = `7${r.digits(3)}`;
      const b = r.digits(6);
      return { national: `0${a} ${b}`, international: r.pick([`+44 ${a} ${b}`, `+44 (0)${a} ${b}`, `0044 ${a} ${b}`]) };
    },
    landline: (r) => {
      const a = `7${r.digits(3)}`;
      const b = r.digits(4);
      return { national: `020 ${a} ${b}`, international: r.pick([`+44 20 ${a} ${b}`, `+44 (0)20 ${a} ${b}`]) };
    },
    nationalId: (r) => {
      let prefix: string;
      do prefix = r.letters(1, 'ABCEGHJKLMNOPRSTWXYZ') + r.letters(1, 'ABCEGHJKLMNPRSTWXYZ');
      while (['BG', 'GB', 'NK', 'KN', 'TN', 'NT', 'ZZ'].includes(prefix));
      const d = r.digits(6);
      const suffix = r.letters(1, 'ABCD');
      const value = r.chance(0.6) ? `${prefix} ${d.slice(0, 2)} ${d.slice(2, 4)} ${d.slice(4)} ${suffix}` : `${prefix}${d}${suffix}`;
      return { scheme: 'UK NINO', labels: ['National Insurance number', 'NI number', 'NINO'], value };
    },
    ibanCountry: 'GB',
  },
  FR: {
    first: ['Camille', 'Louis', 'Léa', 'Gabriel', 'Manon', 'Hugo', 'Chloé', 'Jules', 'Inès', 'Lucas'],
    last: ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau'],
    domains: ['orange.fr', 'free.fr', 'laposte.net', 'gmail.com', 'sfr.fr', 'wanadoo.fr'],
    street: (r) =>
      `${r.int(1, 180)}${r.chance(0.1) ? ' bis' : ''}${r.chance(0.2) ? ',' : ''} ${r.pick(['rue', 'avenue', 'boulevard', 'place', 'allée', 'impasse', 'quai', 'chemin'])} ${r.pick(['de la Paix', 'Victor Hugo', 'du Faubourg Saint-Honoré', 'des Lilas', 'Jean Jaurès', 'de la République', 'Gambetta', 'des Champs-Élysées', 'du Général de Gaulle', 'Pasteur'])}`,
    locality: (r) => {
      const [code, city] = r.pick([['750', 'Paris'], ['690', 'Lyon'], ['130', 'Marseille'], ['310', 'Toulouse'], ['330', 'Bordeaux'], ['590', 'Lille'], ['440', 'Nantes'], ['670', 'Strasbourg']] as const);
      return `${code}${String(r.int(1, 20)).padStart(2, '0')} ${city}`;
    },
    mobile: (r) => {
      const n = `${r.pick(['6', '7'])}${r.digits(8)}`;
      const pairs = (s: string) => s.match(/../g)!.join(' ');
      return { national: r.chance(0.7) ? pairs(`0${n}`) : pairs(`0${n}`).replace(/ /g, '.'), international: `+33 ${n[0]} ${pairs(n.slice(1))}` };
    },
    landline: (r) => {
      const n = `${r.int(1, 5)}${r.digits(8)}`;
      const pairs = (s: string) => s.match(/../g)!.join(' ');
      return { national: pairs(`0${n}`), international: `+33 ${n[0]} ${pairs(n.slice(1))}` };
    },
    nationalId: (r) => {
      const dept = r.chance(0.05) ? r.pick(['2A', '2B']) : String(r.pick([r.int(1, 19), r.int(21, 95)])).padStart(2, '0');
      const body = `${r.int(1, 2)}${r.digits(2)}${String(r.int(1, 12)).padStart(2, '0')}${dept}${String(r.int(1, 990)).padStart(3, '0')}${String(r.int(1, 999)).padStart(3, '0')}`;
      const numeric = body.replace('2A', '19').replace('2B', '18');
      const key = String(97 - mod97(numeric)).padStart(2, '0');
      const value = r.chance(0.6)
        ? `${body[0]} ${body.slice(1, 3)} ${body.slice(3, 5)} ${body.slice(5, 7)} ${body.slice(7, 10)} ${body.slice(10, 13)} ${key}`
        : body + key;
      return { scheme: 'FR NIR', labels: ['numéro de sécurité sociale', 'NIR', 'n° de Sécu'], value };
    },
    ibanCountry: 'FR',
  },
  DE: {
    first: ['Lukas', 'Anna', 'Leon', 'Mia', 'Finn', 'Lena', 'Paul', 'Hannah', 'Jonas', 'Sophie'],
    last: ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Schulz', 'Hoffmann'],
    domains: ['web.de', 'gmx.de', 't-online.de', 'gmail.com', 'posteo.de', 'freenet.de'],
    street: (r) =>
      `${r.pick(['Hauptstraße', 'Bahnhofstraße', 'Gartenweg', 'Schillerstraße', 'Goethestraße', 'Lindenallee', 'Marktplatz', 'Kirchgasse', 'Berliner Straße', 'Frankfurter Allee', 'Hamburger Str.', 'Karl-Marx-Allee', 'Konrad-Adenauer-Straße', 'Friedrich-Ebert-Str.'])} ${r.int(1, 150)}${r.pick(['', '', '', 'a', 'b'])}`,
    locality: (r) => {
      const [code, city] = r.pick([['101', 'Berlin'], ['803', 'München'], ['200', 'Hamburg'], ['506', 'Köln'], ['603', 'Frankfurt am Main'], ['701', 'Stuttgart'], ['041', 'Leipzig'], ['010', 'Dresden']] as const);
      return `${code}${r.digits(2)} ${city}`;
    },
    mobile: (r) => {
      const prefix = r.pick(['151', '160', '170', '171', '176', '157']);
      const n = r.digits(r.pick([7, 8]));
      return { national: r.pick([`0${prefix} ${n}`, `0${prefix}-${n}`, `0${prefix} ${n.slice(0, 4)} ${n.slice(4)}`]), international: `+49 ${prefix} ${n}` };
    },
    landline: (r) => {
      const area = r.pick(['30', '40', '89', '221', '69', '711']);
      const n = r.digits(area.length === 2 ? 8 : 7);
      return { national: r.pick([`0${area} ${n}`, `(0${area}) ${n}`, `0${area}/${n}`.replace('/', ' ')]), international: `+49 ${area} ${n}` };
    },
    nationalId: (r) => {
      let first10: string;
      do {
        const pool = r.shuffle(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
        const doubled = pool[0]!;
        first10 = r.shuffle([...pool.slice(0, 9), doubled]).join('');
      } while (first10[0] === '0');
      const id = first10 + steuerIdCheckDigit(first10);
      const value = r.chance(0.5) ? `${id.slice(0, 2)} ${id.slice(2, 5)} ${id.slice(5, 8)} ${id.slice(8)}` : id;
      return { scheme: 'DE Steuer-ID', labels: ['Steuer-ID', 'Steueridentifikationsnummer', 'steuerliche Identifikationsnummer'], value };
    },
    ibanCountry: 'DE',
  },
  ES: {
    first: ['Lucía', 'Hugo', 'Martina', 'Mateo', 'Sofía', 'Daniel', 'Paula', 'Pablo', 'Julia', 'Álvaro'],
    last: ['García', 'Fernández', 'González', 'Rodríguez', 'López', 'Martínez', 'Sánchez', 'Pérez', 'Gómez', 'Martín'],
    domains: ['gmail.com', 'hotmail.es', 'yahoo.es', 'telefonica.net', 'outlook.es'],
    street: (r) =>
      `${r.pick(['Calle Mayor', 'Calle de Alcalá', 'Avenida de la Constitución', 'Plaza Mayor', 'Paseo de Gracia', 'Calle Serrano', 'C/ Gran Vía', 'Avenida Diagonal', 'Calle del Carmen', 'Rambla de Catalunya'])}${r.chance(0.4) ? ',' : ''} ${r.int(1, 200)}${r.chance(0.3) ? `, ${r.int(1, 9)}º ${r.pick(['A', 'B', 'C', 'D'])}` : ''}`,
    locality: (r) => {
      const [code, city] = r.pick([['280', 'Madrid'], ['080', 'Barcelona'], ['460', 'Valencia'], ['410', 'Sevilla'], ['480', 'Bilbao'], ['290', 'Málaga']] as const);
      return `${code}${String(r.int(1, 50)).padStart(2, '0')} ${city}`;
    },
    mobile: (r) => {
      const n = `${r.pick(['6', '7'])}${r.digits(8)}`;
      return { national: r.chance(0.5) ? `${n.slice(0, 3)} ${n.slice(3, 5)} ${n.slice(5, 7)} ${n.slice(7)}` : `${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`, international: `+34 ${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}` };
    },
    landline: (r) => {
      const n = `9${r.pick(['1', '3', '5'])}${r.digits(7)}`;
      return { national: `${n.slice(0, 2)} ${n.slice(2, 5)} ${n.slice(5, 7)} ${n.slice(7)}`, international: `+34 ${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}` };
    },
    nationalId: (r) => {
      const letters = 'TRWAGMYFPDXBNJZSQVHLCKE';
      if (r.chance(0.3)) {
        const prefix = r.int(0, 2);
        const digits = r.digits(7);
        const letter = letters[Number(`${prefix}${digits}`) % 23]!;
        return { scheme: 'ES DNI/NIE', labels: ['NIE', 'número de identidad de extranjero'], value: `${'XYZ'[prefix]}${digits}${letter}` };
      }
      const digits = r.digits(8);
      const letter = letters[Number(digits) % 23]!;
      return { scheme: 'ES DNI/NIE', labels: ['DNI', 'documento de identidad', 'D.N.I.'], value: r.chance(0.8) ? `${digits}${letter}` : `${digits}-${letter}` };
    },
    ibanCountry: 'ES',
  },
  IT: {
    first: ['Giulia', 'Francesco', 'Sofia', 'Alessandro', 'Aurora', 'Lorenzo', 'Ginevra', 'Matteo', 'Alice', 'Leonardo'],
    last: ['Rossi', 'Russo', 'Ferrari', 'Esposito', 'Bianchi', 'Romano', 'Colombo', 'Ricci', 'Marino', 'Greco'],
    domains: ['libero.it', 'gmail.com', 'virgilio.it', 'tiscali.it', 'alice.it', 'hotmail.it'],
    street: (r) =>
      `${r.pick(['Via Roma', 'Via Giuseppe Garibaldi', 'Piazza Navona', 'Corso Vittorio Emanuele II', 'Via dei Mille', 'Viale Europa', 'Via Dante Alighieri', 'Largo Argentina', 'Via della Conciliazione', 'Corso Buenos Aires'])}${r.chance(0.4) ? ',' : ''} ${r.int(1, 200)}${r.chance(0.1) ? '/A' : ''}`,
    locality: (r) => {
      const [code, city, province] = r.pick([['001', 'Roma', 'RM'], ['201', 'Milano', 'MI'], ['101', 'Torino', 'TO'], ['801', 'Napoli', 'NA'], ['501', 'Firenze', 'FI'], ['401', 'Bologna', 'BO']] as const);
      return `${code}${r.digits(2)} ${city}${r.chance(0.4) ? ` (${province})` : ''}`;
    },
    mobile: (r) => {
      const n = `3${r.digits(2)}${r.digits(7)}`;
      return { national: r.chance(0.6) ? `${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}` : `${n.slice(0, 3)} ${n.slice(3)}`, international: `+39 ${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}` };
    },
    landline: (r) => {
      const n = r.digits(8);
      return { national: `06 ${n.slice(0, 4)} ${n.slice(4)}`, international: `+39 06 ${n.slice(0, 4)} ${n.slice(4)}` };
    },
    nationalId: (r) => {
      const day = r.int(1, 28) + (r.chance(0.5) ? 40 : 0);
      const first15 = `${r.letters(3, 'BCDFGLMNPRSTVZ')}${r.letters(3, 'BCDFGLMNPRSTVZ')}${r.digits(2)}${r.letters(1, 'ABCDEHLMPRST')}${String(day).padStart(2, '0')}${r.letters(1, 'ABCDEFGHILMZ')}${r.digits(3)}`;
      return { scheme: 'IT codice fiscale', labels: ['codice fiscale', 'CF', 'C.F.'], value: first15 + codiceFiscaleCheck(first15) };
    },
    ibanCountry: 'IT',
  },
  NL: {
    first: ['Daan', 'Emma', 'Sem', 'Julia', 'Lucas', 'Mila', 'Levi', 'Tess', 'Finn', 'Sara'],
    last: ['de Jong', 'Jansen', 'de Vries', 'van den Berg', 'van Dijk', 'Bakker', 'Janssen', 'Visser', 'Smit', 'Meijer'],
    domains: ['ziggo.nl', 'kpnmail.nl', 'gmail.com', 'hotmail.nl', 'xs4all.nl', 'planet.nl'],
    street: (r) =>
      `${r.pick(['Kerkstraat', 'Prinsengracht', 'Stationsweg', 'Dorpsstraat', 'Molenlaan', 'Marktplein', 'Herengracht', 'Schoolstraat', 'Julianalaan', 'Nieuwe Binnenweg'])} ${r.int(1, 300)}${r.pick(['', '', '', 'A', '-B', '-2'])}`,
    locality: (r) => `${r.int(1000, 9999)} ${r.letters(2, 'ABCDEGHJKLMNPRSTVWXZ')} ${r.pick(['Amsterdam', 'Rotterdam', 'Den Haag', 'Utrecht', 'Eindhoven', 'Groningen'])}`,
    mobile: (r) => {
      const n = r.digits(8);
      return { national: r.pick([`06 ${n}`, `06-${n}`]), international: `+31 6 ${n}` };
    },
    landline: (r) => {
      const n = r.digits(7);
      return { national: `020 ${n.slice(0, 3)} ${n.slice(3)}`, international: `+31 20 ${n.slice(0, 3)} ${n.slice(3)}` };
    },
    nationalId: (r) => {
      for (;;) {
        const first8 = r.digits(8);
        let sum = 0;
        for (let i = 0; i < 8; i++) sum += Number(first8[i]) * (9 - i);
        const check = sum % 11;
        if (check === 10 || /^0/.test(first8)) continue;
        const id = first8 + String(check);
        return { scheme: 'NL BSN', labels: ['BSN', 'burgerservicenummer', 'BSN-nummer'], value: r.chance(0.8) ? id : `${id.slice(0, 4)}.${id.slice(4, 6)}.${id.slice(6)}` };
      }
    },
    ibanCountry: 'NL',
  },
  CA: {
    first: ['Liam', 'Olivia', 'Noah', 'Emma', 'William', 'Charlotte', 'Benjamin', 'Amelia', 'Lucas', 'Chloé'],
    last: ['Tremblay', 'Smith', 'Roy', 'Gagnon', 'Lee', 'Wilson', 'MacDonald', 'Côté', 'Brown', 'Martin'],
    domains: ['gmail.com', 'outlook.com', 'videotron.ca', 'rogers.com', 'bell.net', 'shaw.ca'],
    street: (r) =>
      r.chance(0.3)
        ? `${r.int(100, 4999)}${r.chance(0.3) ? ',' : ''} ${r.pick(['rue Sherbrooke Ouest', 'boulevard René-Lévesque', 'rue Saint-Denis', 'avenue du Parc'])}`
        : usAddressStreet(r, ['Yonge', 'Queen', 'Bloor', 'Granville', 'Portage', 'Spring Garden'], ['Street', 'St', 'Avenue', 'Road', 'Drive', 'Crescent']),
    locality: (r) => {
      const [city, province, letter] = r.pick([['Toronto', 'ON', 'M'], ['Vancouver', 'BC', 'V'], ['Ottawa', 'ON', 'K'], ['Calgary', 'AB', 'T'], ['Montréal', 'QC', 'H'], ['Halifax', 'NS', 'B'], ['Winnipeg', 'MB', 'R']] as const);
      const L = 'ABCEGHJKLMNPRSTVWXYZ';
      return `${city}, ${province} ${letter}${r.int(1, 9)}${r.letters(1, L)} ${r.int(0, 9)}${r.letters(1, L)}${r.int(0, 9)}`;
    },
    mobile: (r) => nanpPhone(r, ['416', '647', '514', '604', '613', '403']),
    landline: (r) => nanpPhone(r, ['905', '450', '780', '902']),
    nationalId: (r) => {
      const payload = String(r.pick([1, 2, 3, 4, 5, 6, 7, 9])) + r.digits(7);
      const id = payload + luhnCheckDigit(payload);
      const value = r.pick([`${id.slice(0, 3)} ${id.slice(3, 6)} ${id.slice(6)}`, `${id.slice(0, 3)}-${id.slice(3, 6)}-${id.slice(6)}`, id]);
      return { scheme: 'CA SIN', labels: ['SIN', 'Social Insurance Number', 'NAS'], value };
    },
  },
  IN: {
    first: ['Aarav', 'Ananya', 'Vivaan', 'Diya', 'Aditya', 'Isha', 'Arjun', 'Saanvi', 'Rohan', 'Priya'],
    last: ['Sharma', 'Patel', 'Singh', 'Kumar', 'Gupta', 'Reddy', 'Iyer', 'Nair', 'Das', 'Mehta'],
    domains: ['gmail.com', 'rediffmail.com', 'yahoo.co.in', 'outlook.com', 'hotmail.com'],
    street: (r) =>
      `${r.chance(0.3) ? `Flat ${r.int(101, 1204)}, ` : ''}${r.int(1, 120)}${r.chance(0.4) ? ',' : ''} ${r.pick(['MG Road', 'Nehru Street', 'Brigade Road', 'Park Street', 'Linking Road', 'Residency Road', 'Church Street', 'Station Road', 'Lal Bahadur Shastri Marg', '5th Cross Road'])}`,
    locality: (r) => {
      const [city, code] = r.pick([['Bengaluru', '560'], ['Mumbai', '400'], ['New Delhi', '110'], ['Chennai', '600'], ['Hyderabad', '500'], ['Pune', '411'], ['Kolkata', '700']] as const);
      const pin = `${code}${r.digits(3)}`;
      return r.chance(0.7) ? `${city} ${pin}` : `${city} ${pin.slice(0, 3)} ${pin.slice(3)}`;
    },
    mobile: (r) => {
      const n = `${r.int(6, 9)}${r.digits(9)}`;
      return { national: r.chance(0.8) ? `${n.slice(0, 5)} ${n.slice(5)}` : `0${n.slice(0, 5)} ${n.slice(5)}`, international: r.pick([`+91 ${n.slice(0, 5)} ${n.slice(5)}`, `+91-${n.slice(0, 5)}-${n.slice(5)}`, `+91 ${n}`]) };
    },
    landline: (r) => {
      const n = r.digits(8);
      return { national: `022 ${n.slice(0, 4)} ${n.slice(4)}`, international: `+91 22 ${n.slice(0, 4)} ${n.slice(4)}` };
    },
    nationalId: (r) => {
      const payload = String(r.int(2, 9)) + r.digits(10);
      const id = payload + verhoeffCheckDigit(payload);
      const value = r.chance(0.8) ? `${id.slice(0, 4)} ${id.slice(4, 8)} ${id.slice(8)}` : id;
      return { scheme: 'IN Aadhaar', labels: ['Aadhaar', 'Aadhaar number', 'UID'], value };
    },
  },
};

/** Card brands: prefixes, length, and how they are grouped. */
const CARD_BRANDS: ReadonlyArray<{ brand: string; prefixes: readonly string[]; length: number; groups: readonly number[] }> = [
  { brand: 'Visa', prefixes: ['4'], length: 16, groups: [4, 4, 4, 4] },
  { brand: 'Mastercard', prefixes: ['51', '52', '53', '54', '55', '2221', '2720', '2300'], length: 16, groups: [4, 4, 4, 4] },
  { brand: 'American Express', prefixes: ['34', '37'], length: 15, groups: [4, 6, 5] },
  { brand: 'Discover', prefixes: ['6011', '65', '644'], length: 16, groups: [4, 4, 4, 4] },
  { brand: 'JCB', prefixes: ['3528', '3566', '3589'], length: 16, groups: [4, 4, 4, 4] },
  { brand: 'Diners Club', prefixes: ['36', '300', '305'], length: 14, groups: [4, 6, 4] },
  { brand: 'UnionPay', prefixes: ['62'], length: 16, groups: [4, 4, 4, 4] },
];

function groupDigits(digits: string, groups: readonly number[], separator: string): string {
  const parts: string[] = [];
  let at = 0;
  for (const g of groups) {
    parts.push(digits.slice(at, at + g));
    at += g;
  }
  return parts.join(separator);
}

function generateCard(r: SeededRandom): { brand: string; number: string; digits: string } {
  const { brand, prefixes, length, groups } = r.pick(CARD_BRANDS);
  const prefix = r.pick(prefixes);
  const payload = prefix + r.digits(length - prefix.length - 1);
  const digits = payload + luhnCheckDigit(payload);
  const style = r.next();
  const number = style < 0.55 ? groupDigits(digits, groups, ' ') : style < 0.7 ? groupDigits(digits, groups, '-') : digits;
  return { brand, number, digits };
}

/** BBAN shapes: `9` a digit, `A` an upper-case letter, `X` a digit or letter. */
const BBAN_SHAPES: Readonly<Record<string, string>> = {
  GB: 'AAAA99999999999999',
  FR: '9999999999XXXXXXXXXXX99',
  DE: '999999999999999999',
  ES: '99999999999999999999',
  IT: 'A9999999999XXXXXXXXXXXX',
  NL: 'AAAA9999999999',
  BE: '999999999999',
  CH: '99999XXXXXXXXXXXX',
  AT: '9999999999999999',
  PT: '999999999999999999999',
  IE: 'AAAA99999999999999',
};

function generateIban(r: SeededRandom, country: string): string {
  const shape = BBAN_SHAPES[country]!;
  const bban = [...shape].map((c) => (c === '9' ? r.digits(1) : c === 'A' ? r.letters(1) : r.chance(0.8) ? r.digits(1) : r.letters(1))).join('');
  const iban = ibanOf(country, bban);
  return r.chance(0.7) ? iban.match(/.{1,4}/g)!.join(' ') : iban;
}

function generateIpv4(r: SeededRandom): string {
  let a: number;
  do a = r.int(1, 223);
  while ([10, 100, 127, 169, 172, 192].includes(a));
  return `${a}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`;
}

function generateIpv6(r: SeededRandom): string {
  const prefix = r.pick(['2001:db8', '2a01:cb00', '2600:1700', '2a02:810', '2409:4042', '2804:14c']).split(':');
  const groups = [...prefix, ...Array.from({ length: 8 - prefix.length }, () => r.int(0, 0xffff).toString(16))];
  const style = r.next();
  if (style < 0.6) {
    // Compressed: a run of zero groups written as "::".
    const from = r.int(3, 5);
    const run = r.int(1, 3);
    for (let i = from; i < from + run; i++) groups[i] = '0';
    return `${groups.slice(0, from).join(':')}::${groups.slice(from + run).join(':')}`;
  }
  if (style < 0.8) return groups.map((g) => g.padStart(4, '0')).join(':');
  return groups.join(':');
}

function ascii(s: string): string {
  return s
    .replace(/ä/g, 'ae')
    .replace(/ö/g, 'oe')
    .replace(/ü/g, 'ue')
    .replace(/ß/g, 'ss')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z]/g, '')
    .toLowerCase();
}

/** One person of `country`, drawn from `r`. */
export function generatePerson(r: SeededRandom, country: PiiCountry): SyntheticPerson {
  const data = COUNTRIES[country];
  const firstName = r.pick(data.first);
  const lastName = r.pick(data.last);
  const f = ascii(firstName);
  const l = ascii(lastName);
  const local = r.pick([`${f}.${l}`, `${f}${l}`, `${f[0]}${l}`, `${f}.${l}${r.int(1, 99)}`, `${f}_${l}`, `${l}.${f}`, `${f}${r.int(1960, 2005)}`]);
  const card = generateCard(r);
  return {
    country,
    firstName,
    lastName,
    email: `${local}@${r.pick(data.domains)}`,
    mobile: data.mobile(r),
    landline: data.landline(r),
    card: { brand: card.brand, number: card.number },
    iban: generateIban(r, data.ibanCountry ?? r.pick(['GB', 'FR', 'DE', 'ES', 'IT', 'NL', 'BE', 'CH', 'AT', 'PT', 'IE'])),
    nationalId: data.nationalId(r),
    ipv4: generateIpv4(r),
    ipv6: generateIpv6(r),
    address: { street: data.street(r), locality: data.locality(r) },
  };
}

// ---------------------------------------------------------------------------------------------
// Texts

/** One piece of personal data in a generated text: its kind and exact span. */
export interface PiiLabel {
  kind: PiiKind;
  start: number;
  end: number;
  value: string;
  /** Finer kind: the national id scheme, `ipv4`/`ipv6`, the card brand, `national`/`international`. */
  detail?: string;
}

/** A generated text and the personal data in it (none for negative texts). */
export interface PiiText {
  text: string;
  labels: PiiLabel[];
  /** The template that produced it, for finding which phrasing a detector misses. */
  template: string;
  country?: PiiCountry;
}

type Part = string | { kind: PiiKind; value: string; detail?: string };
type Template = (p: SyntheticPerson, r: SeededRandom) => Part[];

function assemble(parts: readonly Part[], template: string, country?: PiiCountry): PiiText {
  let text = '';
  const labels: PiiLabel[] = [];
  for (const part of parts) {
    if (typeof part === 'string') text += part;
    else {
      labels.push({ kind: part.kind, start: text.length, end: text.length + part.value.length, value: part.value, ...(part.detail ? { detail: part.detail } : {}) });
      text += part.value;
    }
  }
  return { text, labels, template, ...(country ? { country } : {}) };
}

const name = (p: SyntheticPerson) => `${p.firstName} ${p.lastName}`;
const email = (p: SyntheticPerson): Part => ({ kind: 'email', value: p.email });
const phone = (p: SyntheticPerson, r: SeededRandom): Part => {
  const which = r.chance(0.7) ? p.mobile : p.landline;
  const international = r.chance(0.45);
  return { kind: 'phone', value: international ? which.international : which.national, detail: international ? 'international' : 'national' };
};
const card = (p: SyntheticPerson): Part => ({ kind: 'payment_card', value: p.card.number, detail: p.card.brand });
const iban = (p: SyntheticPerson): Part => ({ kind: 'iban', value: p.iban });
const nationalId = (p: SyntheticPerson): Part => ({ kind: 'national_id', value: p.nationalId.value, detail: p.nationalId.scheme });
const ip = (p: SyntheticPerson, r: SeededRandom): Part => (r.chance(0.6) ? { kind: 'ip_address', value: p.ipv4, detail: 'ipv4' } : { kind: 'ip_address', value: p.ipv6, detail: 'ipv6' });
const address = (p: SyntheticPerson, r: SeededRandom, withLocality = r.chance(0.7)): Part => ({
  kind: 'street_address',
  value: withLocality ? `${p.address.street}, ${p.address.locality}` : p.address.street,
});
/**
 * The street written the way people shorten it: `r.` and `bd` in French, `V.le` and `P.zza` in
 * Italian, `C/` in Spanish, lower case in English. Some of these the detector is not expected to catch.
 */
function abbreviatedStreet(p: SyntheticPerson, r: SeededRandom): string {
  const street = p.address.street;
  const shortened = street
    .replace(/\brue\b/, 'r.')
    .replace(/\bboulevard\b/, 'bd')
    .replace(/\bavenue\b/, 'av.')
    .replace(/^Viale\b/, 'V.le')
    .replace(/^Piazza\b/, 'P.zza')
    .replace(/^Calle\b/, 'C/')
    .replace(/straße\b/, 'str.')
    .replace(/Straße\b/, 'Str.')
    .replace(/\bStreet\b/, 'St.')
    .replace(/\bRoad\b/, 'Rd.');
  return shortened !== street || r.chance(0.5) ? shortened : street.toLowerCase();
}

const last4 = (p: SyntheticPerson) => p.card.number.replace(/\D/g, '').slice(-4);
const idLabel = (p: SyntheticPerson, r: SeededRandom) => r.pick(p.nationalId.labels);

/** Words of the person's language for a few labels (English elsewhere). */
const LOCAL_LABELS: Readonly<Record<PiiCountry, { address: string; phone: string; email: string; iban: string }>> = {
  US: { address: 'Shipping address: ', phone: 'Phone: ', email: 'Email: ', iban: 'IBAN: ' },
  UK: { address: 'Delivery address: ', phone: 'Tel: ', email: 'Email: ', iban: 'IBAN: ' },
  CA: { address: 'Mailing address: ', phone: 'Phone: ', email: 'E-mail: ', iban: 'IBAN: ' },
  IN: { address: 'Address: ', phone: 'Mobile: ', email: 'Email ID: ', iban: 'IBAN: ' },
  FR: { address: 'Nouvelle adresse : ', phone: 'Téléphone : ', email: 'Adresse e-mail : ', iban: 'IBAN : ' },
  DE: { address: 'Lieferadresse: ', phone: 'Telefon: ', email: 'E-Mail: ', iban: 'Ihre IBAN lautet ' },
  ES: { address: 'Dirección de envío: ', phone: 'Teléfono: ', email: 'Correo electrónico: ', iban: 'Cuenta (IBAN): ' },
  IT: { address: 'Indirizzo di consegna: ', phone: 'Cellulare: ', email: 'E-mail: ', iban: 'IBAN del conto: ' },
  NL: { address: 'Bezorgadres: ', phone: 'Telefoonnummer: ', email: 'E-mailadres: ', iban: 'Rekeningnummer (IBAN): ' },
};

const TEMPLATES: Readonly<Record<PiiKind, readonly Template[]>> = {
  email: [
    (p) => ['You can reach ', name(p), ' at ', email(p), '.'],
    (p) => ["I've updated the contact e-mail to ", email(p), ' as requested.'],
    (p) => ['A confirmation was sent to <', email(p), '> a minute ago.'],
    (p) => [LOCAL_LABELS[p.country].email, email(p)],
    (p) => ['{"customer": "', name(p), '", "email": "', email(p), '", "tier": "gold"}'],
    (p) => ['The account owner is ', name(p), ' (', email(p), '), created on 2023-04-11.'],
    (p) => ['Forwarding the receipt to ', email(p), ' now — it should arrive within a few minutes.'],
    (p) => [`${name(p)} <`, { kind: 'email', value: p.email.replace(/^./, (c) => c.toUpperCase()).replace(/@(.)/, (_, c: string) => `@${c.toUpperCase()}`) }, '>'],
    (p) => ['[Send an e-mail](mailto:', email(p), ') if anything is missing.'],
    (p) => ['They sign up with ', { kind: 'email', value: p.email.replace('@', '+shop@') }, ' for the newsletter.'],
  ],
  phone: [
    (p, r) => ['Call ', name(p), ' on ', phone(p, r), ' if the courier is late.'],
    (p, r) => [LOCAL_LABELS[p.country].phone, phone(p, r)],
    (p, r) => ['Mobile number updated to ', phone(p, r), '.'],
    (p, r) => ['Their number is ', phone(p, r), ' (mobile).'],
    (p, r) => ['I tried ', phone(p, r), ' twice but nobody answered.'],
    (p, r) => ['You can reach them at ', phone(p, r), ' between 9 and 5.'],
    (p, r) => ['- ', name(p), ': ', phone(p, r)],
    (p, r) => ['{"name": "', name(p), '", "phone": "', phone(p, r), '"}'],
    (p) => ['Direct line: ', { kind: 'phone', value: p.landline.international.replace(/^\+(\d+)/, '(+$1)'), detail: 'international' }, '.'],
    (p) => ['Reach the office at ', { kind: 'phone', value: `${p.landline.international} ext. 23`.replace(/ ext\. 23$/, ''), detail: 'international' }, ' ext. 23.'],
    (p) => ['[Call](tel:', { kind: 'phone', value: p.mobile.international.replace('(0)', '').replace(/^00/, '+').replace(/[^\d+]/g, ''), detail: 'international' }, ')'],
  ],
  payment_card: [
    (p) => ['Your card ', card(p), ` (${p.card.brand} ending ${last4(p)}) was charged €42.10.`],
    (p) => ['Card number: ', card(p)],
    (p) => [`The payment used ${p.card.brand} `, card(p), ', expiry 09/27.'],
    (p) => ["I've saved the card ", card(p), ' on the account.'],
    (p) => ['{"pan": "', card(p), '", "exp": "11/28"}'],
    (p) => ['Refund issued to ', card(p), '.'],
    (p) => ['The charge of $18.99 on ', card(p), ' was reversed on 2024-02-03.'],
  ],
  iban: [
    (p) => ['The refund will be sent to IBAN ', iban(p), '.'],
    (p) => [LOCAL_LABELS[p.country].iban, iban(p)],
    (p, r) => ['Please transfer the amount to ', name(p), ', ', iban(p), `, reference ORD-${r.digits(6)}.`],
    (p) => ['Bank details on file: ', iban(p), ' (', name(p), ').'],
    (p) => ['{"holder": "', name(p), '", "iban": "', iban(p), '"}'],
    (p) => ['I changed the payout account to ', iban(p), ' as you asked.'],
  ],
  national_id: [
    (p, r) => [`${idLabel(p, r)}: `, nationalId(p)],
    (p, r) => [`I've verified the ${idLabel(p, r)} `, nationalId(p), ' against the record.'],
    (p, r) => [`The ${idLabel(p, r)} on file is `, nationalId(p), '.'],
    (p, r) => [`{"name": "${name(p)}", "${idLabel(p, r)}": "`, nationalId(p), '"}'],
    (p, r) => [`${name(p)} — ${idLabel(p, r)} `, nationalId(p), ', verified 2024-01-12.'],
    (p) => ['Identity confirmed for ', name(p), ' (', nationalId(p), ').'],
    (p) => ['Identification on record: ', nationalId(p), '.'],
  ],
  ip_address: [
    (p, r) => ['Last login from ', ip(p, r), ' at 08:14 UTC.'],
    (p, r) => ['Blocked IP: ', ip(p, r)],
    (p, r) => ['{"client_ip": "', ip(p, r), '", "user_agent": "Mozilla/5.0"}'],
    (p) => ['Sessions: ', { kind: 'ip_address', value: p.ipv4, detail: 'ipv4' }, ' (Chrome 124.0.6367.60), ', { kind: 'ip_address', value: p.ipv6, detail: 'ipv6' }, ' (Safari 17.4.1)'],
    (p, r) => ['The order was placed from ', ip(p, r), ', which matches the billing country.'],
    (p) => ['Admin panel opened at http://', { kind: 'ip_address', value: p.ipv4, detail: 'ipv4' }, ':8443/login by the customer.'],
    (p) => ['The webhook called [', { kind: 'ip_address', value: p.ipv6, detail: 'ipv6' }, ']:443 from their router.'],
  ],
  street_address: [
    (p, r) => ["I've updated the address to ", address(p, r), '.'],
    (p, r) => [LOCAL_LABELS[p.country].address, address(p, r)],
    (p, r) => ['The parcel will be delivered to ', address(p, r), ' on Tuesday.'],
    (p) => [`${name(p)}\n`, { kind: 'street_address', value: `${p.address.street}\n${p.address.locality}` }],
    (p, r) => ['{"name": "', name(p), '", "address": "', address(p, r), '"}'],
    (p, r) => ['Invoice address: ', address(p, r, true), ' (since March).'],
  ],
};

/**
 * Harder phrasings, kept apart so that their recall is measured on its own: values without any
 * word that names them, compact numbers, abbreviated or lower-case streets, obfuscated e-mail
 * addresses, lower-case IBANs. Several of these a pattern-based detector cannot tell from a
 * reference number without also flagging reference numbers.
 */
const HARD_TEMPLATES: Readonly<Record<PiiKind, readonly Template[]>> = {
  email: [(p) => ['Write to ', { kind: 'email', value: p.email.replace('@', ' at ').replace(/\./g, ' dot ') }, ' for the paperwork.']],
  phone: [
    (p) => [`${p.firstName}: `, { kind: 'phone', value: p.mobile.national.replace(/[^\d]/g, ''), detail: 'national compact' }],
    (p) => [`${name(p)} (`, { kind: 'phone', value: p.landline.national.replace(/[^\d]/g, ''), detail: 'national compact' }, ')'],
  ],
  payment_card: [(p) => ['Saved: ', { kind: 'payment_card', value: p.card.number.replace(/\D/g, '').replace(/(\d{4})(?=\d)/g, '$1.'), detail: p.card.brand }]],
  iban: [(p) => ['Account ', { kind: 'iban', value: p.iban.toLowerCase() }, ' (copied from the form).']],
  national_id: [
    (p) => [`${name(p)} (`, nationalId(p), ')'],
    (p) => ['- ', name(p), ', ', nationalId(p), ', ', p.address.locality],
  ],
  ip_address: [(p) => ['Seen from ', { kind: 'ip_address', value: p.ipv6.toUpperCase(), detail: 'ipv6' }, ' last week.']],
  street_address: [
    (p, r) => ['Please send it to ', { kind: 'street_address', value: abbreviatedStreet(p, r) }, ', ', { kind: 'street_address', value: p.address.locality }, '.'],
    (p) => ['Ship to ', { kind: 'street_address', value: `${p.address.street.toLowerCase()}, ${p.address.locality}` }, ' please.'],
  ],
};

/** Templates that carry several kinds at once: records, lists, tables. */
const RECORD_TEMPLATES: readonly Template[] = [
  (p, r) => [
    'Here is what I have on file:\n- Name: ', name(p), '\n- Email: ', email(p), '\n- Phone: ', phone(p, r), '\n- Address: ', address(p, r), `\n- ${idLabel(p, r)}: `, nationalId(p),
  ],
  (p, r) => ['{"name": "', name(p), '", "email": "', email(p), '", "phone": "', phone(p, r), '", "address": "', address(p, r, true), '", "iban": "', iban(p), '"}'],
  (p, r) => ['| Name | Email | Phone |\n|---|---|---|\n| ', name(p), ' | ', email(p), ' | ', phone(p, r), ' |'],
  (p, r) => [
    `Sure — ${p.firstName}'s card `, card(p), ` is registered to `, address(p, r, true), `, and the last login came from `, ip(p, r), '.',
  ],
];

/**
 * A positive text about `person` that carries at least one value of `kind` (or, without a kind, a
 * record of several kinds); with `hard`, one of the harder phrasings.
 */
export function generatePositiveText(r: SeededRandom, person: SyntheticPerson, kind?: PiiKind, hard = false): PiiText {
  const pool = kind === undefined ? RECORD_TEMPLATES : (hard ? HARD_TEMPLATES : TEMPLATES)[kind];
  const index = r.int(0, pool.length - 1);
  const text = assemble(pool[index]!(person, r), `${kind ?? 'record'}${hard ? '/hard' : ''}#${index}`, person.country);
  if (!r.chance(0.5)) return text;
  // A near-miss around it, as real answers have.
  const noise = generateNearMiss(r, false);
  return r.chance(0.5)
    ? { ...text, text: `${noise} ${text.text}`, labels: text.labels.map((l) => ({ ...l, start: l.start + noise.length + 1, end: l.end + noise.length + 1 })) }
    : { ...text, text: `${text.text}\n${noise}` };
}

// ---------------------------------------------------------------------------------------------
// Near-misses

function isoDate(r: SeededRandom): string {
  return `20${r.int(19, 26)}-${String(r.int(1, 12)).padStart(2, '0')}-${String(r.int(1, 28)).padStart(2, '0')}`;
}

function failingLuhn(r: SeededRandom): string {
  const { digits } = generateCard(r);
  const last = Number(digits[digits.length - 1]);
  const wrong = digits.slice(0, -1) + String((last + r.int(1, 9)) % 10);
  return groupDigits(wrong, wrong.length === 15 ? [4, 6, 5] : wrong.length === 14 ? [4, 6, 4] : [4, 4, 4, 4], ' ');
}

function wrongIban(r: SeededRandom): string {
  const iban = generateIban(r, r.pick(['DE', 'FR', 'GB', 'ES', 'IT', 'NL'])).replace(/ /g, '');
  const check = Number(iban.slice(2, 4));
  const broken = iban.slice(0, 2) + String(((check + r.int(1, 50)) % 97) + 2).padStart(2, '0').slice(-2) + iban.slice(4);
  return broken.match(/.{1,4}/g)!.join(' ');
}

/** A national id with its check broken (or its structure invalid), with its label. */
function wrongNationalId(r: SeededRandom): string {
  const p = generatePerson(r, r.pick(['FR', 'DE', 'ES', 'IT', 'NL', 'CA', 'IN']));
  const id = p.nationalId.value;
  const label = r.pick(p.nationalId.labels);
  let broken: string;
  const lastChar = id[id.length - 1]!;
  if (/\d/.test(lastChar)) broken = id.slice(0, -1) + String((Number(lastChar) + r.int(1, 9)) % 10);
  else broken = id.slice(0, -1) + (lastChar === 'A' ? 'B' : 'A');
  // NIR keys are two digits; bump the first too so that the key cannot stay valid.
  if (p.nationalId.scheme === 'FR NIR') broken = broken.replace(/(\d)(\d)$/, (_, a: string, b: string) => `${(Number(a) + 1) % 10}${b}`);
  return `${label} ${broken} (invalid, please re-check)`;
}

const NEAR_MISSES: ReadonlyArray<(r: SeededRandom) => string> = [
  (r) => `Order #${r.digits(8)} has shipped.`,
  (r) => `Your order ORD-${r.int(2019, 2026)}-${r.digits(6)} is on its way.`,
  (r) => `Order number ${r.int(1, 9)}${r.digits(9)} was cancelled on ${isoDate(r)}.`,
  (r) => `Invoice INV-${r.int(2019, 2026)}-${r.digits(5)} is due on ${isoDate(r)}.`,
  (r) => `Invoice no. ${r.int(2019, 2026)}/${r.digits(5)} totals €${r.int(10, 999)},${r.digits(2)}.`,
  (r) => `Tracking number 1Z${r.letters(3)}${r.digits(3)}${r.digits(10)} (UPS).`,
  (r) => `USPS tracking: 9400 ${r.digits(4)} ${r.digits(4)} ${r.digits(4)} ${r.digits(4)} ${r.digits(2)}.`,
  (r) => `DHL shipment JD0146${r.digits(12)} left the hub.`,
  (r) => `Updated at ${isoDate(r)}T${String(r.int(0, 23)).padStart(2, '0')}:${String(r.int(0, 59)).padStart(2, '0')}:${String(r.int(0, 59)).padStart(2, '0')}Z.`,
  (r) => `The call is booked for ${String(r.int(1, 28)).padStart(2, '0')}.${String(r.int(1, 12)).padStart(2, '0')}.${r.int(2023, 2026)} ${r.int(8, 18)}:${r.pick(['00', '15', '30', '45'])}.`,
  (r) => `Unix timestamp ${r.int(1_600_000_000, 1_800_000_000)} in the logs.`,
  (r) => `The total was $${r.int(1, 9)},${r.digits(3)}.${r.digits(2)} including tax.`,
  (r) => `Price: € ${r.int(1, 9)}.${r.digits(3)},${r.digits(2)} or ${r.int(1, 9)} ${r.digits(3)},${r.digits(2)} € in French format.`,
  (r) => `We have ${r.int(1, 99)} ${r.digits(3)} ${r.digits(3)} rows in the table.`,
  (r) => `Upgrade to version ${r.int(1, 12)}.${r.int(0, 30)}.${r.int(0, 40)}.${r.int(0, 200)} to fix it.`,
  (r) => `Requires Node ${r.int(16, 22)}.${r.int(0, 20)}.${r.int(0, 9)} and build ${r.int(1, 9)}.${r.int(0, 20)}.${r.int(0, 9)}.${r.int(0, 9)}.`,
  (r) => `Release v${r.int(1, 9)}.${r.int(0, 30)}.${r.int(0, 30)}-beta.${r.int(1, 9)} is out.`,
  (r) => `Test card ${failingLuhn(r)} was declined as invalid.`,
  (r) => `The IBAN ${wrongIban(r)} failed validation.`,
  (r) => wrongNationalId(r),
  (r) => `SKU-${r.digits(5)}-${r.pick(['BLK', 'WHT', 'RED'])}-${r.pick(['S', 'M', 'XL'])} is back in stock.`,
  (r) => `Part no. ${r.digits(2)}-${r.digits(4)}-${r.digits(2)} fits the ${r.int(2015, 2024)} model.`,
  (r) => `Request id ${[8, 4, 4, 4, 12].map((n) => Array.from({ length: n }, () => r.int(0, 15).toString(16)).join('')).join('-')}.`,
  (r) => `Commit ${Array.from({ length: 12 }, () => r.int(0, 15).toString(16)).join('')} fixed it.`,
  (r) => `Device MAC ${Array.from({ length: 6 }, () => r.int(0, 255).toString(16).padStart(2, '0').toUpperCase()).join(':')} was reset at ${r.int(10, 23)}:${r.int(10, 59)}:${r.int(10, 59)}.`,
  (r) => `ISBN 978-${r.int(0, 9)}-${r.digits(2)}-${r.digits(6)}-${r.int(0, 9)}.`,
  (r) => `Your card ending ${r.digits(4)} was charged $${r.int(5, 99)}.${r.digits(2)}.`,
  () => `Write to support@acme-shop.com or noreply@acme-shop.com; our logo is logo@2x.png.`,
  (r) => `The service listens on 127.0.0.1:${r.int(1024, 9999)} and the internal host 10.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}; netmask 255.255.255.0.`,
  (r) => `See section ${r.int(1, 9)}.${r.int(1, 9)}.${r.int(1, 9)}.${r.int(1, 9)} of the terms.`,
  (r) => `Case ${r.digits(8)} was escalated; ticket CS-${r.digits(4)}-${r.digits(4)}.`,
  (r) => `Gate ${r.int(1, 40)}, Terminal ${r.int(1, 5)}, Platform ${r.int(1, 12)}, Room ${r.int(100, 999)}.`,
  (r) => `Step ${r.int(1, 9)}: Drive to the warehouse and take Route ${r.int(1, 99)}.`,
  (r) => `Our Spring ${r.int(2023, 2026)} collection ships in ${r.int(2, 5)} to ${r.int(6, 9)} days.`,
  (r) => `We shipped ${r.int(2, 40)} Road bikes and ${r.int(2, 40)} Oak tables.`,
  (r) => `Ratio ${r.int(1, 9)}:${r.int(1, 9)}, scale 1:${r.int(10, 500)}, std::vector<int>, a::b.`,
  (r) => `Coordinates ${r.int(10, 60)}.${r.digits(4)}, ${r.int(1, 30)}.${r.digits(4)}.`,
  (r) => `Batch ${r.digits(6)} / lot ${r.digits(4)} expires ${String(r.int(1, 12)).padStart(2, '0')}/${r.int(25, 30)}.`,
  (r) => `Reference ${r.digits(4)} ${r.digits(4)} ${r.digits(4)} for the bank transfer.`,
  (r) => `Customer id ${r.digits(9)} has ${r.int(2, 9)} open orders.`,
];

/**
 * Near-misses that only words or world knowledge tell apart from personal data: a tracking number
 * shaped like an Aadhaar, versions without the word "version", large numbers grouped like phone
 * numbers, a street name in a brand.
 */
const HARD_NEAR_MISSES: ReadonlyArray<(r: SeededRandom) => string> = [
  (r) => `FedEx ${r.int(2, 9)}${r.digits(3)} ${r.digits(4)} ${r.digits(4)} arrives on Monday.`,
  (r) => `Please install ${r.int(1, 9)}.${r.int(0, 9)}.${r.int(0, 9)}.${r.int(0, 9)} or later before retrying.`,
  (r) => `Upgrade the firmware to ${r.int(1, 9)}.${r.int(0, 20)}.${r.int(0, 9)}.${r.int(0, 99)} tonight.`,
  (r) => `IMEI ${r.digits(15)} is registered to the handset.`,
  (r) => `Between ${r.int(1990, 2010)} and ${r.int(2011, 2024)} we sold ${r.int(100, 999)} ${r.digits(3)} ${r.digits(3)} units.`,
  (r) => `Meeting at ${r.int(9, 17)}.${r.pick(['00', '15', '30', '45'])} in room ${r.int(1, 9)}.${r.digits(2)}, ${isoDate(r)}.`,
  (r) => `Model ${r.letters(2)}-${r.digits(4)} ships with ${r.int(2, 9)} Park Avenue brand cables.`,
  (r) => `Call volume was ${r.int(1, 9)} ${r.digits(3)} ${r.digits(3)} in ${r.pick(['March', 'April', 'May'])}, up ${r.int(1, 30)}%.`,
];

function generateNearMiss(r: SeededRandom, hard: boolean): string {
  return r.pick(hard ? HARD_NEAR_MISSES : NEAR_MISSES)(r);
}

/** A negative text: two to four near-miss sentences and no personal data; with `hard`, one of them a hard near-miss. */
export function generateNegativeText(r: SeededRandom, hard = false): PiiText {
  const sentences = Array.from({ length: r.int(2, 4) }, () => generateNearMiss(r, false));
  if (hard) sentences.splice(r.int(0, sentences.length), 0, generateNearMiss(r, true));
  return { text: sentences.join(' '), labels: [], template: hard ? 'negative/hard' : 'negative' };
}

// ---------------------------------------------------------------------------------------------
// Corpora

/** Sizes of a corpus from {@link generatePiiCorpus}. */
export interface PiiCorpusOptions {
  /** @default 1 */
  seed?: number;
  /** Positive texts for each kind, plus a tenth as many multi-kind records. @default 200 */
  perKind?: number;
  /** Negative texts. @default 1000 */
  negatives?: number;
  /** Positive texts for each kind in the harder phrasings. @default a quarter of `perKind` */
  hardPerKind?: number;
  /** Negative texts with a hard near-miss. @default a quarter of `negatives` */
  hardNegatives?: number;
}

/** A labelled corpus: positives (with their people) and negatives, in the usual and the harder phrasings. */
export interface PiiCorpus {
  people: SyntheticPerson[];
  positives: PiiText[];
  negatives: PiiText[];
  hardPositives: PiiText[];
  hardNegatives: PiiText[];
}

const CORPUS_KINDS: readonly PiiKind[] = ['email', 'phone', 'payment_card', 'iban', 'national_id', 'ip_address', 'street_address'];

/**
 * A deterministic corpus: for each kind, `perKind` positive texts about people of every country in
 * turn (plus a tenth as many multi-kind records) and `negatives` negative texts; and the same in the
 * harder phrasings, `hardPerKind` and `hardNegatives`.
 */
export function generatePiiCorpus(options: PiiCorpusOptions = {}): PiiCorpus {
  const r = new SeededRandom(options.seed ?? 1);
  const perKind = options.perKind ?? 200;
  const people: SyntheticPerson[] = [];
  const positives: PiiText[] = [];
  let i = 0;
  const nextPerson = () => {
    const person = generatePerson(r, PII_COUNTRIES[i++ % PII_COUNTRIES.length]!);
    people.push(person);
    return person;
  };
  for (const kind of CORPUS_KINDS) for (let k = 0; k < perKind; k++) positives.push(generatePositiveText(r, nextPerson(), kind));
  for (let k = 0; k < Math.ceil(perKind / 10); k++) positives.push(generatePositiveText(r, nextPerson()));
  const negativeCount = options.negatives ?? 1000;
  const negatives = Array.from({ length: negativeCount }, () => generateNegativeText(r));
  const hardPositives: PiiText[] = [];
  const hardPerKind = options.hardPerKind ?? Math.ceil(perKind / 4);
  for (const kind of CORPUS_KINDS) for (let k = 0; k < hardPerKind; k++) hardPositives.push(generatePositiveText(r, nextPerson(), kind, true));
  const hardNegatives = Array.from({ length: options.hardNegatives ?? Math.ceil(negativeCount / 4) }, () => generateNegativeText(r, true));
  return { people, positives, negatives, hardPositives, hardNegatives };
}

/** An answer of at least `minChars` characters: positive and negative texts in turn, separated by blank lines. */
export function generateLongAnswer(r: SeededRandom, minChars: number): PiiText {
  let text = '';
  const labels: PiiLabel[] = [];
  while (text.length < minChars) {
    const part = r.chance(0.5) ? generatePositiveText(r, generatePerson(r, r.pick(PII_COUNTRIES)), r.pick(CORPUS_KINDS)) : generateNegativeText(r, r.chance(0.2));
    const offset = text.length === 0 ? 0 : text.length + 2;
    text = text.length === 0 ? part.text : `${text}\n\n${part.text}`;
    for (const l of part.labels) labels.push({ ...l, start: l.start + offset, end: l.end + offset });
  }
  return { text, labels, template: 'long' };
}
