// Boundaries that hold by themselves (DESIGN.md "Folders"): which folder may import what, and what
// workflow code may never touch. Run by `npm test` (npm run lint).
import tsParser from '@typescript-eslint/parser';

const NODE_BUILTINS = ['node:*', 'fs', 'fs/*', 'path', 'os', 'crypto', 'http', 'https', 'net', 'child_process', 'worker_threads', 'stream', 'util', 'url', 'zlib', 'dns', 'tls', 'events', 'readline', 'timers', 'timers/*'];
const IO_LIBRARIES = ['pg', '@electric-sql/*', '@anthropic-ai/*', 'prom-client', 'undici', 'axios', '@modelcontextprotocol/*'];
const WORKER_SIDE = ['@temporalio/worker', '@temporalio/activity', '@temporalio/testing'];

/** Relative imports of folders, from one folder deep. */
const folders = (...names) => names.flatMap((n) => [`../${n}`, `../${n}/*`, `../../${n}`, `../../${n}/*`]);

const WORKFLOW_IMPORTS = [
  { group: [...NODE_BUILTINS, ...IO_LIBRARIES, ...WORKER_SIDE, '@temporalio/client'], message: 'workflow code does no I/O: move the effect into an activity' },
  { group: folders('activities', 'store', 'client', 'workers', 'metrics', 'alerts', 'tools', 'devserver', 'agents', 'evaluation', 'inbox'), allowTypeImports: true, message: 'workflows import core/ and each other; other folders only as types' },
];

export default [
  { ignores: ['node_modules/**', 'dist/**', '.temporal/**', '.keel/**', 'coverage/**'] },
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tsParser, ecmaVersion: 2022, sourceType: 'module' },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no I/O, no Node, no real randomness or clock.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: WORKFLOW_IMPORTS }],
      'no-restricted-globals': ['error', { name: 'process', message: 'no environment in workflow code' }, { name: 'require', message: 'import modules statically' }, { name: 'Buffer', message: 'use Uint8Array/TextEncoder' }, { name: 'fetch', message: 'I/O belongs in activities' }],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'use the SDK\'s deterministic random (or none)' },
        { object: 'performance', property: 'now', message: 'use the workflow clock (Date.now())' },
      ],
    },
  },
  {
    // A session asks for its patches through its RunPatches, settled at the run's start: a patch asked
    // for later is unsafe after a local activity (workflows/session-patches.ts). Orchestrations and
    // the monitor run no local activity and ask where they need.
    files: ['workflows/**/*.ts'],
    ignores: ['workflows/session-patches.ts', 'workflows/human-gate.ts', 'workflows/orchestration.ts', 'workflows/orchestration-runtime.ts', 'workflows/agent-monitor.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: WORKFLOW_IMPORTS,
          paths: [{ name: '@temporalio/workflow', importNames: ['patched', 'deprecatePatch'], message: "a session asks its RunPatches (s.patches.has), settled at the run's start" }],
        },
      ],
    },
  },
  {
    // core/ is pure and workflow-safe: zod and pure libraries only.
    files: ['core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: [...NODE_BUILTINS, ...IO_LIBRARIES, ...WORKER_SIDE, '@temporalio/client', '@temporalio/workflow'], message: 'core/ is pure: no I/O, no Temporal' },
            { group: folders('activities', 'store', 'client', 'workers', 'workflows', 'metrics', 'alerts', 'tools', 'devserver', 'agents', 'evaluation', 'inbox', 'bench', 'test'), allowTypeImports: true, message: 'core/ imports nothing outside core/' },
          ],
        },
      ],
      'no-restricted-globals': ['error', { name: 'process', message: 'core/ reads no environment' }],
    },
  },
  {
    // The client side never loads worker-side code.
    files: ['client/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: [...WORKER_SIDE, '@temporalio/plugin'], message: 'the client never loads worker-side code: put the command in tooling/' },
            { group: folders('activities', 'workers', 'evaluation', 'devserver', 'bench', 'test', 'tooling', 'inbox', 'agents', 'tools'), allowTypeImports: true, message: 'the client never loads worker-side code: put the command in tooling/' },
          ],
        },
      ],
      'no-restricted-globals': ['error', { name: 'require', message: 'no hidden requires: the client side never loads worker-side code' }],
    },
  },
  {
    // Activities, the store and the tools are worker-side; none of them reaches into workflows' code.
    files: ['activities/**/*.ts', 'store/**/*.ts', 'tools/**/*.ts', 'metrics/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: folders('client', 'bench', 'test', 'tooling', 'demo', 'inbox'), allowTypeImports: true, message: 'worker-side modules do not depend on the client or on tests' }] }],
    },
  },
];
