/** Prices of a model in USD per million tokens. */
export interface ModelPrice {
  input: number;
  output: number;
  /** Prompt-cache writes with the 5-minute TTL. @default 1.25 × input */
  cacheWrite5m?: number;
  /** Prompt-cache writes with the 1-hour TTL. @default 2 × input */
  cacheWrite1h?: number;
  /** Prompt-cache reads. @default 0.1 × input */
  cacheRead?: number;
}

/** Token usage of one model call, as priced. */
export interface PricedUsage {
  inputTokens: number;
  outputTokens: number;
  /** Prompt tokens written to the cache with the 5-minute TTL. */
  cacheWrite5mTokens?: number;
  /** Prompt tokens written to the cache with the 1-hour TTL. */
  cacheWrite1hTokens?: number;
  /** Prompt tokens read from the cache. */
  cacheReadTokens?: number;
}

/**
 * Default prices per million tokens (Anthropic's list prices in November 2026; Haiku 5.5 at its rate for prompts up to 100k tokens). A model that is not listed is
 * priced by the longest listed prefix of its name, else as {@link FALLBACK_PRICE}.
 */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = {
  'claude-fable-5-1': { input: 10, output: 50, cacheWrite5m: 12.5, cacheWrite1h: 20, cacheRead: 0.25 },
  'claude-fable-5': { input: 10, output: 50 },
  'claude-opus-5-5': { input: 4, output: 20, cacheWrite5m: 5, cacheWrite1h: 8, cacheRead: 0.2 },
  'claude-opus-5': { input: 5, output: 25 },
  'claude-opus-4-5': { input: 5, output: 25 },
  'claude-opus-4-6': { input: 5, output: 25 },
  'claude-opus-4-7': { input: 5, output: 25 },
  'claude-opus-4-8': { input: 5, output: 25 },
  'claude-opus-4-1': { input: 15, output: 75 },
  'claude-opus-4': { input: 15, output: 75 },
  'claude-sonnet-5-5': { input: 2, output: 10, cacheWrite5m: 2.5, cacheWrite1h: 4, cacheRead: 0.2 },
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

/** Cost in USD of one model call, cache writes and reads included. */
export function costOf(model: string, usage: PricedUsage, prices = DEFAULT_PRICES): number {
  const price = priceOf(model, prices);
  const write5m = price.cacheWrite5m ?? price.input * 1.25;
  const write1h = price.cacheWrite1h ?? price.input * 2;
  const read = price.cacheRead ?? price.input * 0.1;
  return (
    (usage.inputTokens * price.input +
      usage.outputTokens * price.output +
      (usage.cacheWrite5mTokens ?? 0) * write5m +
      (usage.cacheWrite1hTokens ?? 0) * write1h +
      (usage.cacheReadTokens ?? 0) * read) /
    1_000_000
  );
}
