import { createHash } from 'node:crypto';
import { ApiErrorAnswer } from './api-error';
import { fingerprint, promptBlocks } from './conversation';
import type { MessagesRequest } from './messages-api';
import { estimateTokens } from './reply';

/**
 * Anthropic's prompt caching, simulated so that cache savings can be measured offline.
 *
 * The prompt is read as blocks in the order tools → system → messages. A block with
 * `cache_control: { type: 'ephemeral', ttl?: '5m' | '1h' }` is a breakpoint: the prefix up to and
 * including it can be cached, keyed by the model and the exact content of the prefix (the
 * markers themselves are not part of it). See README.md in this folder for the rules.
 */

/** Lifetime of a cache entry, as `cache_control.ttl` names it. */
export type CacheTtl = '5m' | '1h';

/** Milliseconds each TTL keeps an entry alive after it is written or read. */
export const CACHE_TTL_MS: Readonly<Record<CacheTtl, number>> = { '5m': 5 * 60_000, '1h': 60 * 60_000 };

/** Most blocks with `cache_control` one request may carry, as on the real API. */
export const MAX_CACHE_BREAKPOINTS = 4;

/**
 * The minimum prefix the API caches for a model, in tokens: 2048 for Haiku models, 1024 for the
 * others (Sonnet, Opus, and names the simulation does not know).
 */
export function defaultMinCacheableTokens(model: string): number {
  return /haiku/i.test(model) ? 2048 : 1024;
}

/** Where a request may be cached: its blocks' cumulative sizes and prefix keys, and its breakpoints. */
export interface PromptLayout {
  /** Prompt tokens of the whole request (the `input_tokens` estimate without caching). */
  totalTokens: number;
  /** For each block in reading order: the estimated tokens of the prefix ending with it. */
  prefixTokens: number[];
  /** For each block in reading order: the cache key of the prefix ending with it. */
  prefixKeys: string[];
  /** The breakpoints, in reading order: the block index and its TTL. */
  breakpoints: Array<{ index: number; ttl: CacheTtl }>;
}

/**
 * Lays out a request for the prompt cache, checking its `cache_control` markers as the API does.
 * @throws {@link ApiErrorAnswer} 400 for a malformed marker, more than {@link MAX_CACHE_BREAKPOINTS}
 *   breakpoints, or a `1h` breakpoint after a `5m` one
 */
export function layoutPrompt(request: MessagesRequest): PromptLayout {
  const blocks = promptBlocks(request);
  const breakpoints: PromptLayout['breakpoints'] = [];
  let found = 0;
  blocks.forEach((block, index) => {
    let ttl: CacheTtl | undefined;
    for (const control of block.cacheControls) {
      ttl = cacheTtl(control.value, control.where);
      found++;
    }
    if (ttl !== undefined) breakpoints.push({ index, ttl });
  });
  // Automatic caching: a top-level `cache_control` marks the last block, unless it has its own.
  if (request.cache_control !== undefined && request.cache_control !== null) {
    const ttl = cacheTtl(request.cache_control, 'cache_control');
    const last = blocks.length - 1;
    if (last >= 0 && breakpoints.at(-1)?.index !== last) {
      breakpoints.push({ index: last, ttl });
      found++;
    }
  }
  if (found > MAX_CACHE_BREAKPOINTS) {
    throw new ApiErrorAnswer(400, `A maximum of ${MAX_CACHE_BREAKPOINTS} blocks with cache_control may be provided. Found ${found}.`);
  }
  for (let i = 1; i < breakpoints.length; i++) {
    if (breakpoints[i]?.ttl === '1h' && breakpoints[i - 1]?.ttl === '5m') {
      throw new ApiErrorAnswer(
        400,
        "a ttl='1h' cache_control block must not come after a ttl='5m' cache_control block. Note that blocks are processed in the following order: `tools`, `system`, `messages`.",
      );
    }
  }

  // Settings whose change invalidates the cached messages (not tools nor system), as on the API.
  const messageSettings = fingerprint({ tool_choice: request.tool_choice, thinking: request.thinking });
  const prefixTokens: number[] = [];
  const prefixKeys: string[] = [];
  let characters = 0;
  let key = fingerprint({ model: request.model });
  let settingsMixed = false;
  for (const block of blocks) {
    characters += block.characters;
    const hash = createHash('sha256').update(key);
    if (block.section === 'messages' && !settingsMixed) {
      hash.update(messageSettings);
      settingsMixed = true;
    }
    key = hash.update(fingerprint([block.section, block.content])).digest('base64url');
    prefixTokens.push(estimateTokens(characters));
    prefixKeys.push(key);
  }
  return { totalTokens: estimateTokens(characters), prefixTokens, prefixKeys, breakpoints };
}

