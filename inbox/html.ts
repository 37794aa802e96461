/**
 * HTML that is safe by construction: every value interpolated into {@link html} is escaped unless it
 * is itself {@link SafeHtml} made here. Tool inputs, the agent's reason, session ids, agent and
 * tenant names are attacker-controlled; nothing of theirs reaches a page unescaped.
 */

/** A fragment of HTML made by {@link html} (never from outside text). */
export class SafeHtml {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/**
 * Bidirectional overrides and isolates (which can make text read differently from what it is,
 * "Trojan Source"), zero-width characters and other invisible controls, shown visibly as `<U+202E>`.
 */
const INVISIBLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/g;

/** Escapes text for HTML element content and quoted attribute values; invisible controls are made visible. */
export function escapeHtml(value: unknown): string {
  return String(value)
    .replace(/[&<>"'`]/g, (c) => ENTITIES[c]!)
    .replace(INVISIBLE, (c) => `&lt;U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}&gt;`);
}

/** What may be interpolated into {@link html}: text (escaped), fragments, lists of them, nothing. */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

/** A tagged template that escapes every interpolated value (arrays are joined, null/undefined/false render nothing). */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0]!;
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1]!;
  });
  return new SafeHtml(out);
}

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(value);
}

/** `text` cut to `max` characters, with how much was left out. */
export function bounded(text: string, max: number): { text: string; omitted: number } {
  return text.length <= max ? { text, omitted: 0 } : { text: text.slice(0, max), omitted: text.length - max };
}

/** A value as indented JSON for a person to read, cut to `max` characters. */
export function readableJson(value: unknown, max: number): { text: string; omitted: number } {
  let text: string;
  try {
    text = JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    text = String(value);
  }
  return bounded(text, max);
}

/** A duration as a person says it: `45 s`, `12 min`, `3 h 5 min`, `2 d 4 h`. */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h${m % 60 ? ` ${m % 60} min` : ''}`;
  return `${Math.floor(h / 24)} d${h % 24 ? ` ${h % 24} h` : ''}`;
}

/** A time as `2026-05-01 14:03:07 UTC`. */
export function utcTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
