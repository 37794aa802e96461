/**
 * Workers evaluate Keel's workflow modules once and share them across workflows (the bundle
 * preloads them), after the SDK deep-freezes what they export. An exported zod schema built eagerly
 * would break there on its first parse (zod fills lazy internals in place), so every exported schema
 * of a module the workflows reach must be a `lazySchema`. This loads the modules the workflow entry
 * reaches, freezes their exports the way the SDK does, and validates with every exported schema.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { z } from 'zod';
import { isLazySchema, lazySchema } from '../core/lazy-schema';

const root = join(__dirname, '..');

/** Keel's modules the workflow entry reaches through value imports (type-only imports are erased). */
function reachable(entry: string, seen = new Set<string>()): Set<string> {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  const source = readFileSync(entry, 'utf8');
  for (const [, specifier] of source.matchAll(/^(?:import|export) (?!type )[^;]*?from '(\.[^']+)';/gms)) {
    const base = join(dirname(entry), specifier!);
    const file = [`${base}.ts`, join(base, 'index.ts')].find(existsSync);
    if (file) reachable(file, seen);
  }
  for (const [, specifier] of source.matchAll(/^import '(\.[^']+)';/gm)) reachable(`${join(dirname(entry), specifier!)}.ts`, seen);
  return seen;
}

/** The SDK's freeze of shared modules: own properties of objects, recursively, then the object. */
function deepFreeze(value: unknown, seen = new WeakSet<object>()): void {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function') || seen.has(value)) return;
  seen.add(value);
  if (typeof value === 'object') {
    for (const key of [...Object.getOwnPropertyNames(value), ...Object.getOwnPropertySymbols(value)]) {
      try {
        deepFreeze((value as Record<string | symbol, unknown>)[key], seen);
      } catch {
        // as the SDK: some objects cannot be frozen
      }
    }
  }
  Object.freeze(value);
}

const isSchema = (value: unknown): value is z.ZodType => typeof value === 'object' && value !== null && '_zod' in value;

const modules = [...reachable(join(root, 'workflows', 'index.ts'))].map((file) => relative(root, file)).sort();
const loaded = new Map<string, Record<string, unknown>>();

beforeAll(() => {
  // As in the worker: the whole graph is evaluated first, then frozen.
  for (const file of modules) loaded.set(file, require(join(root, file)) as Record<string, unknown>);
  for (const exports of loaded.values()) deepFreeze(exports);
});

test('the workflow entry reaches the session, orchestration and core modules', () => {
  expect(modules).toEqual(expect.arrayContaining(['workflows/agent-session.ts', 'workflows/orchestration.ts', 'core/session.ts', 'core/decision-statement.ts', 'core/lazy-schema.ts']));
});

test.each(modules.map((file) => [file]))('%s: every exported schema is lazy and validates after the freeze', (file) => {
  for (const [name, value] of Object.entries(loaded.get(file)!)) {
    if (!isSchema(value)) continue;
    expect([name, isLazySchema(value)]).toEqual([name, true]);
    for (const input of [undefined, {}, [], 'x', 1]) expect(() => value.safeParse(input)).not.toThrow();
  }
});

test('an eagerly built schema breaks after the freeze and a lazy one does not (why the rule above)', () => {
  const eager = z.strictObject({ id: z.string(), tags: z.array(z.string()).optional() });
  const lazy = lazySchema(() => z.strictObject({ id: z.string(), tags: z.array(z.string()).optional() }));
  deepFreeze({ eager, lazy });
  expect(() => eager.safeParse({ id: 'a' })).toThrow(TypeError);
  expect(isLazySchema(eager)).toBe(false);
  expect(lazy.safeParse({ id: 'a', tags: ['x'] })).toMatchObject({ success: true });
  expect(lazy.safeParse({ id: 1 }).error?.issues[0]?.path).toEqual(['id']);
  expect(lazy.extend({ n: z.number() }).parse({ id: 'b', n: 2 })).toEqual({ id: 'b', n: 2 });
  expect(z.object({ inner: lazy }).parse({ inner: { id: 'c' } })).toEqual({ inner: { id: 'c' } });
});