/** The TTL of a `cache_control` value. @throws {@link ApiErrorAnswer} 400 naming the field when malformed */
function cacheTtl(value: unknown, where: string): CacheTtl {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ApiErrorAnswer(400, `${where}: Input should be a valid dictionary`);
  }
  const { type, ttl } = value as { type?: unknown; ttl?: unknown };
  if (type === undefined) throw new ApiErrorAnswer(400, `${where}.type: Field required`);
  if (type !== 'ephemeral') throw new ApiErrorAnswer(400, `${where}.type: Input should be 'ephemeral'`);
  if (ttl === undefined || ttl === null) return '5m';
  if (ttl !== '5m' && ttl !== '1h') throw new ApiErrorAnswer(400, `${where}.ttl: Input should be '5m' or '1h'`);
  return ttl;
}

/** How a request's prompt tokens divide between the cache and fresh input (estimates). */
export interface PromptTokens {
  /** All prompt tokens: the sum of the four below. */
  total: number;
  /** Tokens of the longest cached prefix found (`cache_read_input_tokens`). */
  cacheRead: number;
  /** Tokens written to the cache with a 5-minute TTL. */
  cacheWrite5m: number;
  /** Tokens written to the cache with a 1-hour TTL. */
  cacheWrite1h: number;
  /** Tokens after the last prefix read or written (`input_tokens`). */
  uncached: number;
}

/** Options of {@link PromptCache}. */
export interface PromptCacheOptions {
  /** The clock, in milliseconds. */
  now: () => number;
  /** Most entries kept; the least recently used go first. */
  maxEntries: number;
  /** How many blocks before each breakpoint are checked for an earlier cached prefix. */
  lookbackBlocks: number;
  /** The minimum prefix, in tokens, the model caches. */
  minCacheableTokens: (model: string) => number;
}

/** A cached prefix. */
interface CacheEntry {
  expiresAt: number;
  ttlMs: number;
}

/**
 * The prompt cache of one server: entries keyed by model and prefix content, each alive until its
 * TTL runs out after it was last written or read, at most `maxEntries` of them (least recently
 * used evicted first).
 */
export class PromptCache {
  private readonly entries = new Map<string, CacheEntry>();

  constructor(private readonly options: PromptCacheOptions) {}

  /** Number of entries held, expired ones not yet evicted included. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Serves one request: finds the longest cached prefix, refreshes it, writes the prefixes of the
   * request's breakpoints past it, and says how the prompt's tokens divide.
   */
  use(layout: PromptLayout, model: string): PromptTokens {
    const total = layout.totalTokens;
    const none: PromptTokens = { total, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0, uncached: total };
    if (layout.breakpoints.length === 0) return none;
    const now = this.options.now();
    const tokensAt = (index: number): number => (index < 0 ? 0 : (layout.prefixTokens[index] ?? 0));
    const keyAt = (index: number): string => layout.prefixKeys[index] ?? '';

    // Read: the longest prefix in the cache ending at a breakpoint or within the lookback before one.
    let hit = -1;
    for (const { index } of layout.breakpoints) {
      const from = Math.max(0, index - this.options.lookbackBlocks);
      for (let i = index; i >= from && i > hit; i--) {
        if (this.live(keyAt(i), now) !== undefined) {
          hit = i;
          break;
        }
      }
    }
    const minimum = this.options.minCacheableTokens(model);
    if (hit >= 0) this.touch(keyAt(hit), now);

    // Write: each breakpoint's prefix long enough to be cached. Those inside the prefix read are
    // refreshed (or written) at no cost; the tokens from the read prefix to the last one written are billed.
    let lastWritten = -1;
    for (const { index, ttl } of layout.breakpoints) {
      if (tokensAt(index) < minimum) continue;
      this.put(keyAt(index), CACHE_TTL_MS[ttl], now);
      if (index > hit) lastWritten = index;
    }
    let cacheWrite5m = 0;
    let cacheWrite1h = 0;
    let from = hit;
    for (const { index, ttl } of layout.breakpoints) {
      if (index <= hit || index > lastWritten) continue;
      const written = tokensAt(index) - tokensAt(from);
      if (ttl === '1h') cacheWrite1h += written;
      else cacheWrite5m += written;
      from = index;
    }
    const cacheRead = tokensAt(hit);
    return { total, cacheRead, cacheWrite5m, cacheWrite1h, uncached: total - tokensAt(Math.max(hit, lastWritten)) };
  }

  /** The entry of a key if alive now; an expired one is evicted. */
  private live(key: string, now: number): CacheEntry | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Restarts an entry's TTL and marks it most recently used. */
  private touch(key: string, now: number): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.put(key, entry.ttlMs, now);
  }

  /** Writes or refreshes an entry (keeping the longer of its TTLs), evicting the least recently used beyond the bound. */
  private put(key: string, ttlMs: number, now: number): void {
    const existing = this.live(key, now);
    const kept = Math.max(ttlMs, existing?.ttlMs ?? 0);
    this.entries.delete(key);
    this.entries.set(key, { ttlMs: kept, expiresAt: now + kept });
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
  }
}
