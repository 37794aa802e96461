/**
 * A value a PII detector found, before the allow-list and the score threshold, and what the
 * detectors of `pii.ts`, `pii-phone.ts`, `pii-card.ts`, `pii-national-id.ts` and `pii-address.ts`
 * share to read the text around it: windows before and after a span, the words that make a number
 * a business reference or a quantity, character classes, the Luhn check. Pure.
 */

/** The kinds of personal data `detectPii` looks for; a finding's `kind`. */
export type PiiKind = 'email' | 'phone' | 'payment_card' | 'iban' | 'national_id' | 'ip_address' | 'street_address';

/** A value a detector found, before the allow-list and the score threshold. */
export interface PiiCandidate {
  kind: PiiKind;
  start: number;
  end: number;
  score: number;
  /** The value as `normalizePiiValue` gives it; computed from the span when absent. */
  value?: string;
  message: string;
}

/**
 * A detector: calls `push` for each candidate it finds in `text`. `claimed` tells whether a span
 * overlaps a value an earlier detector already took (such a candidate would be dropped): a detector
 * may skip costly checks of it.
 */
export type PiiScanner = (text: string, push: (candidate: PiiCandidate) => void, claimed: (start: number, end: number) => boolean) => void;

/** The `width` characters before `start`, lower-cased. */
export function before(text: string, start: number, width: number): string {
  return text.slice(Math.max(0, start - width), start).toLowerCase();
}

/** The `width` characters after `end`, lower-cased. */
export function after(text: string, end: number, width: number): string {
  return text.slice(end, end + width).toLowerCase();
}

/**
 * Words that, just before a number, say it is some business reference rather than personal data
 * (in English, German, French, Spanish, Italian, Dutch, Portuguese and Polish). Ending the window:
 * the number follows them with at most a few characters (`#`, `:`, `no.`, `n°`).
 */
const REFERENCE_CONTEXT = new RegExp(
  String.raw`(?:^|[^\p{L}])(?:order|orders|invoice|inv|tracking|track|trace|shipment|parcel|package|fedex|ups|dhl|usps|gls|dpd|tnt|colissimo|awb|waybill|ref|reference|ticket|case|claim|sku|ean|gtin|upc|part|item|model|serial|batch|lot|po|receipt|booking|confirmation|transaction|txn|account|acct|customer|cust|client|id|isbn|imei|meid|iccid|version|build|timestamp|epoch|unix|meeting|webinar|conference|passcode|pin|code|vat|siret|siren|abn|acn|nip|regon|krs|rfc|gstin|cnpj|clabe|bsb|routing|sort code|folio|guía|guia|protocolo|pedido|nota fiscal|rastreio|rastreamento|bestellung|bestellnummer|auftrag|auftragsnummer|rechnung|rechnungsnummer|sendung|sendungsnummer|kundennummer|vertragsnummer|vertrag|vorgang|vorgangsnummer|aktenzeichen|artikelnummer|artikel|commande|facture|référence|dossier|colis|suivi|factura|expediente|seguimiento|localizador|envío|ordine|fattura|pratica|spedizione|codice ordine|bestelling|factuur|klantnummer|contractnummer|zaak|zending|zamówienie|zamówienia|faktura|przesyłka|przesyłki|numer przesyłki|partita iva|ust-idnr|mrn|dob|room|raum|salle|sala|kamer|seat|flight|vuelo|volo|vol)\.?\s*(?:no\.?|number|nr\.?|num|n[°º]\.?|#|id|nummer|numéro|número|numero|numer)?\s*[:#.-]?\s*$`,
  'u',
);

/** Words right after a number that make it a quantity or an amount (`647 019 602 units`). */
export const QUANTITY_AFTER =
  /^[ \t]*(?:units|items|pieces|pcs|people|users|rows|records|times|visits|views|calls|customers|orders|euros?|eur|usd|dollars|pounds|gbp|mxn|brl|pln|zł|zl|inr|jpy|km|kg|g|mb|gb|kb|bytes|stück|stk|unités|unidades|pezzi|stuks|sztuk|€|\$|£|¥|₹|%)(?![a-z])/;

/** Whether the words just before `start` make the number there a business reference. */
export function hasReferenceContext(text: string, start: number): boolean {
  const window = before(text, start, 32);
  return REFERENCE_CONTEXT.test(window.slice(window.lastIndexOf('\n') + 1));
}

/** The last `n` characters of a value's letters and digits, for messages. */
export function lastChars(value: string, n: number): string {
  return value.replace(/[^0-9A-Za-z]/g, '').slice(-n);
}

export function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

export function isAlnum(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

export function digitsOf(s: string): string {
  return s.replace(/\D/g, '');
}

/** Luhn (mod 10) check of a string of digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}
