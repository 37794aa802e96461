import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

/** Packages whose code goes into the workflow bundle besides Keel's own (their versions key the cache). */
const BUNDLED_PACKAGES = ['@temporalio/workflow', '@temporalio/common', 'zod', '@noble/curves', '@noble/hashes'];

/** Packages that workflow interceptor modules (tracing's) bring into the bundle: their versions key the cache when there are such modules. */
const INTERCEPTOR_BUNDLED_PACKAGES = ['@opentelemetry/api', '@opentelemetry/core', '@opentelemetry/sdk-trace-base', '@opentelemetry/resources'];

/** Options of {@link bundleKeelWorkflows}. */
export interface BundleKeelWorkflowsOptions {
  /**
   * Where bundles are kept, by the digest of the code they came from: a worker that starts again (a
   * restart, a crash loop, scale-out on the same host) loads the bundle instead of building it.
   * `false` always builds. @default `KEEL_BUNDLE_CACHE`, else `node_modules/.cache/keel-workflows` of the package
   */
  cacheDir?: string | false;
  /**
   * Workflow interceptor modules bundled with Keel's workflows (as `bundleWorkflowCode`'s
   * `workflowInterceptorModules`), e.g. `tracingWorkflowInterceptorModules()` for tracing; their
   * paths and packages key the cache too. @default none
   */
  workflowInterceptorModules?: readonly string[];
}

/**
 * Keel's workflow code as one bundle for `workflowBundle`. Built with Temporal's bundler the first
 * time, then taken from the cache as long as the code it came from is unchanged (the digest of
 * Keel's workflow and core sources and of the bundled packages' versions).
 */
export async function bundleKeelWorkflows(options: BundleKeelWorkflowsOptions = {}): Promise<{ code: string }> {
  const cacheDir = options.cacheDir ?? process.env.KEEL_BUNDLE_CACHE ?? join(packageRoot(), 'node_modules', '.cache', 'keel-workflows');
  const modules = options.workflowInterceptorModules ?? [];
  if (cacheDir === false) return build(modules);
  const file = join(cacheDir, `workflows-${workflowSourceDigest(modules)}.js`);
  if (existsSync(file)) return { code: readFileSync(file, 'utf8') };
  const bundle = await build(modules);
  try {
    mkdirSync(cacheDir, { recursive: true });
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, bundle.code);
    renameSync(partial, file); // whole or not at all, when several workers start at once
  } catch (error) {
    console.warn(`keel: could not keep the workflow bundle in ${cacheDir} (${(error as Error).message}); the next start builds it again`);
  }
  return bundle;
}

/**
 * How the bundle is made, beyond the code it comes from; a change here makes new cache keys.
 * `shared-modules`: Keel's workflow modules are preloaded (see {@link build}).
 */
const BUNDLE_LAYOUT = 'shared-modules';

/**
 * Keel's workflow modules are preloaded: a worker evaluates them once and every workflow shares
 * them (the SDK deep-freezes what they export), instead of evaluating them again for each workflow
 * it creates, a cached one or one replayed after eviction (22 ms and 1.9 MB each before). They hold
 * no per-workflow state: everything per workflow is created inside the workflow functions, and
 * their exported schemas are `lazySchema`s, which a freeze cannot break.
 */
async function build(workflowInterceptorModules: readonly string[]): Promise<{ code: string }> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: workflowsPath(),
    preloadModules: [workflowsPath()],
    logger: quietBundlerLogger,
    ...(workflowInterceptorModules.length ? { workflowInterceptorModules: [...workflowInterceptorModules] } : {}),
  });
  return { code };
}

/**
 * The digest of the code a bundle of Keel's workflows comes from: every source file of Keel's
 * `workflows/` and `core/` (what workflow code may import) and the versions of the packages bundled
 * with them; with interceptor modules, also their contents and the versions of the packages they come from.
 */
export function workflowSourceDigest(workflowInterceptorModules: readonly string[] = []): string {
  const hash = createHash('sha256').update(BUNDLE_LAYOUT).update('\0');
  const root = packageRoot();
  const base = existsSync(join(root, 'workflows', 'index.ts')) ? root : join(root, 'dist');
  for (const folder of ['workflows', 'core']) {
    for (const file of sourceFiles(join(base, folder))) {
      hash.update(file.slice(base.length)).update('\0').update(readFileSync(file)).update('\0');
    }
  }
  for (const name of BUNDLED_PACKAGES) hash.update(name).update('@').update(installedVersion(name, root));
  for (const module of workflowInterceptorModules) {
    hash.update('\0interceptor\0').update(module).update('\0');
    if (existsSync(module)) hash.update(readFileSync(module)).update('\0').update(packageVersionOf(module));
  }
  if (workflowInterceptorModules.length) for (const name of INTERCEPTOR_BUNDLED_PACKAGES) hash.update(name).update('@').update(installedVersion(name, root));
  return hash.digest('hex').slice(0, 24);
}

/** The version of the package `name` as resolved from `from` (its package.json need not be exported). */
function installedVersion(name: string, from: string): string {
  let dir = dirname(require.resolve(name, { paths: [from] }));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
      if (parsed.name === name && parsed.version) return parsed.version;
    }
    const parent = dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
}

/** `name@version` of the package a module file belongs to (its nearest package.json), or '' outside any. */
function packageVersionOf(file: string): string {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
      if (parsed.name) return `${parsed.name}@${parsed.version ?? ''}`;
    }
    if (dirname(dir) === dir) return '';
  }
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return sourceFiles(path);
      return /\.(ts|js|json)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
    });
}

/** The folder of Keel's package (the repository, or node_modules/keel when installed). */
function packageRoot(): string {
  return join(__dirname, '..', existsSync(join(__dirname, '..', 'package.json')) ? '' : '..');
}

/** The module of Keel's workflows (the entry the bundler starts from). */
export function workflowsPath(): string {
  const source = join(__dirname, '..', 'workflows', 'index.ts');
  return existsSync(source) ? source : join(__dirname, '..', 'workflows', 'index.js');
}

const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};
