import { z } from 'zod';

/**
 * A schema built on its first use, standing in for it everywhere (`parse`, `shape`, `extend`, use
 * inside other schemas). Every exported schema of the modules workflow code reaches is one, for
 * two reasons:
 * - Workers evaluate those modules once and share them across workflows (the SDK's
 *   `preloadModules`), then deep-freeze what the modules export. A zod schema cannot be frozen: it
 *   fills lazy internals and compiles its parser on first use. What the stand-in holds is out of the
 *   freeze's reach (only the empty target is frozen), so the schema keeps working.
 * - Code that never validates with a schema never pays for building it.
 * The real schema is built once per module instance and never replaced, so every caller sees the
 * same one; validation results do not depend on who built it or when.
 */
export function lazySchema<T extends z.ZodType>(build: () => T): T {
  let schema: T | undefined;
  const real = (): T => (schema ??= build());
  return new Proxy({} as T, {
    get: (_, key) => (key === LAZY ? true : Reflect.get(real(), key)),
    has: (_, key) => Reflect.has(real(), key),
    // Reads only: the stand-in is frozen once shared, and a schema is not written to from outside.
    set: () => false,
  });
}

const LAZY = Symbol('keel.lazySchema');

/** Whether `value` is a {@link lazySchema} (without building it). */
export function isLazySchema(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { [LAZY]?: unknown })[LAZY] === true;
}

// Zod sets its default locale and memoizer on the first schema it builds, in its own module state.
// Building one here, while the shared modules are evaluated, does that before they are frozen.
z.never();
