/** Prices of a model in USD per million tokens. */
export interface ModelPrice {
  input: number;
  output: number;
}

/**
 * Default prices per million tokens (Anthropic's list prices in November 2026; Haiku 5.5 at its rate for prompts up to 100k tokens). A model that is not listed is
 * priced by the longest listed prefix of its name, else as {@link FALLBACK_PRICE}.
 */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = {
  'claude-fable-5-1': { input: 10, output: 50 },
  'claude-fable-5': { input: 10, output: 50 },
  'claude-opus-5-5': { input: 4, output: 20 },
  'claude-opus-5': { input: 5, output: 25 },
  'claude-opus-4-5': { input: 5, output: 25 },
  'claude-opus-4-6': { input: 5, output: 25 },
  'claude-opus-4-7': { input: 5, output: 25 },
  'claude-opus-4-8': { input: 5, output: 25 },
  'claude-opus-4-1': { input: 15, output: 75 },
  'claude-opus-4': { input: 15, output: 75 },
  'claude-sonnet-5-5': { input: 2, output: 10 },
  'claude-sonnet-5': { input: 2, output: 10 },
  'claude-sonnet-4': { input: 3, output: 15 },
  'claude-haiku-5-5': { input: 0.1, output: 0.5 },
  'claude-haiku-4-5': { input: 1, output: 5 },
  'claude-3-5-haiku': { input: 0.8, output: 4 },
};

/** Price used for a model with no listed price (Sonnet 4's, so that a cost is never reported as zero). */
export const FALLBACK_PRICE: ModelPrice = { input: 3, output: 15 };

/** The price of `model` in `prices`. */
export function priceOf(model: string, prices: Readonly<Record<string, ModelPrice>> = DEFAULT_PRICES): ModelPrice {
  let best: string | undefined;
  for (const name of Object.keys(prices)) {
    if (model.startsWith(name) && (!best || name.length > best.length)) best = name;
  }
  return best ? prices[best]! : FALLBACK_PRICE;
}

/** Cost in USD of one model call. */
export function costOf(model: string, usage: { inputTokens: number; outputTokens: number }, prices = DEFAULT_PRICES): number {
  const price = priceOf(model, prices);
  return (usage.inputTokens * price.input + usage.outputTokens * price.output) / 1_000_000;
}
